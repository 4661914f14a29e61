//go:build go1.22

// Package timers is built for go1.22, where timers that are not stopped
// are not collected until they fire.
package timers

import (
	"context"
	"time"
)

func drain(ctx context.Context, in <-chan int) {
	for {
		select {
		case <-in:
		case <-time.After(time.Minute): // want `time.After in the loop at line 13 makes a timer per iteration that is not freed until it fires`
			return
		case <-ctx.Done():
			return
		}
	}
}

// One timer, reset each time round.
func drainFixed(ctx context.Context, in <-chan int) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-in:
			t.Reset(time.Minute)
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// Once, outside a loop: collected when it fires.
func once(in <-chan int) {
	select {
	case <-in:
	case <-time.After(time.Second):
	}
}

func poll(ctx context.Context, f func()) {
	tick := time.Tick(time.Second) // want `time.Tick's ticker can never be stopped and, before Go 1.23, is never collected`
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			f()
		}
	}
}
