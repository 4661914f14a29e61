package cancelfix

import (
	"context"
	"time"
)

func wait(ctx context.Context, ready func(context.Context) bool) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `the cancel function returned by context.WithTimeout is not called on the path through the return at line 11`
	if ready(ctx) {
		return true
	}
	cancel()
	return false
}

// Used elsewhere: no mechanical fix.
func handed(ctx context.Context, ok bool) (context.Context, context.CancelFunc) { // want handed:"returns cancel \\[1\\]"
	ctx, cancel := context.WithCancel(ctx) // want `the cancel function returned by context.WithCancel is not called on the path through the return at line 21`
	if !ok {
		return ctx, nil
	}
	return ctx, cancel
}
