package track

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Tracker. The zero value is usable: no recorder, no slow
// threshold, at most DefaultMaxOps operations.
type Options struct {
	// Recorder, if set, receives every finished operation through Observe.
	// Successful operations above their slow threshold are reported with
	// OutcomeSlow rather than OutcomeOK, so that a dashboard can show them
	// without a second metric.
	Recorder Recorder

	// SlowThreshold is the duration above which an operation is slow, for
	// operations without a threshold of their own (see Op.SetSlowThreshold).
	// Zero means no operation is slow by default.
	SlowThreshold time.Duration

	// OnSlow, if set, is called for every slow operation, whatever its
	// outcome. It runs on a goroutine of the Tracker, one call at a time, so
	// that logging a slow request never adds to that request's latency. If
	// it falls behind by more than SlowQueue operations, the excess are
	// dropped and counted in Summary.SlowDropped. A Tracker with OnSlow must
	// be closed.
	OnSlow func(SlowOp)

	// SlowQueue is the number of slow operations that may wait for OnSlow.
	// Zero means DefaultSlowQueue.
	SlowQueue int

	// MaxOps bounds the number of distinct operation names: each holds a
	// histogram of about 18 KiB for the life of the Tracker. Names beyond
	// the bound are tracked together as OtherOp, which shows in Summary
	// that the names are not from a bounded set (a path with an ID in it,
	// say). Zero means DefaultMaxOps.
	MaxOps int
}

// Defaults for Options.
const (
	DefaultSlowQueue = 256
	DefaultMaxOps    = 1000
)

// OtherOp is the operation that names beyond Options.MaxOps are folded into.
const OtherOp = "(other)"

// A SlowOp is an operation that took longer than its slow threshold.
type SlowOp struct {
	Op        string
	Duration  time.Duration
	Threshold time.Duration
	Err       error // what the operation returned
}

// A Tracker measures operations by name; create one with New. It is safe
// for concurrent use; the path from Start to Done takes no lock and does not
// allocate once an operation's name has been seen.
type Tracker struct {
	// ops is replaced, never modified, so that Start can look a name up
	// without a lock; registering a name copies it under mu.
	ops    atomic.Pointer[map[string]*Op]
	mu     sync.Mutex
	maxOps int

	rec  Recorder // nil when there is nothing to forward to
	slow time.Duration

	// base anchors the monotonic clock: time.Since(base) reads only the
	// monotonic clock, which is cheaper than time.Now and immune to wall
	// clock steps.
	base time.Time

	onSlow    func(SlowOp)
	slowc     chan SlowOp
	dropped   atomic.Int64
	closeOnce sync.Once
	stop      chan struct{}
	done      chan struct{}
}

