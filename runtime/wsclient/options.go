package wsclient

import (
	"context"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/asynclint/asynclint/runtime/track"
)

// A Message is one inbound WebSocket message.
type Message struct {
	Type websocket.MessageType
	// Data is valid only until the handler returns: its buffer is reused for
	// a later message. Copy it to keep it.
	Data []byte
	// Gap reports that messages may be missing before this one: the queue
	// overflowed (DropOldest, SignalGap) or the connection was replaced.
	Gap bool
}

// A Handler processes one inbound message. It runs on the Conn's dispatcher
// goroutine, one message at a time, never on the reader. ctx ends when Run
// ends.
//
// An error wrapping ErrReconnect replaces the connection the message came
// from; any other error is reported (Options.OnError, the Recorder) and the
// next message is handled as usual.
type Handler func(ctx context.Context, m Message) error

// A MessageFunc builds an outbound message. It is called each time the
// message is sent, so that one that embeds a timestamp or a signature (a
// Gate.io request's "time" must be within 60 s of the server's) is fresh on
// every reconnect.
type MessageFunc func() ([]byte, error)

// Static returns a MessageFunc that always returns msg.
func Static(msg []byte) MessageFunc {
	return func() ([]byte, error) { return msg, nil }
}

// A Policy says what the reader does with a message when the handler has
// fallen behind and the inbound queue is full. See the package documentation.
type Policy int

const (
	// Block waits for room in the queue: nothing is lost.
	Block Policy = iota
	// DropOldest drops the oldest queued message.
	DropOldest
	// SignalGap drops every queued message and sets Gap on the next one.
	SignalGap
)

func (p Policy) String() string {
	switch p {
	case Block:
		return "Block"
	case DropOldest:
		return "DropOldest"
	case SignalGap:
		return "SignalGap"
	}
	return "Policy(?)"
}

// Connection states reported through Recorder.State under Options.Name.
const (
	StateConnecting   = "connecting"   // a handshake is in progress
	StateConnected    = "connected"    // the handshake succeeded
	StateSubscribed   = "subscribed"   // every desired subscription has been sent
	StateDisconnected = "disconnected" // the connection was lost
	StateReconnecting = "reconnecting" // waiting before the next attempt
	StateClosed       = "closed"       // Run has returned, or Close was called
)

