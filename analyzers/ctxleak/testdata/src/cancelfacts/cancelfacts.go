// Package cancelfacts exports what its functions do with cancel functions.
package cancelfacts

import (
	"context"
	"time"
)

// Budget returns a context its caller must cancel.
func Budget(ctx context.Context) (context.Context, context.CancelFunc) { // want Budget:`returns cancel \[1\]`
	return context.WithTimeout(ctx, time.Second)
}

// Release calls the cancel function it is given.
func Release(cancel context.CancelFunc) { // want Release:`cancels \[0\]`
	cancel()
}

// Keep keeps it for later.
type Keeper struct{ fns []func() }

func (k *Keeper) Keep(f func()) { // want Keep:`cancels \[1\]`
	k.fns = append(k.fns, f)
}

// Log does not. Its callers cannot know: a function with nothing to say
// exports no fact, and a cancel function handed to one counts as handed on.
func Log(f func()) {}
