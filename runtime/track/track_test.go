package track

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBuckets(t *testing.T) {
	// Every value lands in a bucket that contains it, buckets are
	// contiguous, and a bucket is never wider than MaxRelativeError allows.
	prevEnd := int64(0)
	for i := range nBuckets {
		lo, w := bucketRange(i)
		if lo != prevEnd {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevEnd)
		}
		if lo > 0 && float64(w-1)/2 > MaxRelativeError*float64(lo) {
			t.Fatalf("bucket %d [%d, +%d) is too wide", i, lo, w)
		}
		for _, v := range []int64{lo, lo + w/2, lo + w - 1} {
			if got := bucketOf(v); got != i {
				t.Fatalf("bucketOf(%d) = %d, want %d", v, got, i)
			}
		}
		prevEnd = lo + w
	}
	if prevEnd != maxValue+1 {
		t.Fatalf("buckets end at %d, want %d", prevEnd, int64(maxValue+1))
	}
	if got := bucketOf(-5); got != 0 {
		t.Errorf("bucketOf(-5) = %d, want 0", got)
	}
	if got := bucketOf(math.MaxInt64); got != nBuckets-1 {
		t.Errorf("bucketOf(MaxInt64) = %d, want %d", got, nBuckets-1)
	}
}

// record adds runs of the given durations to op directly, bypassing the
// clock, so that quantiles can be compared with exact values.
func record(o *Op, ds []time.Duration) {
	for _, d := range ds {
		o.end(d, nil, OutcomeOK)
	}
}

func TestQuantileAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() time.Duration{
		// Latencies spanning nanoseconds to minutes.
		"lognormal": func() time.Duration {
			return time.Duration(math.Exp(rng.NormFloat64()*3 + 13))
		},
		"uniform-small": func() time.Duration { return time.Duration(rng.IntN(200)) },
		"bimodal": func() time.Duration {
			if rng.IntN(100) == 0 {
				return time.Second + time.Duration(rng.IntN(int(time.Second)))
			}
			return time.Millisecond + time.Duration(rng.IntN(int(time.Millisecond)))
		},
	}
	for name, gen := range dists {
		t.Run(name, func(t *testing.T) {
			tr := New(Options{})
			o := tr.Op(name)
			ds := make([]time.Duration, 50_000)
			for i := range ds {
				ds[i] = min(gen(), MaxTrackable)
			}
			record(o, ds)
			slices.Sort(ds)
			var sum time.Duration
			for _, d := range ds {
				sum += d
			}

			for _, q := range []float64{0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 1} {
				want := ds[rankOf(q, uint64(len(ds)))-1]
				got := o.Quantile(q)
				if diff := math.Abs(float64(got - want)); diff > MaxRelativeError*float64(want) {
					t.Errorf("q%v = %v, want %v within %.2f%%", q, got, want, 100*MaxRelativeError)
				}
			}
			s := o.Stats()
			if s.Count != int64(len(ds)) || s.Max != ds[len(ds)-1] || s.Mean != sum/time.Duration(len(ds)) {
				t.Errorf("Stats = %+v, want count %d, max %v, mean %v", s, len(ds), ds[len(ds)-1], sum/time.Duration(len(ds)))
			}
		})
	}
}

func TestQuantileEmpty(t *testing.T) {
	tr := New(Options{})
	if got := tr.Op("x").Quantile(0.99); got != 0 {
		t.Errorf("Quantile of no runs = %v, want 0", got)
	}
	if s := tr.Op("x").Stats(); s != (OpStats{Op: "x"}) {
		t.Errorf("Stats of no runs = %+v", s)
	}
}

func TestOutcomes(t *testing.T) {
	rec := &memRecorder{}
	tr := New(Options{Recorder: rec})
	wrapped := fmt.Errorf("read: %w", context.DeadlineExceeded)
	for _, err := range []error{nil, nil, errors.New("boom"), context.Canceled, wrapped} {
		tr.Start("op").Done(err)
	}
	var zero Timing
	if d := zero.Done(nil); d != 0 {
		t.Errorf("zero Timing Done = %v", d)
	}
	s, ok := tr.Summary().Op("op")
	if !ok {
		t.Fatal("op missing from summary")
	}
	if s.Count != 5 || s.Errors != 1 || s.Canceled != 2 || s.Slow != 0 {
		t.Errorf("stats = %+v, want 5 runs, 1 error, 2 canceled", s)
	}
	want := []string{OutcomeOK, OutcomeOK, OutcomeError, OutcomeCanceled, OutcomeCanceled}
	if got := rec.outcomes("op"); !slices.Equal(got, want) {
		t.Errorf("recorded outcomes %v, want %v", got, want)
	}
}

