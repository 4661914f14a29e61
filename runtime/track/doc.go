// Package track measures operations: per-operation latency histograms with
// fixed memory, outcome counts and a slow-operation callback, cheap enough
// for every request and every message. It also defines Recorder, the
// interface through which the whole runtime reports its measurements.
//
// A Tracker times named operations, either around a call:
//
//	err := tr.Track(ctx, "GET /api/v3/depth", func(ctx context.Context) error {
//		return fetchDepth(ctx)
//	})
//
// or between two points:
//
//	t := tr.Start("ws.handler")
//	err := handle(msg)
//	t.Done(err)
//
// Start and Done take no lock and do not allocate: an operation's statistics
// are found through a map that is copied when a name is added and otherwise
// only read, and are updated with atomic operations. Holding the *Op from
// Tracker.Op skips even the map lookup.
//
// Each operation keeps a log-linear histogram of its durations in a fixed
// array of about 18 KiB, from which quantiles are estimated within
// MaxRelativeError; count, mean and maximum are exact. Because each name
// costs that much for the life of the Tracker, names should come from a
// bounded set: a route, not a URL. Options.MaxOps caps the damage otherwise.
//
// An operation finishes with one of three outcomes: OutcomeOK, OutcomeError,
// or OutcomeCanceled when its context ended. Runs longer than a slow
// threshold are counted, handed to Options.OnSlow on the Tracker's own
// goroutine and, when successful, reported to the Recorder as OutcomeSlow.
//
// Summary returns a snapshot of every operation, whose String method prints
// a small table:
//
//	op                 count  errors  canceled  slow  p50    p99     max   mean
//	GET /api/v3/depth  1207   3       0         0     1.6ms  2.18ms  12ms  1.63ms
//	ws.handler         1      0       0         0     25µs   25µs    25µs  25µs
package track
