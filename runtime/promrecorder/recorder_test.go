package promrecorder

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/asynclint/asynclint/runtime/httpclient"
	"github.com/asynclint/asynclint/runtime/track"
)

func newRecorder(t *testing.T) (*Recorder, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	r, err := New(reg, "venue")
	if err != nil {
		t.Fatal(err)
	}
	return r, reg
}

func TestCounters(t *testing.T) {
	r, reg := newRecorder(t)
	r.State("binance", track.ConnNew)
	r.State("binance", track.ConnReused)
	r.State("binance", track.ConnReused)
	r.State("ws.trades", "connected")
	r.Count("ws.dropped", 3)
	r.Count("ws.dropped", 2)
	r.Count("ws.resyncs", 0)
	r.Count("ws.resyncs", -7) // a counter cannot go down: ignored

	want := `
# HELP venue_connection_events_total Connection events, by connection or pool name and state: new and reused HTTP connections, WebSocket state changes.
# TYPE venue_connection_events_total counter
venue_connection_events_total{name="binance",state="new"} 1
venue_connection_events_total{name="binance",state="reused"} 2
venue_connection_events_total{name="ws.trades",state="connected"} 1
# HELP venue_events_total Counted events, such as retries, dropped messages and resyncs, by name.
# TYPE venue_events_total counter
venue_events_total{name="ws.dropped"} 5
venue_events_total{name="ws.resyncs"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"venue_connection_events_total", "venue_events_total"); err != nil {
		t.Error(err)
	}
}

func TestHistogram(t *testing.T) {
	r, reg := newRecorder(t)
	r.Observe("GET /api/v3/depth", 300*time.Microsecond, track.OutcomeOK)
	r.Observe("GET /api/v3/depth", 40*time.Millisecond, track.OutcomeOK)
	r.Observe("GET /api/v3/depth", 3*time.Second, track.OutcomeSlow)
	r.Observe("POST /api/v3/order", time.Minute, track.OutcomeCanceled)

	if n := testutil.CollectAndCount(r, "venue_operation_duration_seconds"); n != 3 {
		t.Errorf("%d histogram series, want 3 (op × outcome pairs seen)", n)
	}
	h := histogram(t, reg, "GET /api/v3/depth", track.OutcomeOK)
	if h.GetSampleCount() != 2 {
		t.Errorf("sample count = %d, want 2", h.GetSampleCount())
	}
	if sum := h.GetSampleSum(); math.Abs(sum-0.0403) > 1e-9 {
		t.Errorf("sample sum = %v, want 0.0403", sum)
	}
	// Cumulative classic buckets: 300µs falls in le=0.0005, 40ms in le=0.05.
	for _, b := range h.GetBucket() {
		var want uint64
		switch le := b.GetUpperBound(); {
		case le >= 0.05:
			want = 2
		case le >= 0.0005:
			want = 1
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%v holds %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if h.GetSchema() == 0 && len(h.GetPositiveSpan()) == 0 {
		t.Error("no native histogram alongside the classic buckets")
	}
	if h := histogram(t, reg, "POST /api/v3/order", track.OutcomeCanceled); h.GetSampleCount() != 1 {
		t.Errorf("canceled order: sample count = %d, want 1", h.GetSampleCount())
	}
}

// histogram gathers reg and returns the duration histogram of op and outcome.
func histogram(t *testing.T, reg prometheus.Gatherer, op, outcome string) *dto.Histogram {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "venue_operation_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			if labels["op"] == op && labels["outcome"] == outcome {
				return m.GetHistogram()
			}
		}
	}
	t.Fatalf("no histogram for op %q, outcome %q", op, outcome)
	return nil
}

func TestNewSharesRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, err := New(reg, "venue")
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(reg, "venue")
	if err != nil {
		t.Fatalf("second New with the same namespace: %v", err)
	}
	if a != b {
		t.Error("second New returned a new Recorder; want the registered one")
	}
	other, err := New(reg, "other")
	if err != nil || other == a {
		t.Errorf("New with another namespace = %p, %v; want a new Recorder", other, err)
	}
}

func TestNewConflicts(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "venue", Name: "events_total", Help: "Someone else's.",
	}))
	if _, err := New(reg, "venue"); err == nil {
		t.Error("New over a conflicting metric succeeded")
	}
	if _, err := New(prometheus.NewRegistry(), "\xff"); err == nil {
		t.Error("New with an invalid metric name succeeded")
	}
}

func TestUnregistered(t *testing.T) {
	r, err := New(nil, "venue")
	if err != nil {
		t.Fatal(err)
	}
	r.Count("x", 1)
	reg := prometheus.NewRegistry()
	if err := reg.Register(r); err != nil {
		t.Fatalf("registering the Recorder as a Collector: %v", err)
	}
	if n, err := testutil.GatherAndCount(reg, "venue_events_total"); err != nil || n != 1 {
		t.Errorf("gathered %d series, %v; want 1", n, err)
	}
}

func TestInvalidUTF8Label(t *testing.T) {
	r, reg := newRecorder(t)
	r.Observe("GET /\xff", time.Millisecond, track.OutcomeOK) // must not panic
	r.State("pool\xfe", track.ConnNew)
	r.Count("n\xfd", 1)
	if h := histogram(t, reg, "GET /\uFFFD", track.OutcomeOK); h.GetSampleCount() != 1 {
		t.Errorf("sample count = %d, want 1", h.GetSampleCount())
	}
	if got := testutil.ToFloat64(r.counts.WithLabelValues("n\uFFFD")); got != 1 {
		t.Errorf("repaired counter = %v, want 1", got)
	}
}

// TestWithHTTPClient wires the Recorder into httpclient, as a service does.
func TestWithHTTPClient(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"price":"64000.10"}`)
	}))
	defer s.Close()
	r, reg := newRecorder(t)
	c := httpclient.New(httpclient.Options{Name: "binance", Recorder: r})
	defer c.Close()

	for range 3 {
		var out struct{ Price string }
		if err := c.GetJSON(t.Context(), s.URL+"/api/v3/ticker/price?symbol=BTCUSDT", &out); err != nil {
			t.Fatal(err)
		}
	}
	want := `
# HELP venue_connection_events_total Connection events, by connection or pool name and state: new and reused HTTP connections, WebSocket state changes.
# TYPE venue_connection_events_total counter
venue_connection_events_total{name="binance",state="new"} 1
venue_connection_events_total{name="binance",state="reused"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "venue_connection_events_total"); err != nil {
		t.Error(err)
	}
	if h := histogram(t, reg, "GET /api/v3/ticker/price", track.OutcomeOK); h.GetSampleCount() != 3 {
		t.Errorf("sample count = %d, want 3", h.GetSampleCount())
	}
}
