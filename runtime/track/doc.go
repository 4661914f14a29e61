// Package track measures operations: per-operation latency histograms with
// fixed memory, outcome counts and a slow-operation callback, cheap enough
// for every request and every message. It also defines Recorder, the
// interface through which the whole runtime reports its measurements.
package track
