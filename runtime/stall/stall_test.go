package stall

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asynclint/asynclint/runtime/track"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Every wait in these tests is for something to happen; the limit only
// keeps a broken test from hanging, and is generous because the machine is
// shared.
const patience = 30 * time.Second

// collector gathers reports by kind.
type collector struct {
	mu      sync.Mutex
	reports []Stall
	changed chan struct{} // closed and replaced on every report
}

func newCollector() *collector {
	return &collector{changed: make(chan struct{})}
}

func (c *collector) add(s Stall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reports = append(c.reports, s)
	close(c.changed)
	c.changed = make(chan struct{})
}

// wait returns the first report that satisfies match, waiting for it.
func (c *collector) wait(t *testing.T, what string, match func(Stall) bool) Stall {
	t.Helper()
	timeout := time.NewTimer(patience)
	defer timeout.Stop()
	for {
		c.mu.Lock()
		for _, s := range c.reports {
			if match(s) {
				c.mu.Unlock()
				return s
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("no %s reported within %v", what, patience)
		case <-t.Context().Done():
			t.Fatalf("test ended waiting for %s", what)
		}
	}
}

func (c *collector) count(match func(Stall) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.reports {
		if match(s) {
			n++
		}
	}
	return n
}

func kind(k Kind) func(Stall) bool { return func(s Stall) bool { return s.Kind == k } }

// TestSchedulerStall starves the scheduler: with one P and goroutines that
// never block, every other goroutine waits a time slice per spinner to run.
func TestSchedulerStall(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))

	c := newCollector()
	rec := &countRecorder{}
	w := New(Options{
		Interval:        10 * time.Millisecond,
		SchedLatency:    2 * time.Millisecond,
		TimerLateness:   2 * time.Millisecond,
		RunnablePerProc: 1,
		OnStall:         c.add,
		Recorder:        rec,
	})
	if err := w.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	var stop atomic.Bool
	var spinners sync.WaitGroup
	for range 4 {
		spinners.Go(func() {
			for !stop.Load() {
			}
		})
	}
	defer spinners.Wait()
	defer stop.Store(true)

	s := c.wait(t, "scheduling latency", kind(SchedLatency))
	if s.Duration <= s.Threshold || s.Max < s.Duration {
		t.Errorf("report %v: p99 not above threshold or above max", s)
	}
	s = c.wait(t, "late timer", kind(TimerLateness))
	if s.Duration <= s.Threshold {
		t.Errorf("report %v: lateness not above threshold", s)
	}
	s = c.wait(t, "runnable goroutines", kind(Runnable))
	if s.Procs != 1 || s.Runnable <= s.Limit {
		t.Errorf("report %v: want more runnable goroutines than the limit on 1 P", s)
	}
	for _, k := range []Kind{SchedLatency, TimerLateness, Runnable} {
		if rec.counts(CountPrefix+k.String()) == 0 {
			t.Errorf("recorder saw no %s count", CountPrefix+k.String())
		}
	}
	if rec.slow(ObserveTimerLateness) == 0 || rec.slow(ObserveSchedLatency) == 0 {
		t.Errorf("recorder saw no slow observations: %v", rec)
	}
}

func TestStuckLoop(t *testing.T) {
	c := newCollector()
	rec := &countRecorder{}
	w := New(Options{
		Interval:      5 * time.Millisecond,
		SchedLatency:  -1,
		TimerLateness: -1,
		OnStall:       c.add,
		Recorder:      rec,
	})
	if err := w.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	const threshold = 20 * time.Millisecond
	l := w.Loop("gateio-reader", threshold)
	defer l.Close()
	l.Progress()

	stuck := func(s Stall) bool { return s.Kind == LoopStuck && s.Loop == "gateio-reader" }
	s := c.wait(t, "stuck loop", stuck)
	if s.Duration <= threshold || s.Threshold != threshold {
		t.Errorf("report %v: want a duration above the %v threshold", s, threshold)
	}

	l.Progress()
	resumed := func(s Stall) bool { return s.Kind == LoopResumed && s.Loop == "gateio-reader" }
	s = c.wait(t, "resumed loop", resumed)
	if s.Duration <= threshold {
		t.Errorf("report %v: want the gap, above the %v threshold", s, threshold)
	}
	if n := c.count(stuck); n != 1 {
		t.Errorf("loop reported stuck %d times for one stall, want 1", n)
	}
	if rec.counts(CountPrefix+LoopStuck.String()) != 1 || rec.slow(ObserveLoopPrefix+"gateio-reader") != 1 {
		t.Errorf("recorder did not see the stall and the gap: %v", rec)
	}
}

