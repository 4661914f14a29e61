//go:build go1.22

// Package timers is built for go1.22, where a timer that is not stopped is
// not collected until it fires.
package timers

import (
	"context"
	"time"
)

func wait(ctx context.Context) {
	t := time.NewTimer(time.Minute) // want `timer from time.NewTimer is never stopped: before go1.23 a timer that is not stopped is not collected until it fires; defer t.Stop\(\)`
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func tick(ctx context.Context, f func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			f()
		case <-ctx.Done():
			return
		}
	}
}

// A timer that fired holds nothing.
func fired(ctx context.Context, mu chan struct{}) error {
	timer := time.NewTimer(time.Second)
	select {
	case <-mu:
		timer.Stop()
	case <-timer.C:
		return context.DeadlineExceeded
	}
	return nil
}
