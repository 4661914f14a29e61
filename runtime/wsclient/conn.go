package wsclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/asynclint/asynclint/runtime/internal/backoff"
	"github.com/asynclint/asynclint/runtime/track"
)

var (
	// ErrClosed is returned by methods called after Close, or after Run
	// has returned.
	ErrClosed = errors.New("wsclient: closed")
	// ErrQueueFull is returned by Send when the outbound queue is full and
	// Options.SendNoWait is set.
	ErrQueueFull = errors.New("wsclient: send queue full")
	// ErrReconnect, wrapped in a handler's error, replaces the connection.
	// It is also the cause reported for Reconnect.
	ErrReconnect = errors.New("wsclient: reconnect requested")
	// ErrStale is the cause reported when nothing has arrived for
	// Options.StaleAfter.
	ErrStale = errors.New("wsclient: feed stale")
)

// A Conn is a WebSocket client connection that replaces itself when it
// fails. Its methods may be called concurrently.
type Conn struct {
	url     string
	opts    Options
	rec     track.Recorder
	limiter *rate.Limiter
	in      *inbox // nil without a handler
	out     chan []byte
	subs    *subscriptions

	// pending is a message taken from out that could not be written because
	// its connection ended first; the next connection sends it before any
	// other. Only writers touch it, and they never overlap.
	pending []byte

	closing chan struct{} // closed by the first Close
	done    chan struct{} // closed when no goroutine or connection is left

	mu      sync.Mutex
	phase   phase
	live    *link              // the connection owned now; nil between connections
	sess    *session           // the session on live, once Run has started it
	stopRun context.CancelFunc // ends Run's context
	aborted bool               // Close gave up on the close handshake
}

type phase int

const (
	dialed  phase = iota // Dial has returned; Run has not been called
	running              // Run is running
	ended                // Run has returned, or Close was called before it
)

// Dial connects to url, a ws:// or wss:// URL, and returns a Conn that Run
// keeps connected. Only this first handshake is bounded by ctx.
func Dial(ctx context.Context, url string, opts *Options) (*Conn, error) {
	o := opts.withDefaults(url)
	c := &Conn{
		url:     url,
		opts:    o,
		rec:     o.Recorder,
		limiter: rate.NewLimiter(o.SendRate, o.SendBurst),
		out:     make(chan []byte, o.SendQueue),
		subs:    newSubscriptions(),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	if o.Handler != nil {
		c.in = newInbox(o.QueueSize, o.Policy, c.rec)
	}
	l, err := c.dial(ctx)
	if err != nil {
		c.state(StateClosed)
		return nil, err
	}
	c.live = l
	return c, nil
}

// Run keeps the Conn connected and subscribed, reading, dispatching and
// writing, until ctx ends or Close is called. It returns nil after Close,
// ctx's error when ctx ends first, and ErrClosed if it has already run.
//
// When ctx ends, the connection is dropped without a close handshake; call
// Close first for a clean one.
func (c *Conn) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.phase != dialed {
		c.mu.Unlock()
		return ErrClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.phase = running
	c.stopRun = cancel
	l := c.live
	c.mu.Unlock()

	var wg sync.WaitGroup
	if c.in != nil {
		wg.Go(func() { c.dispatch(ctx) })
	}
	err := c.loop(ctx, l)
	cancel()
	wg.Wait()
	c.finish()
	return err
}

// Close closes the connection with a close handshake (StatusNormalClosure)
// and stops Run. When ctx ends first, it drops the connection instead and
// returns ctx's error. Either way it returns only once every goroutine of
// the Conn has exited, which includes waiting for a handler call in
// progress: do not call Close from the handler.
//
// Close is idempotent; later calls wait like the first.
func (c *Conn) Close(ctx context.Context) error {
	c.mu.Lock()
	select {
	case <-c.closing:
	default:
		close(c.closing)
		if c.phase == dialed {
			// Run will not start: the handshake is up to us. It runs on its
			// own goroutine so that ctx can cut it short below.
			c.phase = ended
			l := c.live
			go func() {
				l.ws.Close(websocket.StatusNormalClosure, "")
				c.finish()
			}()
		} else if c.phase == running && c.live == nil {
			// Between connections there is no handshake to make, but
			// there may be a dial to stop.
			c.stopRun()
		}
	}
	c.mu.Unlock()

	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
	}
	c.abort()
	<-c.done
	return ctx.Err()
}

