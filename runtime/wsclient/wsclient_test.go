package wsclient_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/asynclint/asynclint/runtime/track"
	"github.com/asynclint/asynclint/runtime/wsclient"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTime bounds every wait in these tests. It only turns a hang into a
// failure; no test asserts how long anything took.
const waitTime = 20 * time.Second

// A client is a Conn under test with what it has reported.
type client struct {
	*wsclient.Conn
	rec    *recorder
	msgs   chan wsclient.Message // copies of what the default handler got
	errs   chan error            // what OnError got
	runErr chan error
	gap    bool // owned by the handler
}

// start dials v with opts, filling in a recorder, an error sink and, unless
// opts has one, a handler that keeps ticker updates; it runs the Conn until
// the test ends.
func start(t *testing.T, v *venue, opts *wsclient.Options) *client {
	t.Helper()
	cl := &client{
		rec:    newRecorder(),
		msgs:   make(chan wsclient.Message, 4096),
		errs:   make(chan error, 4096),
		runErr: make(chan error, 1),
	}
	if opts == nil {
		opts = new(wsclient.Options)
	}
	opts.Recorder = cl.rec
	opts.OnError = func(err error) {
		select {
		case cl.errs <- err:
		default:
		}
	}
	if opts.Handler == nil {
		opts.Handler = cl.keepUpdates
	}
	c, err := wsclient.Dial(t.Context(), v.url, opts)
	if err != nil {
		t.Fatal(err)
	}
	cl.Conn = c
	go func() { cl.runErr <- c.Run(t.Context()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), waitTime)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-cl.runErr; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	})
	return cl
}

// keepUpdates is the default handler. It carries a gap flagged on another
// message (a subscription's acknowledgement, typically) to the next update.
func (cl *client) keepUpdates(ctx context.Context, m wsclient.Message) error {
	cl.gap = cl.gap || m.Gap
	if strings.Contains(string(m.Data), `"event":"update"`) {
		m.Data = slices.Clone(m.Data)
		m.Gap, cl.gap = cl.gap, false
		cl.msgs <- m
	}
	return nil
}

// next returns the next ticker update the default handler got.
func (cl *client) next(ctx context.Context, t *testing.T) wsclient.Message {
	t.Helper()
	select {
	case m := <-cl.msgs:
		return m
	case <-ctx.Done():
		t.Fatalf("no message: %v", ctx.Err())
		return wsclient.Message{}
	}
}

// cause returns the first reported error matching ok.
func (cl *client) cause(ctx context.Context, t *testing.T, ok func(error) bool) error {
	t.Helper()
	for {
		select {
		case err := <-cl.errs:
			if ok(err) {
				return err
			}
		case <-ctx.Done():
			t.Fatalf("no such error reported: %v", ctx.Err())
			return nil
		}
	}
}

// closeHalted halts p, so that the venue never answers the close handshake,
// and checks that Close gives up when its short context ends and that Run,
// whose result arrives on runErr, then returns nil.
func closeHalted(ctx context.Context, t *testing.T, c *wsclient.Conn, p *peer, runErr <-chan error) {
	t.Helper()
	p.halt()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := c.Close(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close: %v, want DeadlineExceeded", err)
	}
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), waitTime)
	t.Cleanup(cancel)
	return ctx
}

