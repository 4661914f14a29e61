package promrecorder

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/asynclint/asynclint/runtime/track"
)

// A Recorder is a track.Recorder whose measurements are Prometheus metrics.
// It is also a prometheus.Collector of those metrics. It is safe for
// concurrent use.
type Recorder struct {
	latency *prometheus.HistogramVec
	states  *prometheus.CounterVec
	counts  *prometheus.CounterVec
}

var _ track.Recorder = (*Recorder)(nil)

// buckets are the classic histogram buckets, in seconds.
var buckets = []float64{
	.0001, .00025, .0005,
	.001, .0025, .005,
	.01, .025, .05,
	.1, .25, .5,
	1, 2.5, 5, 10,
}

// New returns a Recorder whose metrics are named under namespace and
// registered with reg. If reg already holds the metrics of a Recorder with
// the same namespace, that Recorder is returned, so that the parts of a
// program can each call New. A nil reg registers nothing: the Recorder is a
// Collector that the caller may register.
func New(reg prometheus.Registerer, namespace string) (*Recorder, error) {
	r := &Recorder{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace,
			Name:      "operation_duration_seconds",
			Help:      "Duration of operations, by operation and outcome.",
			Buckets:   buckets,
			// About 4% resolution; the bucket count bound keeps a series
			// with an extreme spread of latencies from growing without
			// limit, trading resolution for it instead.
			NativeHistogramBucketFactor:     1.1,
			NativeHistogramMaxBucketNumber:  160,
			NativeHistogramMinResetDuration: time.Hour,
		}, []string{"op", "outcome"}),
		states: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "connection_events_total",
			Help:      "Connection events, by connection or pool name and state: new and reused HTTP connections, WebSocket state changes.",
		}, []string{"name", "state"}),
		counts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "events_total",
			Help:      "Counted events, such as retries, dropped messages and resyncs, by name.",
		}, []string{"name"}),
	}
	if reg == nil {
		return r, nil
	}
	if err := reg.Register(r); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(*Recorder); ok {
				return existing, nil
			}
		}
		return nil, fmt.Errorf("promrecorder: registering metrics of namespace %q: %w", namespace, err)
	}
	return r, nil
}

// Describe implements prometheus.Collector.
func (r *Recorder) Describe(ch chan<- *prometheus.Desc) {
	r.latency.Describe(ch)
	r.states.Describe(ch)
	r.counts.Describe(ch)
}

// Collect implements prometheus.Collector.
func (r *Recorder) Collect(ch chan<- prometheus.Metric) {
	r.latency.Collect(ch)
	r.states.Collect(ch)
	r.counts.Collect(ch)
}

// Observe records the duration of an operation.
func (r *Recorder) Observe(op string, d time.Duration, outcome string) {
	h, err := r.latency.GetMetricWithLabelValues(op, outcome)
	if err != nil {
		h = r.latency.WithLabelValues(validUTF8(op), validUTF8(outcome))
	}
	h.Observe(d.Seconds())
}

// State counts a connection event.
func (r *Recorder) State(name, state string) {
	c, err := r.states.GetMetricWithLabelValues(name, state)
	if err != nil {
		c = r.states.WithLabelValues(validUTF8(name), validUTF8(state))
	}
	c.Inc()
}

// Count adds n to the named counter. A Prometheus counter only goes up, so
// a negative n is ignored.
func (r *Recorder) Count(name string, n int64) {
	if n < 0 {
		return
	}
	c, err := r.counts.GetMetricWithLabelValues(name)
	if err != nil {
		c = r.counts.WithLabelValues(validUTF8(name))
	}
	c.Add(float64(n))
}

// validUTF8 repairs a label value: Prometheus rejects invalid UTF-8, and a
// recorder on a hot path must neither panic nor lose the measurement over
// an operation name built from bytes off the wire.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