// abort cuts a close handshake short and ends Run's context.
func (c *Conn) abort() {
	c.mu.Lock()
	c.aborted = true
	stop, l := c.stopRun, c.live
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
	if l != nil {
		l.abort()
	}
}

func (c *Conn) finish() {
	c.mu.Lock()
	c.phase = ended
	c.live, c.sess = nil, nil
	c.mu.Unlock()
	c.state(StateClosed)
	close(c.done)
}

// Reconnect drops the current connection and makes a new one, as after any
// failure: for a venue's notice that it will close the connection soon
// (Gate.io's {"type":"upgrade"}). It does nothing between connections.
func (c *Conn) Reconnect(reason string) {
	c.reconnect(0, fmt.Errorf("%w: %s", ErrReconnect, reason))
}

// reconnect ends the session of generation gen, or the current one if gen
// is 0, giving cause as the reason.
func (c *Conn) reconnect(gen uint64, cause error) {
	c.mu.Lock()
	s := c.sess
	c.mu.Unlock()
	if s != nil && (gen == 0 || s.gen == gen) {
		s.end(cause)
	}
}

// Send queues msg to be written on the current or next connection, after
// the subscriptions. It waits for room in the queue until ctx ends, unless
// Options.SendNoWait is set. msg must not be modified afterwards.
//
// A message whose write fails is not retried: it may or may not have
// reached the venue.
func (c *Conn) Send(ctx context.Context, msg []byte) error {
	if c.isClosed() {
		return ErrClosed
	}
	if c.opts.SendNoWait {
		select {
		case c.out <- msg:
			return nil
		default:
			return ErrQueueFull
		}
	}
	select {
	case c.out <- msg:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.closing:
		return ErrClosed
	case <-c.done:
		return ErrClosed
	}
}

// Subscribe adds key to the desired subscriptions, replacing any earlier
// subscription of key, and sends msg's message to the venue now and on every
// new connection.
//
// If a connection is up, Subscribe waits until the message has been written
// (on it, or on the next one if it fails first) or ctx ends; otherwise it
// returns at once and the message goes out once connected. An error from
// msg is returned. The subscription stays desired whatever the outcome.
func (c *Conn) Subscribe(ctx context.Context, key string, msg MessageFunc) error {
	if c.isClosed() {
		return ErrClosed
	}
	return c.await(ctx, c.subs.subscribe(key, msg))
}

// Unsubscribe removes key from the desired subscriptions and, if its
// subscription was sent on the current connection, sends msg's message
// (msg may be nil when the venue needs none). It waits like Subscribe.
func (c *Conn) Unsubscribe(ctx context.Context, key string, msg MessageFunc) error {
	if c.isClosed() {
		return ErrClosed
	}
	return c.await(ctx, c.subs.unsubscribe(key, msg))
}

func (c *Conn) await(ctx context.Context, r *request) error {
	c.mu.Lock()
	up := c.sess != nil
	c.mu.Unlock()
	if !up {
		return nil
	}
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	case <-c.closing:
		return ErrClosed
	case <-c.done:
		return ErrClosed
	}
}

func (c *Conn) isClosed() bool {
	select {
	case <-c.closing:
		return true
	case <-c.done:
		return true
	default:
		return false
	}
}