func TestSubscribeReceiveClose(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	cl := start(t, v, nil)
	p := v.next(ctx)

	if err := cl.Subscribe(ctx, "tickers BTC_USDT", subscribeTickers("BTC_USDT")); err != nil {
		t.Fatal(err)
	}
	p.expect(ctx, t, `"payload":["BTC_USDT"]`)
	p.push(ctx, 0, 3)
	for want := range 3 {
		m := cl.next(ctx, t)
		if got := seqOf(t, m.Data); got != want || m.Gap || m.Type != websocket.MessageText {
			t.Fatalf("message %d: seq %d, gap %v, type %v", want, got, m.Gap, m.Type)
		}
	}

	if err := cl.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-cl.runErr; err != nil {
		t.Fatalf("Run after Close: %v", err)
	}
	cl.runErr <- nil // for the cleanup
	<-p.ctx.Done()
	if got := websocket.StatusCode(p.closeStatus.Load()); got != websocket.StatusNormalClosure {
		t.Errorf("the venue saw close status %v, want %v", got, websocket.StatusNormalClosure)
	}
	want := []string{wsclient.StateConnecting, wsclient.StateConnected, wsclient.StateSubscribed, wsclient.StateClosed}
	cl.rec.mu.Lock()
	defer cl.rec.mu.Unlock()
	if !slices.Equal(cl.rec.states, want) {
		t.Errorf("states %q, want %q", cl.rec.states, want)
	}
	if err := cl.Send(ctx, []byte("{}")); !errors.Is(err, wsclient.ErrClosed) {
		t.Errorf("Send after Close: %v, want ErrClosed", err)
	}
}

// TestReconnect checks, for each way a connection can end, that the client
// reconnects, resubscribes in order and flags the gap.
func TestReconnect(t *testing.T) {
	faults := []struct {
		name  string
		fault func(ctx context.Context, cl *client, p *peer)
		cause func(error) bool
	}{
		{"abrupt TCP close", func(_ context.Context, _ *client, p *peer) { p.drop() }, nil},
		{"close 1001 going away", func(_ context.Context, _ *client, p *peer) {
			p.ws.Close(websocket.StatusGoingAway, "maintenance")
		}, func(err error) bool { return websocket.CloseStatus(err) == websocket.StatusGoingAway }},
		{"close 1011 internal error", func(_ context.Context, _ *client, p *peer) {
			p.ws.Close(websocket.StatusInternalError, "oops")
		}, func(err error) bool { return websocket.CloseStatus(err) == websocket.StatusInternalError }},
		{"upgrade notice", func(ctx context.Context, _ *client, p *peer) {
			p.send(ctx, `{"type":"upgrade","msg":"the server will restart soon"}`)
		}, func(err error) bool { return errors.Is(err, wsclient.ErrReconnect) }},
		{"Reconnect", func(_ context.Context, cl *client, _ *peer) { cl.Reconnect("rebalancing") },
			func(err error) bool { return errors.Is(err, wsclient.ErrReconnect) }},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			ctx := testContext(t)
			v := newVenue(t)
			var cl *client
			cl = start(t, v, &wsclient.Options{
				Handler: func(ctx context.Context, m wsclient.Message) error {
					if strings.Contains(string(m.Data), `"type":"upgrade"`) {
						return wsclient.ErrReconnect
					}
					return cl.keepUpdates(ctx, m)
				},
			})
			p1 := v.next(ctx)
			for _, pair := range []string{"BTC_USDT", "ETH_USDT", "SOL_USDT"} {
				if err := cl.Subscribe(ctx, "tickers "+pair, subscribeTickers(pair)); err != nil {
					t.Fatal(err)
				}
			}
			p1.expect(ctx, t, "SOL_USDT")
			p1.push(ctx, 0, 1)
			if m := cl.next(ctx, t); m.Gap {
				t.Error("first message flagged as after a gap")
			}

			f.fault(ctx, cl, p1)
			p2 := v.next(ctx)
			for _, pair := range []string{"BTC_USDT", "ETH_USDT", "SOL_USDT"} {
				p2.expect(ctx, t, `"event":"subscribe","payload":["`+pair+`"]`)
			}
			p2.push(ctx, 1, 2)
			if m := cl.next(ctx, t); seqOf(t, m.Data) != 1 || !m.Gap {
				t.Errorf("first message after the reconnect: seq %d, gap %v; want 1, true", seqOf(t, m.Data), m.Gap)
			}
			if f.cause != nil {
				cl.cause(ctx, t, f.cause)
			}
			if n := cl.rec.count("ws.reconnect"); n != 1 {
				t.Errorf("ws.reconnect = %d, want 1", n)
			}
			cl.rec.waitFor(ctx, t, "ws.recovery", func() bool { return cl.rec.result("ws.recovery", track.OutcomeOK) == 1 })
		})
	}
}

