package venuetest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// GateOptions configure a fake Gate.io venue. The zero value is usable.
type GateOptions struct {
	// Seed makes the market deterministic: the same seed and the same
	// calls to Step give the same books, prices and trades.
	Seed uint64
	// Pairs are the currency pairs listed. Default BTC_USDT and ETH_USDT.
	Pairs []string
	// Levels is the number of price levels kept near the mid on each side.
	// Default 10.
	Levels int
	// Interval, if positive, steps the market on its own that often;
	// otherwise it moves only on Step.
	Interval time.Duration
	// SendQueue bounds the pushes waiting to be written to one
	// connection. A connection whose queue overflows is a slow consumer:
	// the venue drops it, as the real one does. Default 4096.
	SendQueue int
}

// GateBook is a copy of one of the fake's order books.
type GateBook struct {
	ID   int64
	Bids [][2]string // price, amount; best (highest) first
	Asks [][2]string // best (lowest) first
}

// Gate is a fake Gate.io spot venue on loopback: a WebSocket v4 server
// (spot.tickers, spot.book_ticker, spot.trades, spot.order_book_update,
// spot.ping) and the REST order book snapshot, driven by a deterministic
// seeded market, with switches for the faults the real venue shows. Its
// methods may be called concurrently.
type Gate struct {
	opts   GateOptions
	srv    *httptest.Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // handlers, the market ticker, delayed closes

	accepted  atomic.Int64
	pings     atomic.Int64
	requests  atomic.Int64 // subscribe and unsubscribe requests
	snapshots atomic.Int64 // REST snapshot requests
	slow      atomic.Int64 // connections dropped as slow consumers

	mu        sync.Mutex
	rng       *rand.Rand
	markets   map[string]*gateMarket
	conns     map[*gateConn]struct{}
	tradeID   int64
	staleN    int // snapshots still to serve stale
	staleLag  int
	failN     int // snapshot requests still to fail
	closeOnce sync.Once
}

// gateMarket is one pair's order book, in ticks of 0.01 (price) and
// 0.001 (amount).
type gateMarket struct {
	pair    string
	id      int64
	mid     int64
	bids    map[int64]int64
	asks    map[int64]int64
	last    int64
	history []gateSnap // recent books, newest last, for stale snapshots
	skip    int        // updates still to be applied but not sent
	dup     int        // updates still to be sent twice
}

type gateSnap struct {
	id         int64
	bids, asks map[int64]int64
}

const gateHistory = 256

type gateConn struct {
	ws       *websocket.Conn
	raw      net.Conn
	out      chan []byte
	ctx      context.Context
	cancel   context.CancelFunc
	closeReq chan websocket.StatusCode
	silent   atomic.Bool
	subs     map[string]bool // "channel pair", guarded by Gate.mu
	slow     bool            // dropped as a slow consumer, guarded by Gate.mu
}

type gateRawConnKey struct{}

// NewGate starts a fake Gate.io venue. Close it when done.
func NewGate(opts GateOptions) *Gate {
	if len(opts.Pairs) == 0 {
		opts.Pairs = []string{"BTC_USDT", "ETH_USDT"}
	}
	if opts.Levels <= 0 {
		opts.Levels = 10
	}
	if opts.SendQueue <= 0 {
		opts.SendQueue = 4096
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &Gate{
		opts:    opts,
		ctx:     ctx,
		cancel:  cancel,
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		markets: make(map[string]*gateMarket),
		conns:   make(map[*gateConn]struct{}),
	}
	for i, p := range opts.Pairs {
		m := &gateMarket{pair: p, id: 1000 * int64(i+1), mid: 100000 * int64(i+1),
			bids: make(map[int64]int64), asks: make(map[int64]int64)}
		m.last = m.mid
		for k := 1; k <= opts.Levels; k++ {
			m.bids[m.mid-int64(k)] = 1 + g.rng.Int64N(5000)
			m.asks[m.mid+int64(k)] = 1 + g.rng.Int64N(5000)
		}
		m.remember()
		g.markets[p] = m
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws/v4/", g.serveWS)
	mux.HandleFunc("GET /api/v4/spot/order_book", g.serveBook)
	g.srv = httptest.NewUnstartedServer(mux)
	g.srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, gateRawConnKey{}, c)
	}
	g.srv.Start()
	if opts.Interval > 0 {
		g.wg.Add(1)
		go g.tick(opts.Interval)
	}
	return g
}

