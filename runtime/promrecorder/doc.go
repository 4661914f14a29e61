// Package promrecorder reports the runtime's measurements to Prometheus: a
// Recorder implements track.Recorder on the Prometheus client library, so
// that httpclient, wsclient and the rest of the runtime, which depend only on
// the track interface, can be scraped.
//
// A Recorder exports, under its namespace:
//
//	<namespace>_operation_duration_seconds{op, outcome}  histogram, from Observe
//	<namespace>_connection_events_total{name, state}     counter, from State
//	<namespace>_events_total{name}                       counter, from Count
//
// The histogram has classic buckets from 100µs to 10s, the span between a
// loopback call and a venue timing out, and is also a native histogram for
// scrapers that ask for one, which resolves latencies far more finely at
// little cost.
//
// Every distinct label value is a time series that lives as long as the
// process, so op and name must come from a bounded set: a route, not a URL
// (see httpclient.Op).
//
// Typical use:
//
//	rec, err := promrecorder.New(prometheus.DefaultRegisterer, "venue")
//	if err != nil {
//		return err
//	}
//	c := httpclient.New(httpclient.Options{Recorder: rec})
package promrecorder