// TestHalfOpen: a venue that stops reading answers no pings; the heartbeat
// notices and the client reconnects.
func TestHalfOpen(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	cl := start(t, v, &wsclient.Options{
		PingInterval: 20 * time.Millisecond,
		PingTimeout:  100 * time.Millisecond,
		StaleAfter:   -1,
	})
	cl.Subscribe(ctx, "tickers BTC_USDT", subscribeTickers("BTC_USDT"))
	p1 := v.next(ctx)
	p1.expect(ctx, t, "BTC_USDT")
	p1.halt()

	p2 := v.next(ctx)
	p2.expect(ctx, t, "BTC_USDT")
	err := cl.cause(ctx, t, func(err error) bool { return strings.Contains(err.Error(), "ping") })
	t.Logf("cause: %v", err)
}

// TestStaleFeed: with an application ping, a venue that goes quiet (no
// updates, no pongs) is caught by the stale-feed watchdog.
func TestStaleFeed(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	cl := start(t, v, &wsclient.Options{
		AppPing:      gatePing,
		PingInterval: 20 * time.Millisecond,
		StaleAfter:   200 * time.Millisecond,
	})
	cl.Subscribe(ctx, "tickers BTC_USDT", subscribeTickers("BTC_USDT"))
	p1 := v.next(ctx)
	p1.expect(ctx, t, `"channel":"spot.ping"`) // the app ping is sent
	p1.mute.Store(true)

	p2 := v.next(ctx)
	p2.expect(ctx, t, "BTC_USDT")
	cl.cause(ctx, t, func(err error) bool { return errors.Is(err, wsclient.ErrStale) })
}

// gate is a handler that holds the first message until released, so that
// the feed can outrun it.
type gate struct {
	first   sync.Once
	entered chan struct{}
	release chan struct{}
	got     chan wsclient.Message
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}), release: make(chan struct{}), got: make(chan wsclient.Message, 1024)}
}

func (g *gate) handle(ctx context.Context, m wsclient.Message) error {
	if !strings.Contains(string(m.Data), `"event":"update"`) {
		return nil
	}
	m.Data = slices.Clone(m.Data)
	g.got <- m
	g.first.Do(func() {
		close(g.entered)
		select {
		case <-g.release:
		case <-ctx.Done():
		}
	})
	return nil
}

// received returns the sequence numbers and gap flags of the n messages
// after the first.
func (g *gate) received(ctx context.Context, t *testing.T, n int) (seqs []int, gaps []int) {
	t.Helper()
	<-g.got // the one that held the gate
	for range n {
		select {
		case m := <-g.got:
			seq := seqOf(t, m.Data)
			seqs = append(seqs, seq)
			if m.Gap {
				gaps = append(gaps, seq)
			}
		case <-ctx.Done():
			t.Fatalf("after %v: %v", seqs, ctx.Err())
		}
	}
	return seqs, gaps
}