// URL returns the WebSocket endpoint, ws://127.0.0.1:port/ws/v4/.
func (g *Gate) URL() string { return "ws" + strings.TrimPrefix(g.srv.URL, "http") + "/ws/v4/" }

// RESTURL returns the base of the REST API, http://127.0.0.1:port.
func (g *Gate) RESTURL() string { return g.srv.URL }

// Close stops the venue, dropping every connection, and waits for its
// goroutines.
func (g *Gate) Close() {
	g.closeOnce.Do(func() {
		g.cancel()
		g.mu.Lock()
		for c := range g.conns {
			c.cancel()
		}
		g.mu.Unlock()
		g.srv.CloseClientConnections()
		g.srv.Close()
		g.wg.Wait()
	})
}

func (g *Gate) tick(d time.Duration) {
	defer g.wg.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			g.Step(1)
		case <-g.ctx.Done():
			return
		}
	}
}

// Accepted returns the number of WebSocket connections accepted so far.
func (g *Gate) Accepted() int64 { return g.accepted.Load() }

// Pings returns the number of spot.ping requests received.
func (g *Gate) Pings() int64 { return g.pings.Load() }

// Requests returns the number of subscribe and unsubscribe requests.
func (g *Gate) Requests() int64 { return g.requests.Load() }

// SnapshotRequests returns the number of REST order book requests.
func (g *Gate) SnapshotRequests() int64 { return g.snapshots.Load() }

// SlowConsumers returns the number of connections dropped because their
// send queue overflowed (see GateOptions.SendQueue).
func (g *Gate) SlowConsumers() int64 { return g.slow.Load() }

// Connections returns the number of open WebSocket connections. A
// connection counts from before its opening handshake completes, so that
// once a client's dial has returned, the methods acting on every open
// connection reach it too.
func (g *Gate) Connections() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.conns)
}

// Subscribers returns how many open connections are subscribed to channel
// for pair.
func (g *Gate) Subscribers(channel, pair string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for c := range g.conns {
		if c.subs[channel+" "+pair] {
			n++
		}
	}
	return n
}

// Book returns a copy of pair's order book, and its update id.
func (g *Gate) Book(pair string) GateBook {
	g.mu.Lock()
	defer g.mu.Unlock()
	m, ok := g.markets[pair]
	if !ok {
		return GateBook{}
	}
	return GateBook{ID: m.id, Bids: gateLevels(m.bids, true, 0), Asks: gateLevels(m.asks, false, 0)}
}

// Step moves every pair's market n times, pushing each change to the
// subscribed connections: an order book update, a ticker, a book ticker
// and sometimes a trade.
func (g *Gate) Step(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for range n {
		for _, p := range g.opts.Pairs {
			g.step(g.markets[p])
		}
	}
}

// SkipUpdates makes the next n order book updates of pair change the book
// without being sent: a sequence gap.
func (g *Gate) SkipUpdates(pair string, n int) {
	g.withMarket(pair, func(m *gateMarket) { m.skip += n })
}

// DuplicateUpdates makes the next n order book updates of pair be sent
// twice.
func (g *Gate) DuplicateUpdates(pair string, n int) {
	g.withMarket(pair, func(m *gateMarket) { m.dup += n })
}

// PushFull sends pair's whole book as a full:true update, under a new
// update id.
func (g *Gate) PushFull(pair string) {
	g.withMarket(pair, func(m *gateMarket) {
		m.id++
		m.remember()
		res := map[string]any{"t": time.Now().UnixMilli(), "full": true, "l": "100", "s": m.pair,
			"U": m.id, "u": m.id, "b": gateLevels(m.bids, true, 0), "a": gateLevels(m.asks, false, 0)}
		g.push("spot.order_book_update", m.pair, res)
	})
}

// StaleSnapshots makes the next n REST snapshots lag updates old (at most
// the history kept, 256), as a snapshot served from a lagging replica.
func (g *Gate) StaleSnapshots(n, lag int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.staleN, g.staleLag = n, lag
}

// FailSnapshots makes the next n REST snapshot requests fail with 500.
func (g *Gate) FailSnapshots(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failN = n
}

// SendRaw writes msg as a text message to every open connection: for
// malformed frames and other messages the market would not produce.
func (g *Gate) SendRaw(msg []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		g.enqueue(c, msg)
	}
}

// DropConnections closes every open connection's TCP socket with no
// close frame.
func (g *Gate) DropConnections() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		c.raw.Close()
	}
}