func TestConcurrent(t *testing.T) {
	rec := &memRecorder{}
	tr := New(Options{Recorder: rec})
	const workers, runs = 8, 2000
	names := []string{"a", "b", "c"}
	errBoom := errors.New("boom")

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range runs {
				var err error
				switch i % 4 {
				case 1:
					err = errBoom
				case 2:
					err = context.Canceled
				}
				// New names appear while others are being timed.
				tr.Start(names[(w+i)%len(names)]).Done(err)
				tr.Start(fmt.Sprintf("w%d", w)).Done(nil)
			}
		})
	}
	// Summaries are taken while runs finish.
	wg.Go(func() {
		for range 50 {
			for _, s := range tr.Summary().Ops {
				if s.Errors+s.Canceled > s.Count || s.Slow > s.Count || s.P50 > s.Max || s.P99 > s.Max {
					t.Errorf("inconsistent snapshot %+v", s)
				}
			}
		}
	})
	wg.Wait()

	s := tr.Summary()
	if len(s.Ops) != len(names)+workers {
		t.Fatalf("summary has %d ops, want %d:\n%v", len(s.Ops), len(names)+workers, s)
	}
	var total, errs, canceled int64
	for _, name := range names {
		o, _ := s.Op(name)
		total += o.Count
		errs += o.Errors
		canceled += o.Canceled
	}
	if total != workers*runs || errs != workers*runs/4 || canceled != workers*runs/4 {
		t.Errorf("got %d runs, %d errors, %d canceled; want %d, %d, %d",
			total, errs, canceled, workers*runs, workers*runs/4, workers*runs/4)
	}
	if n := rec.len(); n != 2*workers*runs {
		t.Errorf("recorder saw %d runs, want %d", n, 2*workers*runs)
	}
}

func TestMaxOps(t *testing.T) {
	tr := New(Options{MaxOps: 2})
	for _, name := range []string{"a", "b", "c", "d"} {
		tr.Start(name).Done(nil)
	}
	var names []string
	for _, o := range tr.Summary().Ops {
		names = append(names, o.Op)
	}
	if want := []string{OtherOp, "a", "b"}; !slices.Equal(names, want) {
		t.Errorf("ops %v, want %v", names, want)
	}
	if o, _ := tr.Summary().Op(OtherOp); o.Count != 2 {
		t.Errorf("%s counted %d runs, want 2", OtherOp, o.Count)
	}
}

// waitFor returns after at least d, without sleeping the test goroutine in
// a way that ignores t's context.
func waitFor(t *testing.T, d time.Duration) {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.Context().Done():
		t.Fatal("test ended while waiting")
	}
}