func TestSlowConsumer(t *testing.T) {
	const queue, burst = 4, 20
	// overflow holds the handler on a first message while a burst arrives,
	// waits for drops drops, and checks that the handler then sees the last
	// queue messages, with a gap before the first of them.
	overflow := func(t *testing.T, policy wsclient.Policy, drops int64) *client {
		ctx := testContext(t)
		v := newVenue(t)
		g := newGate()
		cl := start(t, v, &wsclient.Options{Handler: g.handle, Policy: policy, QueueSize: queue})
		p := v.next(ctx)
		p.push(ctx, 0, 1)
		<-g.entered
		p.push(ctx, 1, 1+burst)
		cl.rec.waitFor(ctx, t, "drops", func() bool { return cl.rec.count("ws.dropped") == drops })
		close(g.release)

		seqs, gaps := g.received(ctx, t, queue)
		if want := []int{17, 18, 19, 20}; !slices.Equal(seqs, want) || !slices.Equal(gaps, want[:1]) {
			t.Errorf("handled %v with gaps before %v; want %v with a gap before %v", seqs, gaps, want, want[:1])
		}
		return cl
	}
	t.Run("DropOldest", func(t *testing.T) {
		overflow(t, wsclient.DropOldest, burst-queue)
	})
	t.Run("SignalGap", func(t *testing.T) {
		// Every fifth message finds the queue full and drops it whole.
		cl := overflow(t, wsclient.SignalGap, 16)
		if n := cl.rec.count("ws.gap"); n != 4 {
			t.Errorf("ws.gap = %d, want 4", n)
		}
	})
	t.Run("Block", func(t *testing.T) {
		// The reader stalls on the full queue for several heartbeats, each
		// of whose pongs sits unread; that must not pass for a dead
		// connection.
		ctx := testContext(t)
		v := newVenue(t)
		g := newGate()
		cl := start(t, v, &wsclient.Options{
			Handler:      g.handle,
			QueueSize:    queue,
			PingInterval: 10 * time.Millisecond,
			PingTimeout:  20 * time.Millisecond,
			StaleAfter:   50 * time.Millisecond,
		})
		p := v.next(ctx)
		p.push(ctx, 0, 1)
		<-g.entered
		p.push(ctx, 1, 1+burst)
		// Five pings at the venue span several StaleAfters and
		// PingTimeouts of a reader that reads nothing.
		for range 5 {
			select {
			case <-p.pinged:
			case <-p.ctx.Done():
				t.Fatal("the connection was dropped while the reader waited for the handler")
			case <-ctx.Done():
				t.Fatal("no pings")
			}
		}
		close(g.release)

		seqs, gaps := g.received(ctx, t, burst)
		if want := slices.Collect(func(yield func(int) bool) {
			for i := 1; i <= burst; i++ {
				yield(i)
			}
		}); !slices.Equal(seqs, want) || len(gaps) > 0 {
			t.Errorf("handled %v with gaps before %v; want %v without gaps", seqs, gaps, want)
		}
		if n := cl.rec.count("ws.dropped"); n != 0 {
			t.Errorf("ws.dropped = %d, want 0", n)
		}
	})
}

func TestReadLimit(t *testing.T) {
	t.Run("oversized", func(t *testing.T) {
		ctx := testContext(t)
		v := newVenue(t)
		cl := start(t, v, &wsclient.Options{ReadLimit: 1024})
		cl.Subscribe(ctx, "tickers BTC_USDT", subscribeTickers("BTC_USDT"))
		p1 := v.next(ctx)
		p1.expect(ctx, t, "BTC_USDT")
		p1.send(ctx, `{"channel":"spot.tickers","event":"update","result":"`+strings.Repeat("x", 4096)+`"}`)

		p2 := v.next(ctx)
		p2.expect(ctx, t, "BTC_USDT")
		p2.push(ctx, 7, 8)
		if m := cl.next(ctx, t); seqOf(t, m.Data) != 7 {
			t.Errorf("after the reconnect got %s", m.Data)
		}
		cl.cause(ctx, t, func(err error) bool { return errors.Is(err, websocket.ErrMessageTooBig) })
	})
	t.Run("default above the library's", func(t *testing.T) {
		ctx := testContext(t)
		v := newVenue(t)
		cl := start(t, v, nil)
		p := v.next(ctx)
		big := `{"channel":"spot.order_book","event":"update","result":{"last":"1","pad":"` + strings.Repeat("x", 1<<20) + `"}}`
		p.send(ctx, big)
		if m := cl.next(ctx, t); string(m.Data) != big {
			t.Errorf("got %d bytes, want %d", len(m.Data), len(big))
		}
	})
}

