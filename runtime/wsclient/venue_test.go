package wsclient_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/asynclint/asynclint/runtime/wsclient"
)

// A venue is a fake exchange WebSocket endpoint on loopback, speaking the
// shape of Gate.io's spot v4 protocol: requests are acknowledged and
// spot.ping is answered with spot.pong. Each accepted connection becomes a
// peer that the test drives from its own goroutine, pushing messages and
// injecting faults.
type venue struct {
	tb    testing.TB
	srv   *httptest.Server
	url   string
	ctx   context.Context // ends when the venue shuts down
	stop  context.CancelFunc
	peers chan *peer
	wg    sync.WaitGroup

	accepted atomic.Int64
	// refuse makes the next handshakes fail with 503, one per unit.
	refuse atomic.Int64
	// onPeer, if set, is given each peer instead of the peers channel.
	onPeer func(*peer)
}

type rawConnKey struct{}

func newVenue(tb testing.TB) *venue { return startVenue(tb, false) }

// newTLSVenue returns a venue behind TLS; its client trusts it.
func newTLSVenue(tb testing.TB) *venue { return startVenue(tb, true) }

func startVenue(tb testing.TB, withTLS bool) *venue {
	ctx, stop := context.WithCancel(context.WithoutCancel(tb.Context()))
	v := &venue{tb: tb, ctx: ctx, stop: stop, peers: make(chan *peer, 64)}
	v.srv = httptest.NewUnstartedServer(v)
	v.srv.Listener = haltListener{v.srv.Listener}
	// The raw connection is what an abrupt close closes.
	v.srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if tc, ok := c.(*tls.Conn); ok {
			c = tc.NetConn()
		}
		return context.WithValue(ctx, rawConnKey{}, c)
	}
	if withTLS {
		v.srv.StartTLS()
	} else {
		v.srv.Start()
	}
	v.url = "ws" + strings.TrimPrefix(v.srv.URL, "http")
	tb.Cleanup(v.close)
	return v
}

// close shuts the venue down and waits for every goroutine it started:
// httptest.Server.Close does not wait for handlers of hijacked connections.
func (v *venue) close() {
	v.stop()
	v.srv.Close()
	v.wg.Wait()
}

func (v *venue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Counted before the connection is hijacked, so that close, which
	// waits for the server's own handlers first, cannot miss it.
	v.wg.Add(1)
	defer v.wg.Done()
	for n := v.refuse.Load(); n > 0; n = v.refuse.Load() {
		if v.refuse.CompareAndSwap(n, n-1) {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
	}
	p := &peer{
		raw:      r.Context().Value(rawConnKey{}).(*haltConn),
		received: make(chan string, 4096),
		pinged:   make(chan struct{}, 1024),
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		OnPingReceived: func(context.Context, []byte) bool {
			select {
			case p.pinged <- struct{}{}:
			default:
			}
			return true
		},
	})
	if err != nil {
		return
	}
	p.ws = ws
	p.n = int(v.accepted.Add(1))
	p.ctx, p.cancel = context.WithCancel(v.ctx)
	defer p.cancel()
	defer ws.CloseNow()

	v.wg.Go(func() { p.read() })
	if v.onPeer != nil {
		v.onPeer(p)
	} else {
		select {
		case v.peers <- p:
		case <-p.ctx.Done():
		}
	}
	<-p.ctx.Done()
}

// next returns the next connection the venue accepts.
func (v *venue) next(ctx context.Context) *peer {
	v.tb.Helper()
	select {
	case p := <-v.peers:
		return p
	case <-ctx.Done():
		v.tb.Fatalf("no connection to the venue: %v", ctx.Err())
		return nil
	}
}

// A peer is the venue's side of one connection.
type peer struct {
	n        int // 1 for the first connection
	ws       *websocket.Conn
	raw      *haltConn
	ctx      context.Context // ends with the connection
	cancel   context.CancelFunc
	received chan string   // every message the client sent, in order
	pinged   chan struct{} // a WebSocket ping from the client

	// closeStatus is the status of the client's close frame, set when the
	// read loop ends; -1 if there was none.
	closeStatus atomic.Int64

	mute atomic.Bool // leave spot.ping unanswered
}

func (p *peer) read() {
	defer p.cancel()
	for {
		_, data, err := p.ws.Read(p.ctx)
		if err != nil {
			p.closeStatus.Store(int64(websocket.CloseStatus(err)))
			return
		}
		msg := string(data)
		var req struct {
			Channel string `json:"channel"`
			Event   string `json:"event"`
		}
		if json.Unmarshal(data, &req) == nil {
			switch {
			case req.Channel == "spot.ping" && !p.mute.Load():
				p.send(p.ctx, fmt.Sprintf(`{"time":%d,"channel":"spot.pong","event":"","result":null}`, time.Now().Unix()))
			case req.Event == "subscribe" || req.Event == "unsubscribe":
				p.send(p.ctx, fmt.Sprintf(`{"time":%d,"channel":%q,"event":%q,"error":null,"result":{"status":"success"}}`,
					time.Now().Unix(), req.Channel, req.Event))
			}
		}
		select {
		case p.received <- msg:
		case <-p.ctx.Done():
			return
		}
	}
}