// A session is the life of one connection under Run.
type session struct {
	gen    uint64 // 1 for the first connection
	link   *link
	ctx    context.Context // ends with the session
	cancel context.CancelFunc
	ended  chan error // the first reason to end the session
	start  time.Time
	down   time.Time // when the previous connection was lost; zero for the first

	// stalled is set while the reader waits for room in a full Block queue
	// and so reads nothing; stalls counts the waits.
	stalled atomic.Bool
	stalls  atomic.Int64

	wg sync.WaitGroup
}

func (s *session) end(cause error) {
	select {
	case s.ended <- cause:
	default:
	}
}

// run runs f on one of the session's goroutines; an error from f ends the
// session.
func (s *session) run(f func(*session) error) {
	s.wg.Go(func() {
		if err := f(s); err != nil {
			s.end(err)
		}
	})
}

func (s *session) stall(on bool) {
	if on {
		s.stalls.Add(1)
	}
	s.stalled.Store(on)
}

// loop runs sessions on l and its replacements until ctx ends or Close is
// called.
func (c *Conn) loop(ctx context.Context, l *link) (err error) {
	var (
		gen      uint64
		failures int // dials failed and connections lost before StableAfter, in a row
		down     time.Time
		prev     *session // cut, its goroutines possibly still on their way out
	)
	defer func() {
		if prev != nil {
			c.reap(prev)
		}
	}()
	for {
		for l == nil {
			c.state(StateReconnecting)
			if !c.pause(ctx, c.backoff(failures)) {
				return c.stopped(ctx)
			}
			if l, err = c.dial(ctx); err != nil {
				if c.isClosed() || ctx.Err() != nil {
					return c.stopped(ctx)
				}
				failures++
				c.state(StateDisconnected)
				c.report(err)
			}
		}
		if prev != nil {
			// Waited for only now, so that the wait overlaps the handshake;
			// it cannot be later, since sessions must not overlap.
			c.reap(prev)
			prev = nil
		}

		gen++
		s := c.open(ctx, l, gen, down)
		cause := c.watch(ctx, s)
		lost := time.Now()
		c.mu.Lock()
		c.sess = nil
		bye := c.isClosed() && !c.aborted
		c.mu.Unlock()
		if bye {
			// The reader keeps running meanwhile: it reads the venue's
			// answer to our close frame, which ends the handshake.
			s.link.ws.Close(websocket.StatusNormalClosure, "")
		}
		c.cut(s)
		prev = s
		if c.isClosed() || ctx.Err() != nil {
			return c.stopped(ctx)
		}

		down = lost
		if down.Sub(s.start) >= c.opts.StableAfter {
			failures = 0
		} else {
			failures++
		}
		c.state(StateDisconnected)
		c.rec.Count("ws.reconnect", 1)
		c.report(cause)
		l = nil
	}
}

// stopped is loop's result once it must stop.
func (c *Conn) stopped(ctx context.Context) error {
	if c.isClosed() {
		return nil
	}
	return ctx.Err()
}

// backoff returns the wait before the next attempt after failures failures
// in a row: none for the first attempt after a stable connection, then
// "full jitter", a uniform random duration below an exponentially growing
// bound.
func (c *Conn) backoff(failures int) time.Duration {
	if failures == 0 {
		return 0
	}
	return rand.N(backoff.Ceiling(c.opts.BackoffBase, c.opts.BackoffMax, failures))
}

// pause waits for d, and reports whether the loop should go on.
func (c *Conn) pause(ctx context.Context, d time.Duration) bool {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		case <-c.closing:
		}
	}
	return !c.isClosed() && ctx.Err() == nil
}

// open starts a session on l: its reader, writer and heartbeat.
func (c *Conn) open(ctx context.Context, l *link, gen uint64, down time.Time) *session {
	s := &session{gen: gen, link: l, ended: make(chan error, 1), start: time.Now(), down: down}
	s.ctx, s.cancel = context.WithCancel(ctx)
	c.mu.Lock()
	c.live, c.sess = l, s
	c.mu.Unlock()
	s.run(c.read)
	s.run(c.write)
	if c.opts.PingInterval > 0 {
		s.run(c.heartbeat)
	}
	return s
}

