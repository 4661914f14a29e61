package httpclient

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/time/rate"
)

// Limits holds a venue's rate limits: limiters by name, from which calls
// draw weight. Venues count requests by weight (a deep order book costs more
// than a ticker) against several budgets at once, typically one per IP and
// one per endpoint or account, so a call may draw from several limiters; see
// Weight.
//
// The zero value holds no limiters. A Limits is safe for concurrent use;
// limiters may be added or replaced while calls run, for example when a
// venue announces new limits.
type Limits struct {
	mu sync.RWMutex
	m  map[string]*rate.Limiter
}

// Set installs l as the limiter named key, replacing any previous one.
func (l *Limits) Set(key string, lim *rate.Limiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[string]*rate.Limiter)
	}
	l.m[key] = lim
}

// Limiter returns the limiter named key, or nil.
func (l *Limits) Limiter(key string) *rate.Limiter {
	if l == nil {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.m[key]
}

// Wait blocks until the limiter named key allows weight n, or ctx ends.
// Asking for a limiter that does not exist is an error rather than no limit:
// a misspelt key must not silently lift a venue's limit. When the wait would
// outlast ctx's deadline, Wait fails at once without consuming the weight.
func (l *Limits) Wait(ctx context.Context, key string, n int) error {
	lim := l.Limiter(key)
	if lim == nil {
		return fmt.Errorf("httpclient: no rate limit named %q", key)
	}
	if err := lim.WaitN(ctx, n); err != nil {
		return fmt.Errorf("httpclient: rate limit %q: %w", key, err)
	}
	return nil
}
