package track

import "time"

// A Recorder receives the runtime's measurements: operation latencies and
// outcomes from httpclient and wsclient, connection state changes, and
// counters such as dropped messages or resyncs. It has no dependencies so
// that any metrics system can sit behind it (see runtime/promrecorder).
//
// Implementations must be safe for concurrent use and cheap: they are called
// on hot paths, never while a lock of the caller is held.
type Recorder interface {
	// Observe records one finished operation. op names it ("GET /api/v3/depth",
	// "ws.handler", "ws.dial"); outcome is one of the Outcome constants or a
	// short lower-case word of the caller's.
	Observe(op string, d time.Duration, outcome string)
	// State records a connection event of the named connection or pool:
	// ConnNew and ConnReused for HTTP requests, the wsclient states for
	// WebSocket connections.
	State(name, state string)
	// Count adds n to the named counter.
	Count(name string, n int64)
}

// Outcomes of an operation.
const (
	OutcomeOK       = "ok"
	OutcomeError    = "error"
	OutcomeCanceled = "canceled" // the context ended
	OutcomeSlow     = "slow"     // finished, but above its slow threshold
)

// Connection events reported through Recorder.State.
const (
	ConnNew    = "new"
	ConnReused = "reused"
)

// Nop is a Recorder that records nothing: the default.
type Nop struct{}

func (Nop) Observe(string, time.Duration, string) {}
func (Nop) State(string, string)                  {}
func (Nop) Count(string, int64)                   {}

// OrNop returns r, or Nop if r is nil.
func OrNop(r Recorder) Recorder {
	if r == nil {
		return Nop{}
	}
	return r
}
