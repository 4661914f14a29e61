package chansfix

import (
	"context"
	"time"
)

func lookup() string { return "" }

func work() {}

func resolve(ctx context.Context) (string, error) {
	answer := make(chan string)
	go func() {
		answer <- lookup() // want `send on answer blocks forever when resolve returns through ctx.Done\(\)`
	}()
	select {
	case a := <-answer:
		return a, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		work()
		done <- struct{}{} // want `send on done blocks forever when wait returns through time.After\(d\)`
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