// CloseConnections closes every open connection with a close frame with
// code, such as websocket.StatusGoingAway (1001) or
// websocket.StatusInternalError (1011).
func (g *Gate) CloseConnections(code websocket.StatusCode) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		select {
		case c.closeReq <- code:
		default:
		}
	}
}

// HalfOpen makes every open connection stop answering requests and
// spot.ping and stop pushing, while its TCP connection stays up: a
// half-open connection that only the client's liveness checks can detect.
// The WebSocket library still answers protocol pings and close frames, so
// that the connection ends when the client gives up on it. New connections
// behave normally.
func (g *Gate) HalfOpen() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		c.silent.Store(true)
	}
}

// Upgrade sends the {"type":"upgrade"} notice to every open connection,
// and closes them with 1001 after grace, as the venue does before
// maintenance.
func (g *Gate) Upgrade(grace time.Duration) {
	g.mu.Lock()
	victims := make([]*gateConn, 0, len(g.conns))
	for c := range g.conns {
		g.enqueue(c, []byte(`{"type":"upgrade","msg":"the server is going to be upgraded, please reconnect"}`))
		victims = append(victims, c)
	}
	g.mu.Unlock()
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
		case <-g.ctx.Done():
			return
		}
		for _, c := range victims {
			select {
			case c.closeReq <- websocket.StatusGoingAway:
			default:
			}
		}
	}()
}

func (g *Gate) withMarket(pair string, f func(*gateMarket)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if m, ok := g.markets[pair]; ok {
		f(m)
	}
}

func (m *gateMarket) remember() {
	if len(m.history) == gateHistory {
		m.history = slices.Delete(m.history, 0, 1)
	}
	m.history = append(m.history, gateSnap{id: m.id, bids: maps.Clone(m.bids), asks: maps.Clone(m.asks)})
}

func gatePrice(t int64) string  { return fmt.Sprintf("%d.%02d", t/100, t%100) }
func gateAmount(a int64) string { return fmt.Sprintf("%d.%03d", a/1000, a%1000) }

// gateLevels lists a side best first, at most limit levels (0: all).
func gateLevels(side map[int64]int64, desc bool, limit int) [][2]string {
	prices := make([]int64, 0, len(side))
	for p := range side {
		prices = append(prices, p)
	}
	slices.Sort(prices)
	if desc {
		slices.Reverse(prices)
	}
	if limit > 0 && len(prices) > limit {
		prices = prices[:limit]
	}
	out := make([][2]string, len(prices))
	for i, p := range prices {
		out[i] = [2]string{gatePrice(p), gateAmount(side[p])}
	}
	return out
}

// step makes one to three changes to m's book under new update ids and
// pushes them. g.mu is held.
func (g *Gate) step(m *gateMarket) {
	var bids, asks [][2]string
	set := func(bid bool, price, amount int64) {
		side, list := m.asks, &asks
		if bid {
			side, list = m.bids, &bids
		}
		if amount == 0 {
			delete(side, price)
		} else {
			side[price] = amount
		}
		*list = append(*list, [2]string{gatePrice(price), gateAmount(amount)})
	}
	first := m.id + 1
	changes := 1 + g.rng.IntN(3)
	for range changes {
		m.id++
		switch g.rng.IntN(10) {
		case 0: // the mid moves a tick; levels it crosses or leaves far behind go
			if g.rng.IntN(2) == 0 {
				m.mid++
				if _, ok := m.asks[m.mid]; ok {
					set(false, m.mid, 0)
				}
				if _, ok := m.bids[m.mid-int64(2*g.opts.Levels)]; ok {
					set(true, m.mid-int64(2*g.opts.Levels), 0)
				}
			} else {
				m.mid--
				if _, ok := m.bids[m.mid]; ok {
					set(true, m.mid, 0)
				}
				if _, ok := m.asks[m.mid+int64(2*g.opts.Levels)]; ok {
					set(false, m.mid+int64(2*g.opts.Levels), 0)
				}
			}
		default:
			bid := g.rng.IntN(2) == 0
			k := 1 + g.rng.Int64N(int64(g.opts.Levels))
			price := m.mid + k
			if bid {
				price = m.mid - k
			}
			amount := int64(0)
			if g.rng.IntN(5) != 0 {
				amount = 1 + g.rng.Int64N(5000)
			}
			set(bid, price, amount)
		}
	}
	m.remember()
	now := time.Now()
	if m.skip > 0 {
		m.skip--
	} else {
		upd := map[string]any{"t": now.UnixMilli(), "l": "100", "s": m.pair, "U": first, "u": m.id,
			"b": nonNil(bids), "a": nonNil(asks)}
		g.push("spot.order_book_update", m.pair, upd)
		if m.dup > 0 {
			m.dup--
			g.push("spot.order_book_update", m.pair, upd)
		}
	}
	bb, ba := gateLevels(m.bids, true, 1), gateLevels(m.asks, false, 1)
	twoSided := len(bb) > 0 && len(ba) > 0
	if twoSided {
		g.push("spot.book_ticker", m.pair, map[string]any{"t": now.UnixMilli(), "u": m.id, "s": m.pair,
			"b": bb[0][0], "B": bb[0][1], "a": ba[0][0], "A": ba[0][1]})
	}
	// The draw comes first whatever the book, so that a seed replays.
	if g.rng.IntN(3) == 0 && twoSided {
		g.tradeID++
		side, px := "buy", ba[0][0]
		if g.rng.IntN(2) == 0 {
			side, px = "sell", bb[0][0]
		}
		m.last, _ = strconv.ParseInt(strings.Replace(px, ".", "", 1), 10, 64)
		g.push("spot.trades", m.pair, map[string]any{
			"id": g.tradeID, "create_time": now.Unix(),
			"create_time_ms": json.Number(fmt.Sprintf("%d.%04d", now.UnixMilli(), g.rng.IntN(10000))),
			"side":           side, "currency_pair": m.pair, "amount": gateAmount(1 + g.rng.Int64N(1000)), "price": px,
		})
	}
	g.push("spot.tickers", m.pair, map[string]any{
		"currency_pair": m.pair, "last": gatePrice(m.last), "lowest_ask": ba0(ba), "highest_bid": ba0(bb),
		"change_percentage": "-1.25", "base_volume": "1234.567", "quote_volume": "98765432.10",
		"high_24h": gatePrice(m.mid + 500), "low_24h": gatePrice(m.mid - 500),
	})
}

