package scope

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// journal is an append-only log of events, safe for concurrent use.
type journal struct {
	mu     sync.Mutex
	events []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.events = append(j.events, fmt.Sprintf(format, args...))
}

func (j *journal) get() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.events)
}

// closer records its Close calls and fails with err.
type closer struct {
	name string
	j    *journal
	err  error
	n    atomic.Int32
}

func (c *closer) Close() error {
	c.n.Add(1)
	c.j.add("close %s", c.name)
	return c.err
}

func TestOrder(t *testing.T) {
	var j journal
	release := make(chan struct{})
	err := Run(t.Context(), func(s *Scope) error {
		s.Defer(func() error { j.add("close 1"); return nil })
		s.DeferClose(&closer{name: "2", j: &j})
		s.Go(func(ctx context.Context) error {
			<-release
			j.add("task done")
			return nil
		})
		s.Defer(func() error { j.add("close 3"); return nil })
		// Returning does not cancel the goroutines: they finish on their
		// own, and the cleanups wait for them.
		close(release)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"task done", "close 3", "close 2", "close 1"}
	if got := j.get(); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestCloserRegistersCloser(t *testing.T) {
	var j journal
	err := Run(t.Context(), func(s *Scope) error {
		s.Defer(func() error { j.add("close 1"); return nil })
		s.Defer(func() error {
			j.add("close 2")
			s.Defer(func() error { j.add("close 2a"); return nil })
			return nil
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := j.get(), []string{"close 2", "close 2a", "close 1"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestFirstErrorCancelsSiblings(t *testing.T) {
	errFirst := errors.New("first")
	var j journal
	siblingStarted := make(chan struct{})
	err := Run(t.Context(), func(s *Scope) error {
		s.Go(func(ctx context.Context) error {
			close(siblingStarted)
			<-ctx.Done()
			j.add("sibling canceled: %v", context.Cause(ctx))
			return ctx.Err()
		})
		s.Go(func(ctx context.Context) error {
			<-siblingStarted
			return errFirst
		})
		<-s.Context().Done()
		j.add("body saw cancel")
		return nil
	})
	if err != errFirst {
		t.Fatalf("Run returned %v, want %v (the first error, unwrapped)", err, errFirst)
	}
	got := j.get()
	slices.Sort(got)
	if want := []string{"body saw cancel", "sibling canceled: first"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestBodyErrorCancelsTasks(t *testing.T) {
	errBody := errors.New("body")
	canceled := make(chan error, 1)
	err := Run(t.Context(), func(s *Scope) error {
		s.Go(func(ctx context.Context) error {
			<-ctx.Done()
			canceled <- context.Cause(ctx)
			return nil
		})
		return errBody
	})
	if err != errBody {
		t.Fatalf("Run returned %v, want %v", err, errBody)
	}
	if cause := <-canceled; cause != errBody {
		t.Errorf("task's context canceled with %v, want %v", cause, errBody)
	}
}

func TestParentContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	err := Run(ctx, func(s *Scope) error {
		s.Go(func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

func TestCloserErrorsJoined(t *testing.T) {
	var j journal
	errTask := errors.New("task")
	c1 := &closer{name: "1", j: &j, err: errors.New("close 1 failed")}
	c2 := &closer{name: "2", j: &j, err: errors.New("close 2 failed")}
	err := Run(t.Context(), func(s *Scope) error {
		s.DeferClose(c1)
		s.DeferClose(c2)
		s.Go(func(context.Context) error { return errTask })
		return nil
	})
	for _, want := range []error{errTask, c1.err, c2.err} {
		if !errors.Is(err, want) {
			t.Errorf("Run's error %q does not include %q", err, want)
		}
	}
	if got := err.Error(); got != "task\nclose 2 failed\nclose 1 failed" {
		t.Errorf("Run's error %q: want the first error, then the cleanups' in the order they ran", got)
	}
}

// runPanics calls Run and returns what it panicked with.
func runPanics(t *testing.T, f func(s *Scope) error) (v any) {
	t.Helper()
	defer func() { v = recover() }()
	err := Run(t.Context(), f)
	t.Fatalf("Run returned %v instead of panicking", err)
	return nil
}

type panicValue struct{ msg string }

func TestPanicInTask(t *testing.T) {
	var j journal
	c := &closer{name: "conn", j: &j}
	orig := &panicValue{"task"}
	siblingStarted := make(chan struct{})
	v := runPanics(t, func(s *Scope) error {
		s.DeferClose(c)
		s.Go(func(ctx context.Context) error {
			close(siblingStarted)
			<-ctx.Done()
			j.add("sibling canceled")
			return nil
		})
		s.Go(func(context.Context) error {
			<-siblingStarted
			panic(orig)
		})
		return nil
	})
	if v != orig {
		t.Fatalf("Run panicked with %v, want the original value %v", v, orig)
	}
	if got, want := j.get(), []string{"sibling canceled", "close conn"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q: the panic must wait for the goroutines and the cleanups", got, want)
	}
	if n := c.n.Load(); n != 1 {
		t.Errorf("closed %d times, want 1", n)
	}
}

func TestPanicInBody(t *testing.T) {
	var j journal
	c := &closer{name: "conn", j: &j}
	orig := &panicValue{"body"}
	v := runPanics(t, func(s *Scope) error {
		s.DeferClose(c)
		s.Go(func(ctx context.Context) error {
			<-ctx.Done()
			j.add("task canceled")
			return nil
		})
		panic(orig)
	})
	if v != orig {
		t.Fatalf("Run panicked with %v, want %v", v, orig)
	}
	if got, want := j.get(), []string{"task canceled", "close conn"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestPanicInCloser(t *testing.T) {
	var j journal
	c := &closer{name: "first", j: &j}
	v := runPanics(t, func(s *Scope) error {
		s.DeferClose(c)
		s.Defer(func() error { panic("cleanup") })
		return nil
	})
	if v != "cleanup" {
		t.Fatalf("Run panicked with %v, want the cleanup's panic", v)
	}
	if n := c.n.Load(); n != 1 {
		t.Errorf("the other cleanup ran %d times, want 1", n)
	}
}

func TestFirstPanicWins(t *testing.T) {
	v := runPanics(t, func(s *Scope) error {
		taskPanicked := make(chan struct{})
		s.Defer(func() error { panic("second") })
		s.Go(func(ctx context.Context) error {
			defer close(taskPanicked)
			panic("first")
		})
		<-taskPanicked
		return nil
	})
	if v != "first" {
		t.Errorf("Run panicked with %v, want the first panic", v)
	}
}

func TestGoexitInTask(t *testing.T) {
	canceled := make(chan struct{})
	err := Run(t.Context(), func(s *Scope) error {
		s.Go(func(ctx context.Context) error {
			<-ctx.Done()
			close(canceled)
			return nil
		})
		s.Go(func(context.Context) error {
			runtime.Goexit()
			return nil
		})
		return nil
	})
	if err != ErrGoexit {
		t.Fatalf("Run returned %v, want ErrGoexit", err)
	}
	<-canceled
}

func TestGoexitInBody(t *testing.T) {
	var j journal
	c := &closer{name: "conn", j: &j}
	done := make(chan struct{})
	// Run on a goroutine of its own, as t.FailNow in the body would.
	go func() {
		defer close(done)
		Run(t.Context(), func(s *Scope) error {
			s.DeferClose(c)
			s.Go(func(ctx context.Context) error {
				<-ctx.Done()
				j.add("task canceled")
				return nil
			})
			runtime.Goexit()
			return nil
		})
		j.add("Run returned")
	}()
	<-done
	if got, want := j.get(), []string{"task canceled", "close conn"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestGoexitInCloser(t *testing.T) {
	var j journal
	c := &closer{name: "first", j: &j}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(t.Context(), func(s *Scope) error {
			s.DeferClose(c)
			s.Defer(func() error { runtime.Goexit(); return nil })
			return nil
		})
	}()
	<-done
	if n := c.n.Load(); n != 1 {
		t.Errorf("the other cleanup ran %d times, want 1", n)
	}
}

func TestExactlyOnce(t *testing.T) {
	errTask := errors.New("task")
	for _, tc := range []struct {
		name string
		body func(s *Scope) error
	}{
		{"ok", func(*Scope) error { return nil }},
		{"error", func(*Scope) error { return errors.New("body") }},
		{"task error", func(s *Scope) error {
			s.Go(func(context.Context) error { return errTask })
			return nil
		}},
		{"task panic", func(s *Scope) error {
			s.Go(func(context.Context) error { panic("task") })
			return nil
		}},
		{"body panic", func(*Scope) error { panic("body") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var j journal
			cs := make([]*closer, 20)
			func() {
				defer func() { recover() }()
				Run(t.Context(), func(s *Scope) error {
					var wg sync.WaitGroup
					for i := range cs {
						cs[i] = &closer{name: fmt.Sprint(i), j: &j}
						// Registered from several goroutines at once.
						wg.Go(func() { s.DeferClose(cs[i]) })
					}
					wg.Wait()
					return tc.body(s)
				})
			}()
			for _, c := range cs {
				if n := c.n.Load(); n != 1 {
					t.Errorf("closer %s ran %d times, want 1", c.name, n)
				}
			}
		})
	}
}

func TestActive(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	var inFirstCleanup, inLastCleanup int
	err := Run(t.Context(), func(s *Scope) error {
		if n := s.Active(); n != 0 {
			t.Errorf("Active at start = %d, want 0", n)
		}
		s.Defer(func() error { inLastCleanup = s.Active(); return nil })
		s.Defer(func() error { return nil })
		s.Defer(func() error { inFirstCleanup = s.Active(); return nil })
		if n := s.Active(); n != 3 {
			t.Errorf("Active with 3 cleanups = %d, want 3", n)
		}
		for range 2 {
			s.Go(func(ctx context.Context) error {
				started <- struct{}{}
				<-release
				return nil
			})
		}
		<-started
		<-started
		if n := s.Active(); n != 5 {
			t.Errorf("Active with 3 cleanups and 2 goroutines = %d, want 5", n)
		}
		close(release)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A cleanup stops counting once it starts: the goroutines have ended by
	// then, and the first cleanup to run sees the two below it.
	if inFirstCleanup != 2 || inLastCleanup != 0 {
		t.Errorf("Active in cleanups = %d then %d, want 2 then 0", inFirstCleanup, inLastCleanup)
	}
}

func TestGoFromTaskAfterBodyReturned(t *testing.T) {
	var n atomic.Int32
	release := make(chan struct{})
	err := Run(t.Context(), func(s *Scope) error {
		s.Go(func(ctx context.Context) error {
			<-release
			for range 3 {
				s.Go(func(context.Context) error { n.Add(1); return nil })
			}
			return nil
		})
		close(release)
		return nil
	})
	if err != nil || n.Load() != 3 {
		t.Errorf("Run returned %v after %d nested goroutines, want nil after 3", err, n.Load())
	}
}

func TestUseAfterEnd(t *testing.T) {
	var leaked *Scope
	if err := Run(t.Context(), func(s *Scope) error { leaked = s; return nil }); err != nil {
		t.Fatal(err)
	}
	if leaked.Context().Err() == nil {
		t.Error("scope's context not canceled after Run returned")
	}
	for name, f := range map[string]func(){
		"Go":    func() { leaked.Go(func(context.Context) error { return nil }) },
		"Defer": func() { leaked.Defer(func() error { return nil }) },
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, "after the scope ended") {
					t.Errorf("%s after Run returned: recovered %q, want a panic about the ended scope", name, r)
				}
			}()
			f()
		}()
	}
}

func TestNested(t *testing.T) {
	errInner := errors.New("inner")
	outerCanceled := make(chan struct{})
	err := Run(t.Context(), func(outer *Scope) error {
		outer.Go(func(ctx context.Context) error {
			<-ctx.Done()
			close(outerCanceled)
			return nil
		})
		outer.Go(func(ctx context.Context) error {
			return Run(ctx, func(inner *Scope) error {
				inner.Go(func(context.Context) error { return errInner })
				return nil
			})
		})
		return nil
	})
	if err != errInner {
		t.Fatalf("Run returned %v, want %v", err, errInner)
	}
	select {
	case <-outerCanceled:
	case <-time.After(10 * time.Second):
		t.Fatal("the inner scope's error did not cancel the outer scope")
	}
}