func TestSlow(t *testing.T) {
	slow := make(chan SlowOp, 10)
	rec := &memRecorder{}
	tr := New(Options{
		Recorder:      rec,
		SlowThreshold: time.Millisecond,
		OnSlow:        func(s SlowOp) { slow <- s },
	})
	defer tr.Close()

	fast := tr.Op("fast")
	fast.SetSlowThreshold(time.Hour)
	fast.Start().Done(nil)

	errBoom := errors.New("boom")
	for _, err := range []error{nil, errBoom} {
		tm := tr.Start("slow")
		// A timer never fires early, so this run is above the threshold
		// however loaded the machine is.
		waitFor(t, 5*time.Millisecond)
		tm.Done(err)
	}
	for _, wantErr := range []error{nil, errBoom} {
		select {
		case s := <-slow:
			if s.Op != "slow" || s.Err != wantErr || s.Threshold != time.Millisecond || s.Duration <= s.Threshold {
				t.Errorf("OnSlow got %+v, want op slow, err %v", s, wantErr)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("OnSlow was not called")
		}
	}
	if got, want := rec.outcomes("slow"), []string{OutcomeSlow, OutcomeError}; !slices.Equal(got, want) {
		t.Errorf("recorded outcomes %v, want %v", got, want)
	}
	if got := rec.outcomes("fast"); !slices.Equal(got, []string{OutcomeOK}) {
		t.Errorf("fast op recorded as %v", got)
	}
	if s, _ := tr.Summary().Op("slow"); s.Slow != 2 {
		t.Errorf("slow count %d, want 2", s.Slow)
	}

	never := tr.Op("never")
	never.SetSlowThreshold(-1)
	tm := never.Start()
	waitFor(t, 5*time.Millisecond)
	tm.Done(nil)
	if s, _ := tr.Summary().Op("never"); s.Slow != 0 {
		t.Errorf("op with a negative threshold counted as slow")
	}
}

func TestSlowDropped(t *testing.T) {
	release := make(chan struct{})
	calls := make(chan SlowOp, 100)
	tr := New(Options{
		SlowThreshold: time.Nanosecond,
		SlowQueue:     1,
		OnSlow: func(s SlowOp) {
			<-release
			calls <- s
		},
	})
	o := tr.Op("x")
	// At most one run waits in OnSlow and one in the queue; the rest must be
	// dropped rather than make Done wait.
	const runs = 10
	for range runs {
		o.end(time.Millisecond, nil, OutcomeOK)
	}
	close(release)
	tr.Close()
	tr.Close()
	close(calls)
	delivered := int64(len(calls))
	dropped := tr.Summary().SlowDropped
	if delivered+dropped != runs || delivered > 2 || delivered < 1 {
		t.Errorf("%d delivered, %d dropped, want %d in all with at most 2 delivered", delivered, dropped, runs)
	}
	if !strings.Contains(tr.Summary().String(), "not reported") {
		t.Errorf("summary does not mention dropped slow operations:\n%s", tr.Summary())
	}
}

func TestTrack(t *testing.T) {
	rec := &memRecorder{}
	tr := New(Options{Recorder: rec})
	errBoom := errors.New("boom")

	if err := tr.Track(t.Context(), "op", func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := tr.Track(t.Context(), "op", func(context.Context) error { return errBoom }); err != errBoom {
		t.Fatalf("Track returned %v, want %v", err, errBoom)
	}

	// The context ends while the operation runs; the operation returns a
	// wrapped error that says nothing about contexts, yet it counts as
	// canceled because the context ended.
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan struct{})
	go func() {
		<-started
		cancel()
	}()
	errGaveUp := errors.New("gave up")
	err := tr.Track(ctx, "op", func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return errGaveUp
	})
	if err != errGaveUp {
		t.Fatalf("Track returned %v, want %v", err, errGaveUp)
	}

	// A deadline that expires.
	ctx, cancel2 := context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel2()
	err = tr.Track(ctx, "op", func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Track returned %v, want DeadlineExceeded", err)
	}

	s, _ := tr.Summary().Op("op")
	if s.Count != 4 || s.Errors != 1 || s.Canceled != 2 {
		t.Errorf("stats %+v, want 4 runs, 1 error, 2 canceled", s)
	}
	want := []string{OutcomeOK, OutcomeError, OutcomeCanceled, OutcomeCanceled}
	if got := rec.outcomes("op"); !slices.Equal(got, want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
}

func TestTrackPanic(t *testing.T) {
	tr := New(Options{})
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want the original panic", r)
		}
		if s, _ := tr.Summary().Op("op"); s.Count != 1 || s.Errors != 1 {
			t.Errorf("stats %+v, want 1 run, 1 error", s)
		}
	}()
	tr.Track(t.Context(), "op", func(context.Context) error { panic("boom") })
}

func TestSummaryString(t *testing.T) {
	tr := New(Options{})
	record(tr.Op("GET /api/v3/depth"), []time.Duration{1236991, 8 * time.Millisecond})
	record(tr.Op("ws.handler"), []time.Duration{899, 1100})
	got := tr.Summary().String()
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("summary has %d lines, want 3:\n%s", len(lines), got)
	}
	for i, want := range [][]string{
		{"op", "count", "errors", "canceled", "slow", "p50", "p99", "max", "mean"},
		{"GET", "/api/v3/depth", "2", "0", "0", "0", "1.24ms", "8ms", "8ms", "4.62ms"},
		{"ws.handler", "2", "0", "0", "0", "899ns", "1.1µs", "1.1µs", "999ns"},
	} {
		if f := strings.Fields(lines[i]); !slices.Equal(f, want) {
			t.Errorf("line %d = %q, want fields %q", i, lines[i], want)
		}
	}
	// Columns line up.
	if strings.Index(lines[0], "count") != strings.Index(lines[1], "2") {
		t.Errorf("columns not aligned:\n%s", got)
	}
}

// memRecorder remembers the outcomes observed for each operation.
type memRecorder struct {
	mu  sync.Mutex
	obs map[string][]string
	n   int
}

func (r *memRecorder) Observe(op string, _ time.Duration, outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.obs == nil {
		r.obs = map[string][]string{}
	}
	r.obs[op] = append(r.obs[op], outcome)
	r.n++
}

func (r *memRecorder) State(string, string) {}
func (r *memRecorder) Count(string, int64)  {}

func (r *memRecorder) outcomes(op string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.obs[op])
}

func (r *memRecorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func BenchmarkTrackOverhead(b *testing.B) {
	tr := New(Options{SlowThreshold: time.Hour})
	b.Run("name", func(b *testing.B) {
		tr.Start("GET /api/v3/depth").Done(nil)
		b.ReportAllocs()
		for b.Loop() {
			tr.Start("GET /api/v3/depth").Done(nil)
		}
	})
	b.Run("op", func(b *testing.B) {
		o := tr.Op("ws.handler")
		b.ReportAllocs()
		for b.Loop() {
			o.Start().Done(nil)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		tr.Start("GET /api/v3/depth").Done(nil)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				tr.Start("GET /api/v3/depth").Done(nil)
			}
		})
	})
}