func nonNil(l [][2]string) [][2]string {
	if l == nil {
		return [][2]string{}
	}
	return l
}

func ba0(l [][2]string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0][0]
}

// push sends an update on channel to the connections subscribed for pair.
// g.mu is held.
func (g *Gate) push(channel, pair string, result any) {
	key := channel + " " + pair
	var msg []byte
	for c := range g.conns {
		if !c.subs[key] {
			continue
		}
		if msg == nil {
			msg = gateReply(channel, "update", nil, nil, result)
		}
		g.enqueue(c, msg)
	}
}

// enqueue queues msg for c, dropping c if it cannot keep up. g.mu is held.
func (g *Gate) enqueue(c *gateConn, msg []byte) {
	if c.silent.Load() {
		return
	}
	select {
	case c.out <- msg:
	default:
		if !c.slow {
			c.slow = true
			g.slow.Add(1)
		}
		c.cancel() // slow consumer
	}
}

func gateReply(channel, event string, id *int64, errBody any, result any) []byte {
	now := time.Now()
	b, err := json.Marshal(map[string]any{"time": now.Unix(), "time_ms": now.UnixMilli(), "id": id,
		"channel": channel, "event": event, "error": errBody, "result": result})
	if err != nil {
		panic(err) // only maps, strings and numbers: cannot fail
	}
	return b
}

func (g *Gate) serveWS(w http.ResponseWriter, r *http.Request) {
	g.wg.Add(1)
	defer g.wg.Done()
	raw, _ := r.Context().Value(gateRawConnKey{}).(net.Conn)
	ctx, cancel := context.WithCancel(g.ctx)
	defer cancel()
	c := &gateConn{raw: raw, out: make(chan []byte, g.opts.SendQueue), ctx: ctx, cancel: cancel,
		closeReq: make(chan websocket.StatusCode, 1), subs: make(map[string]bool)}
	// The connection is registered before the handshake's response is
	// written: the client may act on the venue as soon as its dial returns,
	// and a fault injected then (Upgrade, HalfOpen, ...) must reach it. The
	// faults only queue work for the writer, which starts below.
	g.mu.Lock()
	g.conns[c] = struct{}{}
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.conns, c)
		g.mu.Unlock()
	}()
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer func() { _ = ws.CloseNow() }()
	ws.SetReadLimit(1 << 20)
	c.ws = ws
	g.accepted.Add(1)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer cancel()
		g.write(c)
	}()
	g.read(c)
	cancel()
	wg.Wait()
}