// cut ends s without waiting: once its socket is closed, each of its
// goroutines fails or returns promptly.
func (c *Conn) cut(s *session) {
	s.cancel()
	c.mu.Lock()
	c.live = nil
	c.mu.Unlock()
	if !s.link.cut() {
		_ = s.link.ws.CloseNow() // its error says only that it was closed
	}
}

// reap waits for the goroutines of a session that has been cut.
func (c *Conn) reap(s *session) {
	_ = s.link.ws.CloseNow()
	s.wg.Wait()
}

// watch waits for a reason to end s: a failure, a request, a stale feed,
// Close or the end of ctx.
func (c *Conn) watch(ctx context.Context, s *session) error {
	var tick <-chan time.Time
	if c.opts.StaleAfter > 0 {
		// Four checks per StaleAfter: a feed is found stale at most 25%
		// late, and the clock is read four times per StaleAfter instead of
		// once per message.
		t := time.NewTicker(max(c.opts.StaleAfter/4, time.Millisecond))
		defer t.Stop()
		tick = t.C
	}
	heard, quiet := s.link.heard.Load(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.closing:
			return ErrClosed
		case err := <-s.ended:
			return err
		case now := <-tick:
			if h := s.link.heard.Load(); h != heard || s.stalled.Load() {
				heard, quiet = h, now
				continue
			}
			if d := now.Sub(quiet); d >= c.opts.StaleAfter {
				return fmt.Errorf("%w: nothing received for %v", ErrStale, d.Round(time.Millisecond))
			}
		}
	}
}

// read is the session's reader. It returns the error that ended the
// connection, or nil when the session was ended from outside.
func (c *Conn) read(s *session) error {
	// Reads are ended by closing the connection, which ending a session
	// always does. A context that could be cancelled would make the library
	// arm and disarm a context.AfterFunc around every frame it reads.
	ctx := context.WithoutCancel(s.ctx)
	ws := s.link.ws
	var m *inMsg
	if c.in != nil {
		m = c.in.get()
		defer func() { c.in.put(m) }()
	} else {
		m = &inMsg{data: make([]byte, 0, firstBufSize)}
	}
	gap := s.gen > 1
	for {
		typ, r, err := ws.Reader(ctx)
		if err != nil {
			return err
		}
		if m.data, err = readAll(r, m.data[:0]); err != nil {
			return err
		}
		s.link.heard.Add(1)
		if c.in == nil {
			continue
		}
		m.typ, m.gen, m.gap = typ, s.gen, gap
		gap = false
		var ok bool
		if m, ok = c.in.push(s.ctx.Done(), s.stall, m); !ok {
			return nil
		}
	}
}

// readAll appends what r holds to b, growing it as io.ReadAll would.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// write is the session's writer: it brings the connection's subscriptions
// in line with the desired ones, then writes what Send queues and what
// later Subscribe and Unsubscribe calls change.
func (c *Conn) write(s *session) error {
	sent := make(map[string]uint64)
	if err := c.sync(s, sent); err != nil || s.ctx.Err() != nil {
		return err
	}
	c.state(StateSubscribed)
	if !s.down.IsZero() {
		c.rec.Observe("ws.recovery", time.Since(s.down), track.OutcomeOK)
	}
	if c.pending != nil {
		if err := c.send(s, c.pending); err != nil {
			return err
		}
	}
	for {
		select {
		case <-s.ctx.Done():
			return nil
		case <-c.subs.change:
			if err := c.sync(s, sent); err != nil {
				return err
			}
		case msg := <-c.out:
			if err := c.send(s, msg); err != nil {
				return err
			}
		}
	}
}