func TestMalformedJSON(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	type update struct {
		Channel string `json:"channel"`
		Result  struct {
			Last string `json:"last"`
		} `json:"result"`
	}
	got := make(chan string, 16)
	cl := start(t, v, &wsclient.Options{
		Handler: wsclient.JSON(func(ctx context.Context, u *update, m wsclient.Message) error {
			got <- u.Result.Last
			return nil
		}),
	})
	p := v.next(ctx)
	p.send(ctx, `{"channel":"spot.tickers","result":{"last":`)
	p.send(ctx, `{"channel":"spot.tickers","result":{"last":"42"}}`)
	select {
	case last := <-got:
		if last != "42" {
			t.Errorf("handled %q, want the valid message", last)
		}
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	err := cl.cause(ctx, t, func(err error) bool { _, ok := errors.AsType[*wsclient.DecodeError](err); return ok })
	t.Logf("reported: %v", err)
	if n := cl.rec.count("ws.malformed"); n != 1 {
		t.Errorf("ws.malformed = %d, want 1", n)
	}
	if n := cl.rec.result("ws.handler", track.OutcomeError); n != 1 {
		t.Errorf("ws.handler errors = %d, want 1", n)
	}
	if n := v.accepted.Load(); n != 1 {
		t.Errorf("%d connections, want 1: a malformed message cost the connection", n)
	}
}

func TestSubscriptions(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	rec := newRecorder()
	c, err := wsclient.Dial(ctx, v.url, &wsclient.Options{Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	// Before Run: recorded, sent once connected; messages are rebuilt for
	// every connection.
	builds := 0
	if err := c.Subscribe(ctx, "a", func() ([]byte, error) {
		builds++
		return []byte(`{"event":"subscribe","payload":["A"]}`), nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(ctx, []byte(`{"note":"queued"}`)); err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- c.Run(ctx) }()

	p1 := v.next(ctx)
	p1.expect(ctx, t, `"payload":["A"]`)
	p1.expect(ctx, t, `"note":"queued"`) // Sends follow the subscriptions
	rec.waitFor(ctx, t, "subscribed", func() bool { return rec.stateCount(wsclient.StateSubscribed) == 1 })

	// While connected, Subscribe returns once the message is written.
	for _, k := range []string{"b", "c"} {
		if err := c.Subscribe(ctx, k, wsclient.Static([]byte(`{"event":"subscribe","payload":["`+k+`"]}`))); err != nil {
			t.Fatal(err)
		}
	}
	p1.expect(ctx, t, `["b"]`)
	p1.expect(ctx, t, `["c"]`)
	if err := c.Unsubscribe(ctx, "b", wsclient.Static([]byte(`{"event":"unsubscribe","payload":["b"]}`))); err != nil {
		t.Fatal(err)
	}
	p1.expect(ctx, t, `"event":"unsubscribe","payload":["b"]`)
	failing := errors.New("no key")
	if err := c.Subscribe(ctx, "d", func() ([]byte, error) { return nil, failing }); !errors.Is(err, failing) {
		t.Errorf("Subscribe with a failing MessageFunc: %v", err)
	}
	c.Unsubscribe(ctx, "d", nil)

	// After a reconnect, exactly the desired set, in subscription order.
	p1.drop()
	p2 := v.next(ctx)
	var subs []string
	for len(subs) < 2 {
		subs = append(subs, p2.expect(ctx, t, `"event":"subscribe"`))
	}
	if !strings.Contains(subs[0], `["A"]`) || !strings.Contains(subs[1], `["c"]`) {
		t.Errorf("resubscribed %q, want A then c", subs)
	}
	if builds != 2 {
		t.Errorf("the MessageFunc was called %d times, want once per connection", builds)
	}

	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-p2.received:
		if strings.Contains(msg, `"event":"subscribe"`) {
			t.Errorf("extra subscription %s", msg)
		}
	default:
	}
}

func TestSendQueue(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	c, err := wsclient.Dial(ctx, v.url, &wsclient.Options{SendQueue: 1, SendNoWait: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send(ctx, []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(ctx, []byte(`{"n":2}`)); !errors.Is(err, wsclient.ErrQueueFull) {
		t.Errorf("Send on a full queue: %v, want ErrQueueFull", err)
	}
	// Without SendNoWait, Send waits for room until its context ends.
	c2, err := wsclient.Dial(ctx, v.url, &wsclient.Options{SendQueue: 1})
	if err != nil {
		t.Fatal(err)
	}
	c2.Send(ctx, []byte(`{"n":1}`))
	short, cancel := context.WithCancel(ctx)
	cancel()
	if err := c2.Send(short, []byte(`{"n":2}`)); !errors.Is(err, context.Canceled) {
		t.Errorf("Send on a full queue with an ended context: %v", err)
	}
	for _, c := range []*wsclient.Conn{c, c2} {
		if err := c.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCloseBeforeRun(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	rec := newRecorder()
	c, err := wsclient.Dial(ctx, v.url, &wsclient.Options{Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	p := v.next(ctx)
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	<-p.ctx.Done()
	if got := websocket.StatusCode(p.closeStatus.Load()); got != websocket.StatusNormalClosure {
		t.Errorf("the venue saw close status %v", got)
	}
	if err := c.Run(ctx); !errors.Is(err, wsclient.ErrClosed) {
		t.Errorf("Run after Close: %v, want ErrClosed", err)
	}
	if err := c.Subscribe(ctx, "a", wsclient.Static([]byte("{}"))); !errors.Is(err, wsclient.ErrClosed) {
		t.Errorf("Subscribe after Close: %v, want ErrClosed", err)
	}
}

// TestCloseDeadline: a venue that never answers the close handshake costs
// Close no more than its context, whether Run is running or not.
func TestCloseDeadline(t *testing.T) {
	for _, running := range []bool{true, false} {
		t.Run(fmt.Sprintf("running=%v", running), func(t *testing.T) {
			ctx := testContext(t)
			v := newVenue(t)
			rec := newRecorder()
			c, err := wsclient.Dial(ctx, v.url, &wsclient.Options{Recorder: rec})
			if err != nil {
				t.Fatal(err)
			}
			runErr := make(chan error, 1)
			if running {
				go func() { runErr <- c.Run(ctx) }()
				rec.waitFor(ctx, t, "subscribed", func() bool { return rec.stateCount(wsclient.StateSubscribed) == 1 })
			} else {
				runErr <- nil
			}
			closeHalted(ctx, t, c, v.next(ctx), runErr)
			if err := c.Close(ctx); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func TestRunContext(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	c, err := wsclient.Dial(ctx, v.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- c.Run(runCtx) }()
	p := v.next(ctx)
	stop()
	if err := <-runErr; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want context.Canceled", err)
	}
	<-p.ctx.Done()
	if err := c.Close(ctx); err != nil {
		t.Errorf("Close after Run: %v", err)
	}
	if err := c.Run(ctx); !errors.Is(err, wsclient.ErrClosed) {
		t.Errorf("second Run: %v, want ErrClosed", err)
	}
}

// TestDialRetry: handshakes refused by the venue are retried with backoff
// until one succeeds.
func TestDialRetry(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	cl := start(t, v, &wsclient.Options{BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond})
	cl.Subscribe(ctx, "tickers BTC_USDT", subscribeTickers("BTC_USDT"))
	p1 := v.next(ctx)
	p1.expect(ctx, t, "BTC_USDT")

	v.refuse.Store(3)
	p1.drop()
	p2 := v.next(ctx)
	p2.expect(ctx, t, "BTC_USDT")
	if n := cl.rec.result("ws.dial", track.OutcomeError); n != 3 {
		t.Errorf("%d failed dials recorded, want 3", n)
	}
}

func TestSlowHandler(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	cl := start(t, v, &wsclient.Options{
		SlowHandler: time.Millisecond,
		Handler: func(ctx context.Context, m wsclient.Message) error {
			t := time.NewTimer(5 * time.Millisecond)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
			return nil
		},
	})
	p := v.next(ctx)
	p.push(ctx, 0, 1)
	cl.rec.waitFor(ctx, t, "a slow handler call", func() bool { return cl.rec.result("ws.handler", track.OutcomeSlow) == 1 })
}

// TestTLS: over wss the Conn still sees the TCP connection under TLS, which
// is what lets Close cut a stuck close handshake short.
func TestTLS(t *testing.T) {
	ctx := testContext(t)
	v := newTLSVenue(t)
	rec := newRecorder()
	got := make(chan string, 1)
	c, err := wsclient.Dial(ctx, v.url, &wsclient.Options{
		Recorder:    rec,
		DialOptions: &websocket.DialOptions{HTTPClient: v.srv.Client()},
		Handler: func(ctx context.Context, m wsclient.Message) error {
			got <- string(m.Data)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- c.Run(ctx) }()
	p := v.next(ctx)
	p.send(ctx, ticker(1))
	select {
	case msg := <-got:
		if msg != ticker(1) {
			t.Errorf("got %s", msg)
		}
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	closeHalted(ctx, t, c, p, runErr)
}

func TestDialError(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	v.refuse.Store(1)
	if _, err := wsclient.Dial(ctx, v.url, nil); err == nil {
		t.Fatal("Dial succeeded against a refusing venue")
	}
}

// TestConcurrentUse: Subscribe, Unsubscribe and Send from several goroutines
// while the venue keeps dropping the connection; a fresh connection then
// carries exactly the desired subscriptions.
func TestConcurrentUse(t *testing.T) {
	ctx := testContext(t)
	v := newVenue(t)
	cl := start(t, v, &wsclient.Options{SendRate: rate.Inf})
	const workers, keys, rounds = 4, 5, 50

	var wg sync.WaitGroup
	want := make([]map[string]bool, workers)
	for w := range workers {
		want[w] = make(map[string]bool)
		wg.Go(func() {
			for i := range rounds {
				key := fmt.Sprintf("w%dk%d", w, i%keys)
				if i%3 == 2 {
					cl.Unsubscribe(ctx, key, wsclient.Static([]byte(`{"event":"unsubscribe","payload":["`+key+`"]}`)))
					delete(want[w], key)
				} else {
					cl.Subscribe(ctx, key, wsclient.Static([]byte(`{"event":"subscribe","payload":["`+key+`"]}`)))
					want[w][key] = true
				}
				cl.Send(ctx, []byte(`{"note":"`+key+`"}`))
			}
		})
	}
	for range 3 {
		v.next(ctx).drop()
	}
	wg.Wait()

	v.next(ctx).drop()
	p := v.next(ctx)
	if err := cl.Send(ctx, []byte(`{"note":"marker"}`)); err != nil {
		t.Fatal(err)
	}
	got := make(map[string]bool)
	for {
		msg := p.expect(ctx, t, "")
		if strings.Contains(msg, "marker") {
			break
		}
		var req struct {
			Event   string   `json:"event"`
			Payload []string `json:"payload"`
		}
		json.Unmarshal([]byte(msg), &req)
		for _, key := range req.Payload {
			got[key] = req.Event == "subscribe"
		}
	}
	for w := range workers {
		for i := range keys {
			key := fmt.Sprintf("w%dk%d", w, i)
			if got[key] != want[w][key] {
				t.Errorf("%s: subscribed %v, want %v", key, got[key], want[w][key])
			}
		}
	}
}
