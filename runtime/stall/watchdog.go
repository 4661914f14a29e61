package stall

import (
	"context"
	"errors"
	"math"
	"runtime/metrics"
	"slices"
	"sync"
	"time"

	"github.com/asynclint/asynclint/runtime/track"
)

// Options configure a Watchdog. Zero fields take the defaults below; a
// negative threshold turns that check off.
type Options struct {
	// Interval is how often the scheduler is sampled, loops are checked and
	// the heartbeat timer is asked to fire.
	Interval time.Duration

	// SchedLatency is the limit on the 99th percentile of the time
	// goroutines spent runnable but not running, over one interval.
	SchedLatency time.Duration

	// TimerLateness is the limit on how late the heartbeat timer may fire.
	TimerLateness time.Duration

	// RunnablePerProc is the limit on runnable goroutines per GOMAXPROCS.
	RunnablePerProc int

	// LoopThreshold is how long a loop may go without progress before it
	// is reported stuck, for loops registered without a threshold.
	LoopThreshold time.Duration

	// OnStall, if set, is called for each report, from the Watchdog's
	// goroutines, one call at a time. It should return promptly: a slow
	// OnStall delays the next measurements.
	OnStall func(Stall)

	// Recorder, if set, receives the measurements and the reports (see the
	// package documentation for the names).
	Recorder track.Recorder
}

// Defaults for Options.
const (
	DefaultInterval        = 100 * time.Millisecond
	DefaultSchedLatency    = 20 * time.Millisecond
	DefaultTimerLateness   = 50 * time.Millisecond
	DefaultRunnablePerProc = 32
	DefaultLoopThreshold   = time.Second
)

// Metric names reported to the Recorder.
const (
	ObserveTimerLateness = "stall.timer_lateness" // Observe, every heartbeat
	ObserveSchedLatency  = "stall.sched_latency"  // Observe, the p99 of each interval with scheduling
	ObserveLoopPrefix    = "stall.loop."          // Observe, + loop name: a loop's gap without progress, when it resumes
	CountPrefix          = "stalls."              // Count, + Kind: one per report
)

// ErrClosed is returned by Start on a closed Watchdog.
var ErrClosed = errors.New("stall: watchdog closed")

// A Watchdog watches for stalls: a scheduler too busy to run goroutines
// promptly, timers firing late, and registered loops that stop making
// progress. Create it with New, then Start it; Close stops it.
type Watchdog struct {
	o   Options
	rec track.Recorder

	// base anchors the monotonic clock shared by loops and the watchdog.
	base time.Time

	mu      sync.Mutex
	loops   []*Loop
	started bool
	closed  bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	reportMu sync.Mutex

	// afterSample, if set, is called at the end of each sampling round; it
	// lets tests know that a round has happened without waiting for time.
	afterSample func()
}

// New returns a Watchdog configured by o. It watches nothing until Start.
func New(o Options) *Watchdog {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.SchedLatency == 0 {
		o.SchedLatency = DefaultSchedLatency
	}
	if o.TimerLateness == 0 {
		o.TimerLateness = DefaultTimerLateness
	}
	if o.RunnablePerProc == 0 {
		o.RunnablePerProc = DefaultRunnablePerProc
	}
	if o.LoopThreshold <= 0 {
		o.LoopThreshold = DefaultLoopThreshold
	}
	return &Watchdog{o: o, rec: track.OrNop(o.Recorder), base: time.Now()}
}

// Start starts the Watchdog's goroutines, which run until ctx ends or Close
// is called. It returns ErrClosed after Close, and an error if the Watchdog
// was started already.
func (w *Watchdog) Start(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.closed:
		return ErrClosed
	case w.started:
		return errors.New("stall: watchdog already started")
	}
	w.started = true
	ctx, w.cancel = context.WithCancel(ctx)
	if w.o.TimerLateness > 0 {
		w.wg.Go(func() { w.heartbeat(ctx) })
	}
	w.wg.Go(func() { w.sample(ctx) })
	return nil
}

// Close stops the Watchdog and returns once its goroutines have exited. It
// is idempotent and always returns nil. Loops may still call Progress.
func (w *Watchdog) Close() error {
	w.mu.Lock()
	w.closed = true
	if w.cancel != nil {
		w.cancel()
	}
	w.mu.Unlock()
	w.wg.Wait()
	return nil
}

// now returns the monotonic time since w.base, never zero, which marks an
// idle loop.
func (w *Watchdog) now() int64 {
	return max(int64(time.Since(w.base)), 1)
}

// heartbeat asks for a timer every interval and measures how late it fires.
// A timer is late when the runtime cannot run its goroutine in time, for the
// same reasons an event loop's callbacks are: too much runnable work, long
// non-preemptible stretches, or stop-the-world pauses.
func (w *Watchdog) heartbeat(ctx context.Context) {
	t := time.NewTimer(w.o.Interval)
	defer t.Stop()
	due := w.now() + int64(w.o.Interval)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		late := time.Duration(max(w.now()-due, 0))
		outcome := track.OutcomeOK
		if late > w.o.TimerLateness {
			outcome = track.OutcomeSlow
			w.report(Stall{Kind: TimerLateness, Duration: late, Threshold: w.o.TimerLateness})
		}
		w.rec.Observe(ObserveTimerLateness, late, outcome)
		due = w.now() + int64(w.o.Interval)
		t.Reset(w.o.Interval)
	}
}