// send writes msg once the rate limiter allows. If the session ends first,
// msg is kept for the next one.
func (c *Conn) send(s *session, msg []byte) error {
	c.pending = msg
	if c.limiter.Wait(s.ctx) != nil {
		return nil
	}
	c.pending = nil
	return s.link.ws.Write(s.ctx, c.opts.SendType, msg)
}

// sync sends what the connection, having sent the subscriptions in sent,
// lacks to match the desired subscriptions.
func (c *Conn) sync(s *session, sent map[string]uint64) error {
	for _, o := range c.subs.plan(sent) {
		key := o.req.key
		var msg []byte
		var err error
		if o.req.msg != nil {
			msg, err = o.req.msg()
		}
		switch {
		case err != nil:
			c.report(fmt.Errorf("wsclient: building the message for %q: %w", key, err))
		case msg != nil:
			if c.limiter.Wait(s.ctx) != nil {
				return nil
			}
			if err := s.link.ws.Write(s.ctx, c.opts.SendType, msg); err != nil {
				return err
			}
		}
		// Even a message that could not be built counts as sent: it is
		// tried again on the next connection, not in a loop on this one.
		if o.unsub {
			delete(sent, key)
		} else {
			sent[key] = o.req.seq
		}
		c.subs.sent(o, err)
	}
	return nil
}

// heartbeat pings every PingInterval. It returns an error when a ping fails
// for a reason the venue is responsible for.
func (c *Conn) heartbeat(s *session) error {
	t := time.NewTicker(c.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return nil
		case <-t.C:
		}
		if err := c.ping(s); err != nil {
			return err
		}
	}
}

func (c *Conn) ping(s *session) error {
	if c.opts.AppPing != nil {
		msg, err := c.opts.AppPing()
		if err != nil {
			c.report(fmt.Errorf("wsclient: building the ping: %w", err))
			return nil
		}
		// Written here rather than queued: a ping must not wait behind a
		// backlog of Sends, nor for the rate limiter.
		return s.link.ws.Write(s.ctx, c.opts.SendType, msg)
	}
	stalls := s.stalls.Load()
	ctx, cancel := context.WithTimeout(s.ctx, c.opts.PingTimeout)
	defer cancel()
	err := s.link.ws.Ping(ctx)
	if err == nil || s.ctx.Err() != nil {
		return nil
	}
	if s.stalled.Load() || s.stalls.Load() != stalls {
		// The pong is likely waiting in the socket while the reader waits
		// for the handler: that is our back-pressure, not a dead venue.
		return nil
	}
	return fmt.Errorf("wsclient: ping: %w", err)
}

// dispatch hands queued messages to the handler until ctx ends.
func (c *Conn) dispatch(ctx context.Context) {
	var m *inMsg
	for {
		if m = c.in.next(ctx, m); m == nil {
			return
		}
		c.deliver(ctx, m)
	}
}

func (c *Conn) deliver(ctx context.Context, m *inMsg) {
	start := time.Now()
	err := c.opts.Handler(ctx, Message{Type: m.typ, Data: m.data, Gap: m.gap})
	d := time.Since(start)
	var result string
	switch {
	case err == nil || errors.Is(err, ErrReconnect):
		result = track.OutcomeOK
		if c.opts.SlowHandler > 0 && d > c.opts.SlowHandler {
			result = track.OutcomeSlow
		}
	case ctx.Err() != nil:
		result = track.OutcomeCanceled
	default:
		result = track.OutcomeError
	}
	c.rec.Observe("ws.handler", d, result)
	if err == nil {
		return
	}
	if errors.Is(err, ErrReconnect) {
		c.reconnect(m.gen, err)
		return
	}
	if _, ok := errors.AsType[*DecodeError](err); ok {
		c.rec.Count("ws.malformed", 1)
	}
	c.report(err)
}

func (c *Conn) state(s string) { c.rec.State(c.opts.Name, s) }

func (c *Conn) report(err error) {
	if c.opts.OnError != nil {
		c.opts.OnError(err)
	}
}
