package gateio_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/gateio"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
	"github.com/asynclint/asynclint/runtime/track"
	"github.com/asynclint/asynclint/runtime/wsclient"
)

// waitLimit bounds every wait of a test, so that a broken build fails
// instead of hanging; no test asserts how long anything took.
const waitLimit = 20 * time.Second

// rig is a fake venue and a running client connected to it.
type rig struct {
	t      *testing.T
	venue  *venuetest.Gate
	client *gateio.Client
	done   chan error // Run's result

	mu     sync.Mutex
	events []gateio.Event
	errs   []error
	// handled is, per pair, the update id of the last BookSnapshot or
	// BookUpdate the Handler was given. The book changes before its event
	// is delivered, so waitBookMatches waits for both.
	handled map[string]int64
}

func newRig(t *testing.T, vopts venuetest.GateOptions, opts gateio.Options) *rig {
	t.Helper()
	r := &rig{t: t, venue: venuetest.NewGate(vopts), done: make(chan error, 1), handled: map[string]int64{}}
	t.Cleanup(r.venue.Close)
	opts.URL = r.venue.URL()
	opts.RESTURL = r.venue.RESTURL()
	if opts.BackoffBase == 0 {
		opts.BackoffBase = 5 * time.Millisecond
		opts.BackoffMax = 50 * time.Millisecond
	}
	if opts.SnapshotBackoff == 0 {
		opts.SnapshotBackoff = 5 * time.Millisecond
		opts.SnapshotBackoffMax = 50 * time.Millisecond
	}
	user := opts.Handler
	opts.Handler = func(e gateio.Event) {
		r.mu.Lock()
		r.events = append(r.events, e)
		switch e := e.(type) {
		case *gateio.BookSnapshot:
			r.handled[e.Pair] = e.UpdateID
		case *gateio.BookUpdate:
			r.handled[e.Pair] = e.LastID
		}
		r.mu.Unlock()
		if user != nil {
			user(e)
		}
	}
	opts.OnError = func(err error) {
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
	}
	c, err := gateio.Dial(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	r.client = c
	runCtx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	go func() { r.done <- c.Run(runCtx) }()
	t.Cleanup(func() {
		ctx, stop := context.WithTimeout(context.WithoutCancel(t.Context()), 10*time.Second)
		defer stop()
		if err := c.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		cancel()
		if err := <-r.done; err != nil && !errors.Is(err, wsclient.ErrClosed) {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

func (r *rig) ctx() context.Context {
	ctx, cancel := context.WithTimeout(r.t.Context(), waitLimit)
	r.t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds, failing the test after waitLimit.
func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), waitLimit)
	defer cancel()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			r.t.Fatalf("timed out waiting for %s (stats %+v, errors %v)", what, r.client.Stats(), r.errors())
		case <-tick.C:
		}
	}
}

// handledID returns the update id of the last book event of pair given to
// the Handler.
func (r *rig) handledID(pair string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handled[pair]
}

func (r *rig) errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

func (r *rig) eventsOf(match func(gateio.Event) bool) []gateio.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []gateio.Event
	for _, e := range r.events {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

// bookEqual compares the client's book with the venue's, reporting how
// they differ.
func bookEqual(c gateio.Book, v venuetest.GateBook) error {
	if !c.Synced {
		return errors.New("client book not synced")
	}
	if c.UpdateID != v.ID {
		return fmt.Errorf("update id %d, venue %d", c.UpdateID, v.ID)
	}
	if err := sideEqual("bids", c.Bids, v.Bids); err != nil {
		return err
	}
	return sideEqual("asks", c.Asks, v.Asks)
}

func sideEqual(name string, c []gateio.Level, v [][2]string) error {
	if len(c) != len(v) {
		return fmt.Errorf("%s: %d levels, venue %d: %v vs %v", name, len(c), len(v), c, v)
	}
	for i := range c {
		if c[i].Price.String() != v[i][0] || c[i].Amount.String() != v[i][1] {
			return fmt.Errorf("%s[%d]: %s, venue %s@%s", name, i, c[i], v[i][0], v[i][1])
		}
	}
	return nil
}

// waitBookMatches waits until the client's book of pair is synced at the
// venue's current update id, and checks that the levels are the same; it
// also waits until the Handler has been given the event of that update id,
// so that the events a test inspects afterwards are all there.
func (r *rig) waitBookMatches(pair string) {
	r.t.Helper()
	var last error
	r.waitFor("the book of "+pair+" to match the venue's", func() bool {
		b, ok := r.client.Book(pair)
		if !ok {
			last = errors.New("not subscribed")
			return false
		}
		v := r.venue.Book(pair)
		if b.Synced && b.UpdateID == v.ID {
			last = bookEqual(b, v)
			if last != nil {
				r.t.Fatalf("book of %s at %d differs from the venue's: %v", pair, v.ID, last)
			}
			if h := r.handledID(pair); h != v.ID {
				last = fmt.Errorf("last book event handled at %d, venue %d", h, v.ID)
				return false
			}
			return true
		}
		last = bookEqual(b, v)
		return false
	})
}

// syncedBook subscribes to pair's book, moves the market and waits for the
// local book to match.
func (r *rig) syncedBook(pair string) {
	r.t.Helper()
	if err := r.client.SubscribeOrderBook(r.ctx(), pair); err != nil {
		r.t.Fatal(err)
	}
	r.venue.Step(3)
	r.waitBookMatches(pair)
}

// counter is a track.Recorder that keeps the counters, for waiting on the
// WebSocket client's ("ws.dropped", ...).
type counter struct {
	track.Nop
	mu sync.Mutex
	n  map[string]int64
}

func (c *counter) Count(name string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int64{}
	}
	c.n[name] += n
}

func (c *counter) get(name string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}