// TestQuietLoops checks that idle, busy-but-progressing and closed loops are
// not reported, counting sampling rounds rather than waiting for time.
func TestQuietLoops(t *testing.T) {
	c := newCollector()
	w := New(Options{
		Interval:      time.Millisecond,
		SchedLatency:  -1,
		TimerLateness: -1,
		OnStall:       c.add,
	})
	rounds := make(chan struct{}, 1)
	w.afterSample = func() {
		select {
		case rounds <- struct{}{}:
		default:
		}
	}

	idle := w.Loop("idle", time.Nanosecond)
	idle.Idle()
	closed := w.Loop("closed", time.Nanosecond)
	closed.Close()
	closed.Close()
	busy := w.Loop("busy", time.Hour)

	if err := w.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for range 20 {
		busy.Progress()
		select {
		case <-rounds:
		case <-t.Context().Done():
			t.Fatal("test ended")
		}
	}
	// The idle loop's one gap, from its registration to Idle, may well
	// exceed a nanosecond; nothing else may be reported.
	unexpected := func(s Stall) bool { return s.Kind != LoopResumed || s.Loop != "idle" }
	if n := c.count(unexpected); n != 0 {
		t.Errorf("%d reports for loops that are not stuck", n)
	}
}

func TestStartClose(t *testing.T) {
	w := New(Options{})
	if err := w.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(t.Context()); err == nil {
		t.Error("second Start succeeded")
	}
	w.Close()
	w.Close()
	if err := w.Start(t.Context()); err != ErrClosed {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}

	// Closing a Watchdog that never started, and one whose context ended.
	New(Options{}).Close()
	w = New(Options{})
	ctx, cancel := context.WithCancel(t.Context())
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	w.Close()
}

func TestWindow(t *testing.T) {
	buckets := []float64{0, 1e-3, 2e-3, 4e-3, 8e-3, 16e-3}
	prev := []uint64{5, 5, 5, 5, 5}
	cur := []uint64{5 + 90, 5 + 9, 5, 5 + 1, 5}
	n, p99, longest := window(prev, cur, buckets, 0.99)
	if n != 100 || p99 != time.Millisecond || longest != 4*time.Millisecond {
		t.Errorf("window = %d, %v, %v; want 100, 1ms, 4ms", n, p99, longest)
	}
	if n, _, _ := window(cur, cur, buckets, 0.99); n != 0 {
		t.Errorf("window of no change counted %d", n)
	}
}

func TestStallString(t *testing.T) {
	for _, tc := range []struct {
		s    Stall
		want string
	}{
		{Stall{Kind: SchedLatency, Duration: 30 * time.Millisecond, Max: 40 * time.Millisecond, Threshold: 20 * time.Millisecond}, "sched_latency: goroutines waited 30ms to run at p99 (max 40ms), above 20ms"},
		{Stall{Kind: TimerLateness, Duration: 60 * time.Millisecond, Threshold: 50 * time.Millisecond}, "timer_lateness: timer fired 60ms late, above 50ms"},
		{Stall{Kind: Runnable, Runnable: 70, Procs: 2, Limit: 64}, "runnable: 70 runnable goroutines on 2 Ps, above 64"},
		{Stall{Kind: LoopStuck, Loop: "r", Duration: 2 * time.Second, Threshold: time.Second}, "loop_stuck: loop r has made no progress for 2s, above 1s"},
		{Stall{Kind: LoopResumed, Loop: "r", Duration: 3 * time.Second, Threshold: time.Second}, "loop_resumed: loop r resumed after 3s without progress, above 1s"},
		{Stall{Kind: 99}, "Kind(99)"},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

// countRecorder counts Count calls and slow observations by name.
type countRecorder struct {
	mu    sync.Mutex
	count map[string]int64
	slows map[string]int
}

func (r *countRecorder) Observe(op string, _ time.Duration, outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if outcome == track.OutcomeSlow {
		if r.slows == nil {
			r.slows = map[string]int{}
		}
		r.slows[op]++
	}
}

func (r *countRecorder) State(string, string) {}

func (r *countRecorder) Count(name string, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count == nil {
		r.count = map[string]int64{}
	}
	r.count[name] += n
}

func (r *countRecorder) counts(name string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[name]
}

func (r *countRecorder) slow(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.slows[op]
}

func (r *countRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprintf("counts %v, slow observations %v", r.count, r.slows)
}