func (p *peer) send(ctx context.Context, msg string) error {
	return p.ws.Write(ctx, websocket.MessageText, []byte(msg))
}

// push sends ticker updates numbered from, to-1.
func (p *peer) push(ctx context.Context, from, to int) {
	for i := from; i < to; i++ {
		if err := p.send(ctx, ticker(i)); err != nil {
			return
		}
	}
}

// drop closes the TCP connection without a close frame.
func (p *peer) drop() { p.raw.Close() }

// halt stops reading: pings, requests and close frames go unanswered from
// now on.
func (p *peer) halt() { p.raw.halt() }

// A haltListener hands out haltConns.
type haltListener struct{ net.Listener }

func (l haltListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &haltConn{Conn: c, halted: make(chan struct{}), closed: make(chan struct{})}, nil
}

// A haltConn is a server connection that can stop reading, the way a
// half-open or wedged peer does. Stopping at the socket rather than in the
// WebSocket read loop makes it take effect at once: a read already waiting
// swallows what it gets, so even a ping or close frame in flight is lost.
type haltConn struct {
	net.Conn
	haltOnce, closeOnce sync.Once
	halted, closed      chan struct{}
}

func (c *haltConn) halt() { c.haltOnce.Do(func() { close(c.halted) }) }

func (c *haltConn) Read(b []byte) (int, error) {
	if !c.isHalted() {
		n, err := c.Conn.Read(b)
		if !c.isHalted() {
			return n, err
		}
	}
	<-c.closed
	return 0, net.ErrClosed
}

func (c *haltConn) isHalted() bool {
	select {
	case <-c.halted:
		return true
	default:
		return false
	}
}

func (c *haltConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// expect returns the next message the client sent that contains substr,
// skipping others.
func (p *peer) expect(ctx context.Context, tb testing.TB, substr string) string {
	tb.Helper()
	for {
		select {
		case msg := <-p.received:
			if strings.Contains(msg, substr) {
				return msg
			}
		case <-ctx.Done():
			tb.Fatalf("connection %d: no message containing %q: %v", p.n, substr, ctx.Err())
			return ""
		}
	}
}

// ticker is a spot.tickers update of about 200 bytes; seq is in "last".
func ticker(seq int) string {
	return fmt.Sprintf(`{"time":1718000000,"time_ms":1718000000123,"channel":"spot.tickers","event":"update",`+
		`"result":{"currency_pair":"BTC_USDT","last":"%d","lowest_ask":"67001.2","highest_bid":"67000.9",`+
		`"change_percentage":"1.52","base_volume":"1234.56","quote_volume":"82345678.9"}}`, seq)
}

// seqOf returns the sequence number of a ticker update.
func seqOf(tb testing.TB, data []byte) int {
	tb.Helper()
	var u struct {
		Result struct {
			Last string `json:"last"`
		} `json:"result"`
	}
	var n int
	if err := json.Unmarshal(data, &u); err != nil {
		tb.Fatalf("not a ticker: %s", data)
	}
	if _, err := fmt.Sscan(u.Result.Last, &n); err != nil {
		tb.Fatalf("not a ticker: %s", data)
	}
	return n
}

// subscribeTickers builds Gate.io's subscribe request for pair, with the
// current time as the venue requires.
func subscribeTickers(pair string) wsclient.MessageFunc {
	return func() ([]byte, error) {
		return fmt.Appendf(nil, `{"time":%d,"channel":"spot.tickers","event":"subscribe","payload":[%q]}`, time.Now().Unix(), pair), nil
	}
}

func gatePing() ([]byte, error) {
	return fmt.Appendf(nil, `{"time":%d,"channel":"spot.ping"}`, time.Now().Unix()), nil
}

// A recorder is a track.Recorder that keeps everything, for assertions.
type recorder struct {
	mu      sync.Mutex
	states  []string
	counts  map[string]int64
	results map[string]map[string]int // op → outcome → calls
	changed chan struct{}             // closed and replaced on every change
}

func newRecorder() *recorder {
	return &recorder{
		counts:  make(map[string]int64),
		results: make(map[string]map[string]int),
		changed: make(chan struct{}),
	}
}

func (r *recorder) Observe(op string, d time.Duration, outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.results[op] == nil {
		r.results[op] = make(map[string]int)
	}
	r.results[op][outcome]++
	r.notifyLocked()
}

func (r *recorder) State(name, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, state)
	r.notifyLocked()
}

func (r *recorder) Count(name string, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[name] += n
	r.notifyLocked()
}

func (r *recorder) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) count(name string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[name]
}

func (r *recorder) result(op, outcome string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results[op][outcome]
}

func (r *recorder) stateCount(state string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.states {
		if s == state {
			n++
		}
	}
	return n
}

// waitFor waits until cond, checked after every change, holds.
func (r *recorder) waitFor(ctx context.Context, tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for {
		r.mu.Lock()
		changed := r.changed
		r.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			tb.Fatalf("waiting for %s: %v", what, ctx.Err())
		}
	}
}
