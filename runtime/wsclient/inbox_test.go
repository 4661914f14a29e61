package wsclient

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/asynclint/asynclint/runtime/track"
)

// fill pushes messages "0", "1", ... "n-1" into q.
func fill(t *testing.T, q *inbox, n int) {
	t.Helper()
	stop := make(chan struct{})
	m := q.get()
	for i := range n {
		m.data = fmt.Appendf(m.data[:0], "%d", i)
		var ok bool
		if m, ok = q.push(stop, func(bool) {}, m); !ok {
			t.Fatal("push gave up")
		}
	}
	q.put(m)
}

// drain returns what q holds, marking with "!" the messages after a gap.
func drain(ctx context.Context, q *inbox) []string {
	var got []string
	var m *inMsg
	for q.n > 0 {
		m = q.next(ctx, m)
		s := string(m.data)
		if m.gap {
			s = "!" + s
		}
		got = append(got, s)
	}
	return got
}

func TestInboxPolicies(t *testing.T) {
	for _, tt := range []struct {
		policy Policy
		want   []string
	}{
		{DropOldest, []string{"!6", "7", "8", "9"}},
		{SignalGap, []string{"!8", "9"}},
	} {
		t.Run(tt.policy.String(), func(t *testing.T) {
			q := newInbox(4, tt.policy, track.Nop{})
			fill(t, q, 10)
			if got := drain(t.Context(), q); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestInboxBlock: a reader facing a full queue waits, reporting the stall,
// until the dispatcher takes a message, or until it is stopped.
func TestInboxBlock(t *testing.T) {
	q := newInbox(2, Block, track.Nop{})
	fill(t, q, 2)

	stalled := make(chan bool, 2)
	stop := make(chan struct{})
	pushed := make(chan bool)
	m := q.get()
	m.data = append(m.data, "2"...)
	go func() {
		_, ok := q.push(stop, func(on bool) { stalled <- on }, m)
		pushed <- ok
	}()
	if !<-stalled {
		t.Fatal("no stall reported")
	}
	first := q.next(t.Context(), nil)
	if !<-pushed || <-stalled {
		t.Fatal("the reader did not resume when room was made")
	}
	if got := drain(t.Context(), q); !slices.Equal(got, []string{"1", "2"}) || string(first.data) != "0" {
		t.Errorf("got %q then %q", first.data, got)
	}

	fill(t, q, 2)
	go func() {
		_, ok := q.push(stop, func(bool) {}, q.get())
		pushed <- ok
	}()
	close(stop)
	if <-pushed {
		t.Error("a stopped push queued its message")
	}
}

// TestInboxAllocs: in the steady state a message costs no allocation: its
// buffer comes back for the next one.
func TestInboxAllocs(t *testing.T) {
	q := newInbox(8, DropOldest, track.Nop{})
	stop := make(chan struct{})
	ctx := t.Context()
	m := q.get()
	var handled *inMsg
	allocs := testing.AllocsPerRun(1000, func() {
		m.data = append(m.data[:0], `{"channel":"spot.tickers","event":"update"}`...)
		m, _ = q.push(stop, func(bool) {}, m)
		handled = q.next(ctx, handled)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per message", allocs)
	}
}

func TestInboxKeepsNoHugeBuffers(t *testing.T) {
	q := newInbox(1, Block, track.Nop{})
	m := q.get()
	m.data = make([]byte, 0, 2*maxKeptBuf)
	q.put(m)
	if m := q.get(); cap(m.data) > maxKeptBuf {
		t.Errorf("a %d-byte buffer was kept", cap(m.data))
	}
}

func TestBackoff(t *testing.T) {
	c := &Conn{opts: Options{BackoffBase: 10 * time.Millisecond, BackoffMax: 300 * time.Millisecond}}
	if d := c.backoff(0); d != 0 {
		t.Errorf("after a stable connection: %v, want 0", d)
	}
	for failures, bound := range map[int]time.Duration{
		1:  10 * time.Millisecond,
		2:  20 * time.Millisecond,
		3:  40 * time.Millisecond,
		6:  300 * time.Millisecond,
		60: 300 * time.Millisecond,
	} {
		var longest time.Duration
		for range 1000 {
			d := c.backoff(failures)
			if d < 0 || d >= bound {
				t.Fatalf("failures %d: %v, outside [0, %v)", failures, d, bound)
			}
			longest = max(longest, d)
		}
		// Full jitter spreads the waits over the whole range; 1000 draws
		// all below half of it would be a broken generator.
		if longest < bound/2 {
			t.Errorf("failures %d: longest of 1000 waits %v, bound %v", failures, longest, bound)
		}
	}
}