func (g *Gate) write(c *gateConn) {
	for {
		select {
		case msg := <-c.out:
			if err := c.ws.Write(c.ctx, websocket.MessageText, msg); err != nil {
				return
			}
		case code := <-c.closeReq:
			c.ws.Close(code, "closed by the fake venue")
			return
		case <-c.ctx.Done():
			return
		}
	}
}

type gateRequest struct {
	Time    int64             `json:"time"`
	ID      *int64            `json:"id"`
	Channel string            `json:"channel"`
	Event   string            `json:"event"`
	Payload []json.RawMessage `json:"payload"`
}

func (g *Gate) read(c *gateConn) {
	for {
		_, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		if c.silent.Load() {
			continue // half-open: answer nothing, but notice the client leaving
		}
		g.mu.Lock()
		g.answer(c, data)
		g.mu.Unlock()
	}
}

// answer handles one request. g.mu is held, so that an acknowledgement is
// queued before the first push of its subscription.
func (g *Gate) answer(c *gateConn, data []byte) {
	var req gateRequest
	if err := json.Unmarshal(data, &req); err != nil {
		g.enqueue(c, gateReply("", "", nil, gateErr(1, "invalid request body"), nil))
		return
	}
	if req.Channel == "spot.ping" {
		g.pings.Add(1)
		g.enqueue(c, gateReply("spot.pong", "", req.ID, nil, nil))
		return
	}
	if req.Event != "subscribe" && req.Event != "unsubscribe" {
		g.enqueue(c, gateReply(req.Channel, req.Event, req.ID, gateErr(2, "unknown event "+req.Event), nil))
		return
	}
	g.requests.Add(1)
	fail := func(msg string) {
		g.enqueue(c, gateReply(req.Channel, req.Event, req.ID, gateErr(2, msg), nil))
	}
	switch req.Channel {
	case "spot.tickers", "spot.book_ticker", "spot.trades", "spot.order_book_update":
	default:
		fail("unknown channel " + req.Channel)
		return
	}
	if len(req.Payload) == 0 {
		fail("empty payload")
		return
	}
	var args []string
	for _, p := range req.Payload {
		var s string
		if err := json.Unmarshal(p, &s); err != nil {
			fail("payload must be strings")
			return
		}
		args = append(args, s)
	}
	pairs := args
	if req.Channel == "spot.order_book_update" {
		if len(args) != 2 || (args[1] != "100ms" && args[1] != "20ms") {
			fail("payload must be [currency_pair, \"100ms\"|\"20ms\"]")
			return
		}
		pairs = args[:1]
	}
	for _, p := range pairs {
		if _, ok := g.markets[p]; !ok {
			fail("unknown currency pair " + p)
			return
		}
	}
	for _, p := range pairs {
		if req.Event == "subscribe" {
			c.subs[req.Channel+" "+p] = true
		} else {
			delete(c.subs, req.Channel+" "+p)
		}
	}
	g.enqueue(c, gateReply(req.Channel, req.Event, req.ID, nil, map[string]string{"status": "success"}))
}

func gateErr(code int, msg string) map[string]any {
	return map[string]any{"code": code, "message": msg}
}

// serveBook is GET /api/v4/spot/order_book.
func (g *Gate) serveBook(w http.ResponseWriter, r *http.Request) {
	g.snapshots.Add(1)
	q := r.URL.Query()
	pair := q.Get("currency_pair")
	limit := 10
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > 1000 {
			gateHTTPError(w, http.StatusBadRequest, "INVALID_PARAM_VALUE", "invalid limit "+s)
			return
		}
		limit = n
	}
	g.mu.Lock()
	if g.failN > 0 {
		g.failN--
		g.mu.Unlock()
		gateHTTPError(w, http.StatusInternalServerError, "SERVER_ERROR", "injected failure")
		return
	}
	m, ok := g.markets[pair]
	if !ok {
		g.mu.Unlock()
		gateHTTPError(w, http.StatusBadRequest, "INVALID_CURRENCY_PAIR", "unknown currency pair "+pair)
		return
	}
	snap := m.history[len(m.history)-1]
	if g.staleN > 0 {
		g.staleN--
		snap = m.history[max(0, len(m.history)-1-g.staleLag)]
	}
	now := time.Now().UnixMilli()
	body := map[string]any{"current": now, "update": now,
		"bids": gateLevels(snap.bids, true, limit), "asks": gateLevels(snap.asks, false, limit)}
	if q.Get("with_id") == "true" {
		body["id"] = snap.id
	}
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body) // the client sees a cut reply
}

func gateHTTPError(w http.ResponseWriter, status int, label, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"label": label, "message": msg})
}
