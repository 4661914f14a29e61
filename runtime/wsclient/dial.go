package wsclient

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/asynclint/asynclint/runtime/track"
)

// A link is one WebSocket connection and the network connection under it.
type link struct {
	ws *websocket.Conn
	// heard counts what has arrived: messages, and pongs, which the library
	// reports from inside a read. The stale-feed watchdog compares it
	// between ticks instead of reading the clock for every message.
	heard atomic.Int64

	mu  sync.Mutex
	raw net.Conn // nil when a custom RoundTripper hides it
}

// abort closes the connection without a close handshake. Closing the
// network connection first matters: websocket.Conn.CloseNow does not
// interrupt a close handshake in progress (it waits up to 10 s for it), but
// a closed socket fails its reads and writes at once.
func (l *link) abort() {
	l.cut()
	_ = l.ws.CloseNow()
}

// cut closes the network connection, if it is known, and reports whether it
// was. Unlike CloseNow, it does not wait for the reader and writer to let
// go of the connection.
func (l *link) cut() bool {
	l.mu.Lock()
	raw := l.raw
	l.mu.Unlock()
	if raw == nil {
		return false
	}
	raw.Close()
	return true
}

// dial makes one connection, bounded by Options.DialTimeout.
func (c *Conn) dial(parent context.Context) (*link, error) {
	ctx, cancel := context.WithTimeout(parent, c.opts.DialTimeout)
	defer cancel()

	l := new(link)
	var o websocket.DialOptions
	if c.opts.DialOptions != nil {
		o = *c.opts.DialOptions
	}
	client, transport := capturingClient(o.HTTPClient, l)
	o.HTTPClient = client
	userPong := o.OnPongReceived
	o.OnPongReceived = func(ctx context.Context, payload []byte) {
		l.heard.Add(1)
		if userPong != nil {
			userPong(ctx, payload)
		}
	}

	c.state(StateConnecting)
	start := time.Now()
	ws, _, err := websocket.Dial(ctx, c.url, &o)
	if transport != nil {
		// A refused handshake leaves its connection idle in the transport,
		// and a dial abandoned on timeout may still complete into it.
		transport.CloseIdleConnections()
	}
	// Against parent: a handshake that outlives DialTimeout failed, it was
	// not cancelled.
	c.rec.Observe("ws.dial", time.Since(start), outcome(parent, err))
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(c.opts.ReadLimit)
	l.ws = ws
	c.state(StateConnected)
	return l, nil
}

// capturingClient returns a client like base (http.DefaultClient if nil)
// whose transport records the connection it dials into l, and that
// transport, or nil if base's RoundTripper is not an *http.Transport and the
// connection cannot be seen.
//
// Each dial gets its own transport: an upgraded connection is never pooled,
// so sharing one would buy nothing, and a private one ties the recorded
// connection to this dial without any bookkeeping.
func capturingClient(base *http.Client, l *link) (*http.Client, *http.Transport) {
	if base == nil {
		base = http.DefaultClient
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	ht, ok := rt.(*http.Transport)
	//nolint:staticcheck // SA1019: a caller's transport may still set the deprecated Dial; leave it alone then
	if !ok || (ht.DialContext == nil && ht.Dial != nil) {
		return base, nil
	}
	t := ht.Clone()
	recording := func(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
		return func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dial(ctx, network, addr)
			if err == nil {
				l.mu.Lock()
				l.raw = conn
				l.mu.Unlock()
			}
			return conn, err
		}
	}
	if t.DialContext == nil {
		t.DialContext = (&net.Dialer{}).DialContext
	}
	t.DialContext = recording(t.DialContext)
	if t.DialTLSContext != nil {
		t.DialTLSContext = recording(t.DialTLSContext)
	}
	client := *base
	client.Transport = t
	return &client, t
}

// outcome classifies the result of an operation bounded by ctx.
func outcome(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return track.OutcomeOK
	case ctx.Err() != nil:
		return track.OutcomeCanceled
	}
	return track.OutcomeError
}
