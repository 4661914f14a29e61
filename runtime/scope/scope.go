package scope

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
)

// ErrGoexit is the error of a goroutine that ended with runtime.Goexit, as
// testing.T.FailNow does, instead of returning.
var ErrGoexit = errors.New("scope: goroutine called runtime.Goexit")

// A Scope is the lifetime of one call to Run. Its methods are safe for
// concurrent use, from the function given to Run and from the scope's
// goroutines. Starting a goroutine or registering a cleanup after Run has
// returned panics: nothing would wait for it.
type Scope struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	group  errgroup.Group

	mu       sync.Mutex
	err      error // the first error
	panicked bool
	panicVal any  // the first panic's value
	tasks    int  // goroutines that have not returned
	body     bool // the function given to Run has not returned
	closers  []func() error
	idle     chan struct{} // closed when the function and all goroutines have returned
	ended    bool          // no goroutine may start; cleanups may still register cleanups
	closed   bool          // every closer has run
}

// Run calls f with a new Scope whose context is derived from ctx, then waits
// for every goroutine started with the Scope's Go to return, runs the
// cleanups registered with Defer and DeferClose in reverse order, and
// returns the first error of f or of a goroutine joined (errors.Join) with
// the cleanups' errors; an error that is the only one is returned as it is.
// If f, a goroutine or a cleanup panicked, Run panics with the first
// panic's value once all of that is done (see the package documentation).
func Run(ctx context.Context, f func(s *Scope) error) (err error) {
	s := &Scope{idle: make(chan struct{}), body: true}
	s.ctx, s.cancel = context.WithCancelCause(ctx)

	returned := false
	defer func() {
		if !returned {
			// f panicked or called runtime.Goexit. recover must be called
			// by this deferred function itself to stop the panic.
			if r := recover(); r != nil {
				s.panic(r)
			} else {
				s.fail(ErrGoexit)
			}
		}
		s.bodyDone()
		err = s.end()
		s.mu.Lock()
		panicked, v := s.panicked, s.panicVal
		s.mu.Unlock()
		if panicked {
			panic(v)
		}
	}()
	ferr := f(s)
	returned = true
	s.fail(ferr)
	return nil
}

// Context returns the scope's context: it is canceled by the first error or
// panic in the scope, by the end of Run's context, and when Run returns.
func (s *Scope) Context() context.Context { return s.ctx }

// Go runs f in a new goroutine with the scope's context. An error returned
// by f, or a panic, cancels the scope's context. Go may be called from the
// scope's goroutines as long as they run, even after the function given to
// Run has returned.
func (s *Scope) Go(f func(ctx context.Context) error) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		panic("scope: Go called after the scope ended")
	}
	s.tasks++
	s.mu.Unlock()
	// The count is taken before the goroutine starts so that the scope
	// cannot be found idle between the two.
	s.group.Go(func() error {
		s.runTask(f)
		return nil
	})
}

func (s *Scope) runTask(f func(context.Context) error) {
	returned := false
	defer func() {
		if !returned {
			if r := recover(); r != nil {
				s.panic(r)
			} else {
				s.fail(ErrGoexit)
			}
		}
		s.taskDone()
	}()
	err := f(s.ctx)
	returned = true
	s.fail(err)
}

// Defer registers f to run when the scope ends, after every goroutine of the
// scope has returned and before the cleanups registered earlier. Its error is
// joined into Run's. A cleanup may register further cleanups; they run next.
func (s *Scope) Defer(f func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		panic("scope: Defer called after the scope ended")
	}
	s.closers = append(s.closers, f)
}

// DeferClose registers c.Close as a cleanup: see Defer.
func (s *Scope) DeferClose(c io.Closer) {
	s.Defer(c.Close)
}

// Active returns the number of the scope's live resources: goroutines that
// have not returned and cleanups that have not started.
func (s *Scope) Active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tasks + len(s.closers)
}

// fail records err if it is the scope's first and cancels the scope.
func (s *Scope) fail(err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	first := s.err == nil
	if first {
		s.err = err
	}
	s.mu.Unlock()
	if first {
		s.cancel(err)
	}
}

// panic records a recovered panic value if it is the scope's first and
// cancels the scope.
func (s *Scope) panic(v any) {
	s.mu.Lock()
	first := !s.panicked
	if first {
		s.panicked, s.panicVal = true, v
	}
	s.mu.Unlock()
	if first {
		s.cancel(errPanicked)
	}
}

var errPanicked = errors.New("scope: panic in the scope")

func (s *Scope) taskDone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks--
	s.checkIdle()
}

func (s *Scope) bodyDone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = false
	s.checkIdle()
}

// checkIdle ends the scope once neither the function nor any goroutine can
// start another goroutine. s.mu must be held.
func (s *Scope) checkIdle() {
	if !s.body && s.tasks == 0 && !s.ended {
		s.ended = true
		close(s.idle)
	}
}

// end waits for the goroutines, runs the cleanups and returns Run's error.
func (s *Scope) end() error {
	<-s.idle
	// Every goroutine has done its accounting; Wait covers the last steps
	// of errgroup's own bookkeeping so that none is left when Run returns.
	_ = s.group.Wait() // errors are collected by the scope itself
	errs := s.runClosers()
	s.cancel(nil)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.panicked {
		return nil
	}
	return join(append([]error{s.err}, errs...))
}

// join is errors.Join, except that a single error is returned as it is, so
// that callers can compare it with ==, as they could a function's error.
func join(errs []error) error {
	errs = slices.DeleteFunc(errs, func(err error) bool { return err == nil })
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// runClosers runs the cleanups that have not run, latest first, and returns
// their errors.
func (s *Scope) runClosers() []error {
	var errs []error
	for {
		s.mu.Lock()
		n := len(s.closers)
		if n == 0 {
			s.closed = true
			s.mu.Unlock()
			return errs
		}
		c := s.closers[n-1]
		s.closers = s.closers[:n-1]
		s.mu.Unlock()
		errs = append(errs, s.runCloser(c))
	}
}

// runCloser runs c, recording a panic so that the other cleanups still run.
func (s *Scope) runCloser(c func() error) error {
	returned := false
	defer func() {
		if returned {
			return
		}
		if r := recover(); r != nil {
			s.panic(r)
			return
		}
		// runtime.Goexit cannot be stopped, and Run will not return, but
		// the remaining cleanups can still run while it unwinds.
		s.runClosers()
		s.cancel(nil)
	}()
	err := c()
	returned = true
	return err
}
