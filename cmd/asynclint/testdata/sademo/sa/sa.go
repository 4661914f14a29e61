// Package sa has one instance of each bug of the staticcheck checks
// asynclint bundles. The module is for Go 1.22, before tickers were
// collected unstopped, so that time.Tick leaks.
package sa

import (
	"context"
	"sync"
	"time"
)

func wait(ctx context.Context) { <-ctx.Done() }

// NilContext passes a nil context (SA1012).
func NilContext() {
	wait(nil)
}

// Tick returns a ticker's channel that nothing can stop (SA1015).
func Tick() <-chan time.Time {
	return time.Tick(time.Second)
}

// AddInside counts the goroutine inside it (SA2000).
func AddInside() {
	var wg sync.WaitGroup
	go func() {
		wg.Add(1)
		defer wg.Done()
	}()
	wg.Wait()
}

// Empty has an empty critical section (SA2001).
func Empty(mu *sync.Mutex) {
	mu.Lock()
	mu.Unlock()
}

// DeferLock defers Lock where it meant Unlock (SA2003).
func DeferLock(mu *sync.Mutex) {
	mu.Lock()
	defer mu.Lock()
}
