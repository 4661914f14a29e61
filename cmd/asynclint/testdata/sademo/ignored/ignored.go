// Package ignored has the bugs of package sa, each silenced by a
// directive, and one ignore that silences nothing.
package ignored

import (
	"context"
	"sync"
)

func wait(ctx context.Context) { <-ctx.Done() }

// NilContext is silenced by an unscoped ignore.
func NilContext() {
	wait(nil) //asynclint:ignore the callee never reads it
}

// AddInside is silenced by staticcheck's own directive.
func AddInside() {
	var wg sync.WaitGroup
	go func() {
		//lint:ignore SA2000 a test of //lint:ignore
		wg.Add(1)
		defer wg.Done()
	}()
	wg.Wait()
}

// Empty is silenced by an ignore scoped to SA2001.
func Empty(mu *sync.Mutex) {
	mu.Lock()
	mu.Unlock() //asynclint:ignore SA2001 waits for the holder, on purpose
}

// DeferLock is silenced by a //nolint naming SA2003.
func DeferLock(mu *sync.Mutex) {
	mu.Lock()
	defer mu.Lock() //nolint:SA2003
}

// EmptyToo has an ignore scoped to another check, which leaves SA2001's
// finding alone and is itself reported as suppressing nothing.
func EmptyToo(mu *sync.Mutex) {
	mu.Lock()
	mu.Unlock() //asynclint:ignore SA2003 not the check that reports here
}

// Stale has an ignore scoped to SA2001 that suppresses nothing.
func Stale() {
	_ = 1 //asynclint:ignore SA2001 nothing to suppress
}