// The runtime/metrics samples read each interval.
const (
	metricSchedLatencies = "/sched/latencies:seconds"
	metricRunnable       = "/sched/goroutines/runnable:goroutines"
	metricProcs          = "/sched/gomaxprocs:threads"
)

func (w *Watchdog) sample(ctx context.Context) {
	samples := []metrics.Sample{
		{Name: metricSchedLatencies},
		{Name: metricRunnable},
		{Name: metricProcs},
	}
	// /sched/latencies is cumulative since the program started: the
	// interval's distribution is the difference between two readings.
	var prev []uint64
	metrics.Read(samples)
	if v := samples[0].Value; v.Kind() == metrics.KindFloat64Histogram {
		prev = slices.Clone(v.Float64Histogram().Counts)
	}

	t := time.NewTimer(w.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(samples)
		if v := samples[0].Value; v.Kind() == metrics.KindFloat64Histogram {
			prev = w.checkSched(prev, v.Float64Histogram())
		}
		if r, p := samples[1].Value, samples[2].Value; r.Kind() == metrics.KindUint64 && p.Kind() == metrics.KindUint64 {
			w.checkRunnable(int(r.Uint64()), int(p.Uint64()))
		}
		w.checkLoops()
		if w.afterSample != nil {
			w.afterSample()
		}
		t.Reset(w.o.Interval)
	}
}

// checkSched reports the interval's scheduling latency and returns the
// counts to subtract next time.
func (w *Watchdog) checkSched(prev []uint64, h *metrics.Float64Histogram) []uint64 {
	if len(prev) != len(h.Counts) {
		return slices.Clone(h.Counts)
	}
	n, p99, longest := window(prev, h.Counts, h.Buckets, 0.99)
	copy(prev, h.Counts)
	if n == 0 || w.o.SchedLatency < 0 {
		return prev
	}
	outcome := track.OutcomeOK
	if p99 > w.o.SchedLatency {
		outcome = track.OutcomeSlow
		w.report(Stall{Kind: SchedLatency, Duration: p99, Max: longest, Threshold: w.o.SchedLatency})
	}
	w.rec.Observe(ObserveSchedLatency, p99, outcome)
	return prev
}

// window returns the number of values recorded between two readings of a
// cumulative histogram, their q quantile and their maximum. Both are the
// lower bounds of their buckets, so that the width of the runtime's buckets
// (up to a quarter of their value) never makes a stall out of nothing.
func window(prev, cur []uint64, buckets []float64, q float64) (n uint64, quantile, longest time.Duration) {
	for i := range cur {
		n += cur[i] - prev[i]
	}
	if n == 0 {
		return 0, 0, 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	var cum uint64
	found := false
	for i := range cur {
		d := cur[i] - prev[i]
		if d == 0 {
			continue
		}
		cum += d
		lo := seconds(buckets[i])
		if !found && cum >= rank {
			quantile, found = lo, true
		}
		longest = lo
	}
	return n, quantile, longest
}

func seconds(s float64) time.Duration {
	if math.IsInf(s, -1) || s < 0 {
		return 0
	}
	if s >= math.MaxInt64/1e9 {
		return math.MaxInt64
	}
	return time.Duration(s * 1e9)
}

func (w *Watchdog) checkRunnable(runnable, procs int) {
	if w.o.RunnablePerProc < 0 || procs <= 0 {
		return
	}
	if limit := w.o.RunnablePerProc * procs; runnable > limit {
		w.report(Stall{Kind: Runnable, Runnable: runnable, Procs: procs, Limit: limit})
	}
}

func (w *Watchdog) checkLoops() {
	w.mu.Lock()
	loops := slices.Clone(w.loops)
	w.mu.Unlock()
	now := w.now()
	for _, l := range loops {
		if gap := l.gap.Swap(0); gap > 0 {
			w.rec.Observe(l.observeName, time.Duration(gap), track.OutcomeSlow)
			w.report(Stall{Kind: LoopResumed, Loop: l.name, Duration: time.Duration(gap), Threshold: l.threshold})
		}
		last := l.last.Load()
		if last == 0 || last == l.reported {
			continue
		}
		if since := time.Duration(now - last); since > l.threshold {
			l.reported = last
			w.report(Stall{Kind: LoopStuck, Loop: l.name, Duration: since, Threshold: l.threshold})
		}
	}
}

func (w *Watchdog) report(s Stall) {
	s.At = time.Now()
	if s.Kind != LoopResumed {
		w.rec.Count(countNames[s.Kind], 1)
	}
	if w.o.OnStall == nil {
		return
	}
	w.reportMu.Lock()
	defer w.reportMu.Unlock()
	w.o.OnStall(s)
}

var countNames = func() map[Kind]string {
	m := map[Kind]string{}
	for k := SchedLatency; k <= LoopStuck; k++ {
		m[k] = CountPrefix + k.String()
	}
	return m
}()
