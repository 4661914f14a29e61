// Package cancel holds lost-cancel shapes and their fixed twins.
package cancel

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/signal"
	"time"
)

func fetch(ctx context.Context, c *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `the cancel function returned by context.WithTimeout is not called on the path through the return at line 17: .*defer cancel\(\) after this line`
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	cancel()
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func fetchFixed(ctx context.Context, c *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Assigning to the blank identifier releases nothing.
func blank(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx) // want `the cancel function returned by context.WithCancel is discarded`
	_ = cancel
	return ctx
}

func discarded(ctx context.Context) {
	ctx, _ = context.WithDeadline(ctx, time.Now()) // want `the cancel function returned by context.WithDeadline is discarded`
	<-ctx.Done()
}

// Returned: the caller owns it.
func withBudget(ctx context.Context) (context.Context, context.CancelFunc) { // want withBudget:"returns cancel \\[1\\]"
	return context.WithTimeout(ctx, 2*time.Second)
}

func withBudgetNamed(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc, error) { // want withBudgetNamed:"returns cancel \\[1\\]"
	if d <= 0 {
		return nil, nil, errors.New("no budget")
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, nil
}

func useBudget(ctx context.Context) {
	ctx, cancel := withBudget(ctx) // want `the cancel function returned by withBudget is discarded`
	<-ctx.Done()
	_ = cancel
}

func useBudgetFixed(ctx context.Context) error {
	ctx, cancel, err := withBudgetNamed(ctx, time.Second)
	if err != nil {
		return err
	}
	defer cancel()
	<-ctx.Done()
	return nil
}

// Stored for later: the struct's Close calls it.
type worker struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newWorker(parent context.Context) *worker {
	ctx, cancel := context.WithCancel(parent)
	return &worker{ctx: ctx, cancel: cancel}
}

func (w *worker) Close() { w.cancel() }

// Handed to a function that calls it.
func stopLater(stop func()) { // want stopLater:"cancels \\[0\\]"
	defer stop()
	time.Sleep(time.Millisecond)
}

func handOff(ctx context.Context) {
	_, cancel := context.WithCancel(ctx)
	go stopLater(cancel)
}

func handOffSync(ctx context.Context) {
	_, cancel := context.WithCancel(ctx)
	stopLater(cancel)
}

// Handed to a function that ignores it: nothing calls cancel.
func ignore(func()) {}

func handOffLost(ctx context.Context) {
	_, cancel := context.WithCancel(ctx) // want `the cancel function returned by context.WithCancel is not called on the path through the return at line 117`
	ignore(cancel)
}

// A loop that re-arms a timeout and cancels each previous one.
func rearm(ctx context.Context, poll func(context.Context) bool) {
	cancel := func() {}
	for {
		cancel()
		var pctx context.Context
		pctx, cancel = context.WithTimeout(ctx, time.Second)
		if poll(pctx) {
			break
		}
	}
	cancel()
}

// A loop that loses one per iteration.
func leakPerIteration(ctx context.Context, poll func(context.Context) bool) {
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second) // want `the cancel function returned by context.WithTimeout is not called when the loop at line 135 comes round and obtains another`
		if poll(pctx) {
			cancel()
			return
		}
	}
}

// Called from a deferred closure that captures it.
func deferredClosure(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
	}()
	<-ctx.Done()
}

// Conditionally created and conditionally cancelled on the same nil test.
func maybe(ctx context.Context, d time.Duration) {
	var cancel context.CancelFunc
	if d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
	}
	if cancel != nil {
		defer cancel()
	}
	<-ctx.Done()
}

func notify() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // want `the cancel function returned by signal.NotifyContext is not called on the path through the return at line 168`
	if ctx.Err() != nil {
		return
	}
	defer stop()
	<-ctx.Done()
}

func afterFunc(ctx context.Context, c *http.Client) {
	context.AfterFunc(ctx, c.CloseIdleConnections) // result not kept: quiet
	stop := context.AfterFunc(ctx, c.CloseIdleConnections)
	defer stop()
}

// Sent on a channel: the receiver owns it.
func sendCancel(ctx context.Context, out chan<- context.CancelFunc) {
	_, cancel := context.WithCancel(ctx)
	out <- cancel
}

// Kept in a map.
func keep(ctx context.Context, m map[string]context.CancelFunc) {
	_, cancel := context.WithCancel(ctx)
	m["x"] = cancel
}

// A panic path owes nothing.
func mustBudget(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	if ctx == nil {
		panic("nil")
	}
	defer cancel()
}

// Stored, and the struct's Close forgets it.
type poller struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func newPoller(parent context.Context) *poller {
	ctx, cancel := context.WithCancel(parent) // want `the cancel function returned by context.WithCancel is stored in field cancel of poller, which nothing in this package calls`
	return &poller{ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

func (p *poller) Close() { close(p.done) }

// Exported: another package may call it.
type Session struct {
	Cancel context.CancelFunc
}

func NewSession(parent context.Context) *Session {
	_, cancel := context.WithCancel(parent)
	return &Session{Cancel: cancel}
}

// Read only through a nil test elsewhere, called here.
type conn struct {
	stop context.CancelFunc
}

func dial(parent context.Context) *conn {
	_, cancel := context.WithCancel(parent)
	return &conn{stop: cancel}
}

func (c *conn) Close() {
	if c.stop != nil {
		c.stop()
	}
}

// Its address handed to a function that keeps it.
func swap(dst, src *func() bool) { *dst = *src }

type timeouts struct{ stop func() bool }

func (t *timeouts) arm(ctx context.Context, f func()) { // want arm:"cancels \\[2\\]"
	stop := context.AfterFunc(ctx, f)
	swap(&t.stop, &stop)
}