// Options configure a Conn. The zero value of every field selects its
// default; a nil *Options selects them all.
type Options struct {
	// Handler receives inbound messages. If nil, they are read and dropped.
	Handler Handler
	// Policy is the back-pressure policy; the default is Block.
	Policy Policy
	// QueueSize bounds the inbound messages waiting for the handler.
	// Default 256.
	QueueSize int
	// SlowHandler is the duration above which a handler call is recorded
	// with track.OutcomeSlow. Default 100 ms; negative disables.
	SlowHandler time.Duration

	// ReadLimit is the largest inbound message, in bytes; a larger one fails
	// the connection. Default 16 MiB (the library's own default, 32 KiB, is
	// smaller than a deep order book snapshot); negative disables it.
	ReadLimit int64

	// SendQueue bounds the outbound messages waiting to be written.
	// Default 64.
	SendQueue int
	// SendNoWait makes Send return ErrQueueFull instead of waiting when the
	// outbound queue is full.
	SendNoWait bool
	// SendType is the type of outbound messages; the default is text.
	SendType websocket.MessageType
	// SendRate and SendBurst limit the messages written for Send, Subscribe
	// and Unsubscribe, across reconnects, to stay under the venue's message
	// rate limit. Defaults 10 per second, burst 10.
	SendRate  rate.Limit
	SendBurst int

	// PingInterval is the time between heartbeats. Default 10 s; negative
	// disables the heartbeat.
	PingInterval time.Duration
	// AppPing, if set, builds the application-level ping the heartbeat sends
	// (Gate.io's {"channel":"spot.ping"}) instead of a WebSocket ping. Its
	// answer is an ordinary message: its absence is caught by StaleAfter.
	// Pings are written as soon as they are due, ahead of queued Sends and
	// outside the rate limit.
	AppPing MessageFunc
	// PingTimeout bounds the wait for the answer to a WebSocket ping.
	// Default 5 s.
	PingTimeout time.Duration
	// StaleAfter replaces a connection on which nothing (no message, no
	// pong) has arrived for that long. Default 30 s; negative disables. Keep
	// it above PingInterval so that a quiet but healthy feed survives.
	StaleAfter time.Duration

	// DialTimeout bounds each handshake. Default 10 s.
	DialTimeout time.Duration
	// BackoffBase and BackoffMax shape the wait before each attempt after
	// the first: a random duration below min(BackoffMax, BackoffBase·2ⁿ⁻¹)
	// for the nth consecutive failure. Defaults 100 ms and 30 s.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// StableAfter is how long a connection must last for the backoff to
	// start over. Default 1 s.
	StableAfter time.Duration

	// Name identifies the connection in Recorder.State. Default: the URL.
	Name string
	// Recorder receives measurements; the default records nothing.
	Recorder track.Recorder
	// OnError, if set, is told of errors that do not end Run: the cause of
	// each reconnect, failed dials, handler errors and failed message
	// builds. It is called from the Conn's goroutines and must not block.
	OnError func(error)

	// DialOptions are passed to websocket.Dial. Its OnPongReceived is
	// called as well as the Conn's own. If its HTTPClient's Transport is
	// not an *http.Transport, the Conn cannot reach the TCP connection
	// under the WebSocket, and a Close whose context ends during a stuck
	// close handshake waits for the library's own bound (10 s).
	DialOptions *websocket.DialOptions
}

const (
	defaultQueueSize    = 256
	defaultSlowHandler  = 100 * time.Millisecond
	defaultReadLimit    = 16 << 20
	defaultSendQueue    = 64
	defaultSendRate     = 10
	defaultSendBurst    = 10
	defaultPingInterval = 10 * time.Second
	defaultPingTimeout  = 5 * time.Second
	defaultStaleAfter   = 30 * time.Second
	defaultDialTimeout  = 10 * time.Second
	defaultBackoffBase  = 100 * time.Millisecond
	defaultBackoffMax   = 30 * time.Second
	defaultStableAfter  = time.Second
)

// withDefaults returns a copy of o with every unset field set.
func (o *Options) withDefaults(url string) Options {
	var r Options
	if o != nil {
		r = *o
	}
	positive(&r.QueueSize, defaultQueueSize)
	positive(&r.SendQueue, defaultSendQueue)
	positive(&r.SendRate, defaultSendRate)
	positive(&r.SendBurst, defaultSendBurst)
	positive(&r.PingTimeout, defaultPingTimeout)
	positive(&r.DialTimeout, defaultDialTimeout)
	positive(&r.BackoffBase, defaultBackoffBase)
	positive(&r.BackoffMax, defaultBackoffMax)
	positive(&r.StableAfter, defaultStableAfter)
	// For these, a negative value means "off".
	nonzero(&r.SlowHandler, defaultSlowHandler)
	nonzero(&r.ReadLimit, defaultReadLimit)
	nonzero(&r.PingInterval, defaultPingInterval)
	nonzero(&r.StaleAfter, defaultStaleAfter)
	if r.ReadLimit < 0 {
		r.ReadLimit = -1
	}
	if r.SendType == 0 {
		r.SendType = websocket.MessageText
	}
	if r.Name == "" {
		r.Name = url
	}
	r.Recorder = track.OrNop(r.Recorder)
	return r
}

type number interface {
	~int | ~int64 | ~float64
}

func positive[T number](p *T, v T) {
	if *p <= 0 {
		*p = v
	}
}

func nonzero[T number](p *T, v T) {
	if *p == 0 {
		*p = v
	}
}
