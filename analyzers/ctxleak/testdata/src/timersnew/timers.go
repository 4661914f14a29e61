// Package timersnew is built for the module's Go (1.23 or later), where
// unreferenced timers are collected: nothing to say about memory.
package timersnew

import (
	"context"
	"time"
)

func drain(ctx context.Context, in <-chan int) {
	for {
		select {
		case <-in:
		case <-time.After(time.Minute):
			return
		case <-ctx.Done():
			return
		}
	}
}

func poll(ctx context.Context, f func()) {
	tick := time.Tick(time.Second)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			f()
		}
	}
}