// New returns a Tracker configured by o. If o.OnSlow is set, the Tracker
// starts the goroutine that calls it, and Close must be called to stop it.
func New(o Options) *Tracker {
	t := &Tracker{
		maxOps: o.MaxOps,
		slow:   o.SlowThreshold,
		base:   time.Now(),
		onSlow: o.OnSlow,
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	if t.maxOps <= 0 {
		t.maxOps = DefaultMaxOps
	}
	if o.Recorder != nil {
		if _, nop := o.Recorder.(Nop); !nop {
			t.rec = o.Recorder
		}
	}
	m := map[string]*Op{}
	t.ops.Store(&m)
	if t.onSlow == nil {
		close(t.done)
		return t
	}
	n := o.SlowQueue
	if n <= 0 {
		n = DefaultSlowQueue
	}
	t.slowc = make(chan SlowOp, n)
	go t.dispatchSlow()
	return t
}

// Close stops the goroutine that calls OnSlow, after it has delivered the
// slow operations already queued, and returns once it has exited. Slow
// operations finishing after Close are dropped. Operations can still be
// tracked and summarised. Close is idempotent and always returns nil.
func (t *Tracker) Close() error {
	t.closeOnce.Do(func() { close(t.stop) })
	<-t.done
	return nil
}

func (t *Tracker) dispatchSlow() {
	defer close(t.done)
	for {
		select {
		case s := <-t.slowc:
			t.onSlow(s)
		case <-t.stop:
			for {
				select {
				case s := <-t.slowc:
					t.onSlow(s)
				default:
					return
				}
			}
		}
	}
}

// Op returns the operation named name, registering it if it is new. Holding
// on to the result saves the name lookup in Start.
func (t *Tracker) Op(name string) *Op {
	if o := (*t.ops.Load())[name]; o != nil {
		return o
	}
	return t.register(name)
}

// register adds name under the lock. Names past MaxOps come here on every
// Start, since they never join the map: a cost paid only by programs whose
// names are already unbounded.
func (t *Tracker) register(name string) *Op {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.ops.Load()
	if o := old[name]; o != nil {
		return o
	}
	if len(old) >= t.maxOps {
		if o := old[OtherOp]; o != nil {
			return o
		}
		name = OtherOp
	}
	o := &Op{t: t, name: name}
	m := make(map[string]*Op, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[name] = o
	t.ops.Store(&m)
	return o
}

// Start starts timing one run of the operation named op. Call Done on the
// result when it finishes.
func (t *Tracker) Start(op string) Timing {
	return t.Op(op).Start()
}

// Track runs f, timing it as one run of the operation named op.
// See Op.Track.
func (t *Tracker) Track(ctx context.Context, op string, f func(context.Context) error) error {
	return t.Op(op).Track(ctx, f)
}

// now returns the monotonic time since t.base in nanoseconds.
func (t *Tracker) now() int64 {
	return int64(time.Since(t.base))
}

// An Op is one named operation of a Tracker, with its statistics.
type Op struct {
	t    *Tracker
	name string

	slow atomic.Int64 // ns; 0: the Tracker's threshold; <0: never slow

	ok, errs, canceled, slowN atomic.Int64
	sum, max                  atomic.Int64 // ns

	hist histogram
}

// Name returns the operation's name.
func (o *Op) Name() string { return o.name }

// SetSlowThreshold sets the duration above which this operation is slow,
// overriding Options.SlowThreshold. Zero restores the Tracker's threshold;
// a negative value means the operation is never slow.
func (o *Op) SetSlowThreshold(d time.Duration) {
	o.slow.Store(int64(d))
}

// Start starts timing one run of the operation.
func (o *Op) Start() Timing {
	return Timing{op: o, start: o.t.now()}
}

// Track runs f with ctx, timing it as one run of the operation, and returns
// f's error. f is expected to return when ctx ends; Track does not abandon
// it, since that would leave f running unobserved. An error returned after
// ctx ended, or one that is a context error, counts as canceled. If f
// panics, the run counts as an error and the panic continues.
func (o *Op) Track(ctx context.Context, f func(context.Context) error) (err error) {
	tm := o.Start()
	finished := false
	defer func() {
		if !finished {
			tm.finish(errPanicked, OutcomeError)
		}
	}()
	err = f(ctx)
	finished = true
	outcome := OutcomeOK
	if err != nil {
		outcome = OutcomeError
		if ctx.Err() != nil || isContextErr(err) {
			outcome = OutcomeCanceled
		}
	}
	tm.finish(err, outcome)
	return err
}

var errPanicked = errors.New("track: operation panicked")

// A Timing is one run of an operation, started by Start. It is a small
// value: pass it around rather than a pointer to it.
type Timing struct {
	op    *Op
	start int64
}

// Done records the end of the run with its error and returns its duration.
// An error that is, or wraps, context.Canceled or context.DeadlineExceeded
// counts as canceled, any other as an error. Done on the zero Timing does
// nothing; calling it twice records the run twice.
func (tm Timing) Done(err error) time.Duration {
	if tm.op == nil {
		return 0
	}
	outcome := OutcomeOK
	if err != nil {
		outcome = OutcomeError
		if isContextErr(err) {
			outcome = OutcomeCanceled
		}
	}
	return tm.finish(err, outcome)
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func (tm Timing) finish(err error, outcome string) time.Duration {
	d := time.Duration(max(tm.op.t.now()-tm.start, 0))
	tm.op.end(d, err, outcome)
	return d
}

// end records a run of d.
func (o *Op) end(d time.Duration, err error, outcome string) {
	t := o.t
	ns := int64(d)

	o.hist.record(ns)
	o.sum.Add(ns)
	for m := o.max.Load(); ns > m && !o.max.CompareAndSwap(m, ns); m = o.max.Load() {
	}
	switch outcome {
	case OutcomeOK:
		o.ok.Add(1)
	case OutcomeCanceled:
		o.canceled.Add(1)
	default:
		o.errs.Add(1)
	}

	threshold := time.Duration(o.slow.Load())
	if threshold == 0 {
		threshold = t.slow
	}
	if threshold > 0 && d > threshold {
		o.slowN.Add(1)
		if outcome == OutcomeOK {
			outcome = OutcomeSlow
		}
		if t.slowc != nil {
			select {
			case t.slowc <- SlowOp{Op: o.name, Duration: d, Threshold: threshold, Err: err}:
			default:
				t.dropped.Add(1)
			}
		}
	}
	if t.rec != nil {
		t.rec.Observe(o.name, d, outcome)
	}
}

// Quantile returns an estimate of the q quantile (0 ≤ q ≤ 1) of the
// operation's durations so far, within MaxRelativeError, or 0 if it has not
// finished yet.
func (o *Op) Quantile(q float64) time.Duration {
	var counts [nBuckets]uint64
	n := o.hist.load(&counts)
	var out [1]time.Duration
	quantiles(&counts, n, o.max.Load(), []float64{q}, out[:])
	return out[0]
}

// Stats returns a snapshot of the operation's statistics.
func (o *Op) Stats() OpStats {
	// Runs may be finishing while this reads. A run updates its histogram
	// bucket before its outcome counter, so reading the counters first and
	// the histogram after keeps Errors+Canceled ≤ Count, and taking Count
	// from the same histogram copy as the quantiles keeps those consistent.
	s := OpStats{
		Op:       o.name,
		Errors:   o.errs.Load(),
		Canceled: o.canceled.Load(),
		Slow:     o.slowN.Load(),
	}
	var counts [nBuckets]uint64
	n := o.hist.load(&counts)
	s.Count = int64(n)
	s.Max = time.Duration(o.max.Load())
	if n > 0 {
		s.Mean = time.Duration(o.sum.Load() / int64(n))
	}
	var qs [2]time.Duration
	quantiles(&counts, n, int64(s.Max), []float64{0.5, 0.99}, qs[:])
	s.P50, s.P99 = qs[0], qs[1]
	return s
}
