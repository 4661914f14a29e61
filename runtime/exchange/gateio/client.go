package gateio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/asynclint/asynclint/runtime/httpclient"
	"github.com/asynclint/asynclint/runtime/internal/backoff"
	"github.com/asynclint/asynclint/runtime/track"
	"github.com/asynclint/asynclint/runtime/wsclient"
)

// Default endpoints of the venue.
const (
	DefaultURL     = "wss://api.gateio.ws/ws/v4/"
	DefaultRESTURL = "https://api.gateio.ws"
)

// Channels.
const (
	ChannelTickers    = "spot.tickers"
	ChannelBookTicker = "spot.book_ticker"
	ChannelTrades     = "spot.trades"
	ChannelOrderBook  = "spot.order_book_update"
)

// Options configure a Client. The zero value of every field selects its
// default.
type Options struct {
	// URL is the WebSocket endpoint. Default DefaultURL.
	URL string
	// RESTURL is the base of the REST API, from which order book snapshots
	// are fetched. Default DefaultRESTURL.
	RESTURL string
	// HTTP is the REST client. If nil, the Client makes one and closes it
	// on Close.
	HTTP *httpclient.Client

	// Handler receives the events. It is called from the Client's
	// goroutines, one call at a time, in order for each pair, and must not
	// call Close. It may call Book and Stats.
	Handler func(Event)
	// OnError, if set, is told of errors that do not stop the Client:
	// reconnect causes, venue error replies, malformed messages, failed
	// snapshots. It must not block.
	OnError func(error)

	// BookDepth is the REST snapshot's limit; match it to the depth the
	// book is expected to hold. Default 100.
	BookDepth int
	// BookInterval is the update interval requested for
	// spot.order_book_update, "100ms" or "20ms". Default "100ms".
	BookInterval string
	// MaxBuffer bounds the pushes buffered per book while its snapshot is
	// being fetched; the oldest are dropped beyond it. Default 10000.
	MaxBuffer int
	// SnapshotBackoff and SnapshotBackoffMax shape the wait between
	// snapshot attempts for one book (full jitter). Defaults 100 ms, 5 s.
	SnapshotBackoff    time.Duration
	SnapshotBackoffMax time.Duration

	// PingInterval is the time between spot.ping requests. Default 10 s.
	PingInterval time.Duration
	// StaleAfter replaces a connection on which nothing has arrived for
	// that long: a half-open connection. Default 30 s.
	StaleAfter time.Duration
	// Policy and QueueSize are the WebSocket client's back-pressure policy
	// and inbound queue (see wsclient). Default Block, 256.
	Policy    wsclient.Policy
	QueueSize int
	// SubscribeRate and SubscribeBurst limit the requests written,
	// resubscriptions after a reconnect included. Defaults 10/s, burst 10.
	SubscribeRate  rate.Limit
	SubscribeBurst int
	// BackoffBase and BackoffMax shape the reconnect waits (see wsclient).
	BackoffBase time.Duration
	BackoffMax  time.Duration

	// Name identifies the connection in measurements. Default "gateio".
	Name string
	// Recorder receives measurements: the WebSocket client's, the REST
	// client's when the Client makes it, and counters named "gateio.*"
	// matching Stats.
	Recorder track.Recorder
	// Now is the clock for the "time" field of requests. Default time.Now.
	Now func() time.Time
}

// Stats counts what a Client has done. Every field only grows.
type Stats struct {
	StreamGaps      int64 // inbound messages may be missing: reconnects and queue drops
	Resyncs         int64 // books emptied to be rebuilt from a snapshot
	Gaps            int64 // pushes whose U was beyond the book's next id
	Crossed         int64 // books found crossed (best bid >= best ask)
	Duplicates      int64 // pushes sent again after being applied (base < u <= the book's id), dropped
	FullResets      int64 // full:true pushes that replaced a book
	Snapshots       int64 // REST snapshots received
	SnapshotRetries int64 // snapshots older than the buffered pushes, fetched again
	SnapshotErrors  int64 // snapshot requests that failed
	Malformed       int64 // inbound messages that could not be decoded
	APIErrors       int64 // error replies from the venue
	Upgrades        int64 // upgrade notices, each followed by a reconnect
	Pongs           int64 // spot.pong replies
}

type counters struct {
	streamGaps, resyncs, gaps, crossed, duplicates, fullResets atomic.Int64
	snapshots, snapshotRetries, snapshotErrors, malformed      atomic.Int64
	apiErrors, upgrades, pongs                                 atomic.Int64
}

// A Client is a Gate.io spot WebSocket v4 market-data client that keeps
// local order books. Its methods may be called concurrently.
type Client struct {
	opts    Options
	ws      *wsclient.Conn
	http    *httpclient.Client
	ownHTTP bool
	rec     track.Recorder
	stats   counters
	nextID  atomic.Int64

	// emitMu serialises the Handler; it is taken before mu.
	emitMu sync.Mutex

	mu      sync.Mutex
	books   map[string]*localBook
	ids     map[int64]string // request id → subscription key
	waiters map[string][]chan error
	gen     uint64
	closed  bool
	wg      sync.WaitGroup // snapshot fetches

	closeOnce sync.Once
}

// Dial connects to the venue and returns a Client that Run keeps
// connected. Only the handshake is bounded by ctx.
func Dial(ctx context.Context, opts Options) (*Client, error) {
	o := opts
	if o.URL == "" {
		o.URL = DefaultURL
	}
	if o.RESTURL == "" {
		o.RESTURL = DefaultRESTURL
	}
	if o.BookDepth <= 0 {
		o.BookDepth = 100
	}
	if o.BookInterval == "" {
		o.BookInterval = "100ms"
	}
	if o.MaxBuffer <= 0 {
		o.MaxBuffer = 10000
	}
	if o.SnapshotBackoff <= 0 {
		o.SnapshotBackoff = 100 * time.Millisecond
	}
	if o.SnapshotBackoffMax <= 0 {
		o.SnapshotBackoffMax = 5 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 10 * time.Second
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = 30 * time.Second
	}
	if o.Name == "" {
		o.Name = "gateio"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Client{
		opts:    o,
		rec:     track.OrNop(o.Recorder),
		books:   make(map[string]*localBook),
		ids:     make(map[int64]string),
		waiters: make(map[string][]chan error),
		http:    o.HTTP,
	}
	var own *httpclient.Client
	if c.http == nil {
		own = httpclient.New(httpclient.Options{Name: o.Name + ".rest", Concurrency: 8, Recorder: o.Recorder})
	}
	ws, err := wsclient.Dial(ctx, o.URL, &wsclient.Options{
		Handler:      c.handle,
		Policy:       o.Policy,
		QueueSize:    o.QueueSize,
		SendRate:     o.SubscribeRate,
		SendBurst:    o.SubscribeBurst,
		PingInterval: o.PingInterval,
		AppPing:      c.ping,
		StaleAfter:   o.StaleAfter,
		BackoffBase:  o.BackoffBase,
		BackoffMax:   o.BackoffMax,
		Name:         o.Name,
		Recorder:     o.Recorder,
		OnError:      o.OnError,
	})
	if err != nil {
		if own != nil {
			own.Close()
		}
		return nil, fmt.Errorf("gateio: %w", err)
	}
	c.ws = ws
	if own != nil {
		c.http, c.ownHTTP = own, true
	}
	return c, nil
}

// Run keeps the Client connected and subscribed until ctx ends or Close is
// called, like wsclient.Conn.Run; it returns nil after Close and ctx's
// error when ctx ends first. Before returning it stops and waits for the
// snapshot fetches it started.
func (c *Client) Run(ctx context.Context) error {
	err := c.ws.Run(ctx)
	c.stopFetches()
	return err
}

// Close closes the connection with a close handshake and stops Run, and
// returns once every goroutine of the Client has exited. The handshake is
// bounded by ctx: if ctx has already ended when Close is called, or ends
// before the shutdown is complete, Close stops waiting for the venue and
// drops the connection, waits for the goroutines, and returns ctx's error.
// Otherwise it returns nil. It must not be called from the Handler. Close is
// idempotent; later calls wait and return likewise.
func (c *Client) Close(ctx context.Context) error {
	// An ended ctx ended first, whatever the race between the handshake and
	// the Conn noticing ctx: the result must not depend on it.
	ended := ctx.Err()
	err := c.ws.Close(ctx)
	if err == nil {
		err = ended
	}
	c.stopFetches()
	c.closeOnce.Do(func() {
		if c.ownHTTP {
			c.http.Close()
		}
	})
	return err
}

func (c *Client) stopFetches() {
	c.mu.Lock()
	c.closed = true
	for _, b := range c.books {
		b.stopFetch()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

// Stats returns the Client's counters.
func (c *Client) Stats() Stats {
	s := &c.stats
	return Stats{
		StreamGaps: s.streamGaps.Load(), Resyncs: s.resyncs.Load(), Gaps: s.gaps.Load(),
		Crossed: s.crossed.Load(), Duplicates: s.duplicates.Load(), FullResets: s.fullResets.Load(),
		Snapshots: s.snapshots.Load(), SnapshotRetries: s.snapshotRetries.Load(),
		SnapshotErrors: s.snapshotErrors.Load(), Malformed: s.malformed.Load(),
		APIErrors: s.apiErrors.Load(), Upgrades: s.upgrades.Load(), Pongs: s.pongs.Load(),
	}
}

func (c *Client) count(ctr *atomic.Int64, name string) {
	ctr.Add(1)
	c.rec.Count(name, 1)
}

// Book returns a copy of the local order book of pair, and false if pair's
// order book is not subscribed.
func (c *Client) Book(pair string) (Book, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.books[pair]
	if !ok {
		return Book{}, false
	}
	return b.copy(), true
}

// SubscribeTickers subscribes to spot.tickers for pairs.
func (c *Client) SubscribeTickers(ctx context.Context, pairs ...string) error {
	return c.subscribe(ctx, ChannelTickers, pairs)
}

// SubscribeBookTicker subscribes to spot.book_ticker for pairs.
func (c *Client) SubscribeBookTicker(ctx context.Context, pairs ...string) error {
	return c.subscribe(ctx, ChannelBookTicker, pairs)
}

// SubscribeTrades subscribes to spot.trades for pairs.
func (c *Client) SubscribeTrades(ctx context.Context, pairs ...string) error {
	return c.subscribe(ctx, ChannelTrades, pairs)
}

// SubscribeOrderBook subscribes to spot.order_book_update for pairs and
// keeps a local order book of each: see the package documentation.
func (c *Client) SubscribeOrderBook(ctx context.Context, pairs ...string) error {
	c.mu.Lock()
	for _, p := range pairs {
		if _, ok := c.books[p]; !ok {
			c.books[p] = newLocalBook(p)
		}
	}
	c.mu.Unlock()
	return c.subscribe(ctx, ChannelOrderBook, pairs)
}

// Unsubscribe unsubscribes from channel for pairs; unsubscribing from
// ChannelOrderBook drops the local books.
func (c *Client) Unsubscribe(ctx context.Context, channel string, pairs ...string) error {
	if channel == ChannelOrderBook {
		c.mu.Lock()
		for _, p := range pairs {
			if b, ok := c.books[p]; ok {
				b.stopFetch()
				delete(c.books, p)
			}
		}
		c.mu.Unlock()
	}
	var errs []error
	for _, p := range pairs {
		key := channel + " " + p
		errs = append(errs, c.ws.Unsubscribe(ctx, key, c.request(key, channel, "unsubscribe", c.payload(channel, p))))
	}
	return errors.Join(errs...)
}

func (c *Client) payload(channel, pair string) []string {
	if channel == ChannelOrderBook {
		return []string{pair, c.opts.BookInterval}
	}
	return []string{pair}
}

// subscribe sends a subscription per pair and waits for the venue's
// acknowledgements, returning the error replies as *APIError.
func (c *Client) subscribe(ctx context.Context, channel string, pairs []string) error {
	if len(pairs) == 0 {
		return errors.New("gateio: no currency pairs")
	}
	acks := make([]chan error, len(pairs))
	for i, p := range pairs {
		key := channel + " " + p
		acks[i] = make(chan error, 1)
		c.mu.Lock()
		c.waiters[key] = append(c.waiters[key], acks[i])
		c.mu.Unlock()
		if err := c.ws.Subscribe(ctx, key, c.request(key, channel, "subscribe", c.payload(channel, p))); err != nil {
			c.dropWaiter(key, acks[i])
			return fmt.Errorf("gateio: subscribing to %s: %w", key, err)
		}
	}
	var errs []error
	for i, p := range pairs {
		select {
		case err := <-acks[i]:
			errs = append(errs, err)
		case <-ctx.Done():
			for j := i; j < len(pairs); j++ {
				c.dropWaiter(channel+" "+pairs[j], acks[j])
			}
			return fmt.Errorf("gateio: waiting for the %s %s acknowledgement: %w", channel, p, ctx.Err())
		}
	}
	return errors.Join(errs...)
}

func (c *Client) dropWaiter(key string, ch chan error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ws := c.waiters[key]
	for i, w := range ws {
		if w == ch {
			c.waiters[key] = append(ws[:i:i], ws[i+1:]...)
			break
		}
	}
	if len(c.waiters[key]) == 0 {
		delete(c.waiters, key)
	}
}

// maxPendingIDs bounds the request ids remembered for acknowledgements that
// never came (requests lost with their connection).
const maxPendingIDs = 4096

type request struct {
	Time    int64    `json:"time"`
	ID      int64    `json:"id"`
	Channel string   `json:"channel"`
	Event   string   `json:"event"`
	Payload []string `json:"payload"`
}

// request builds a subscription request afresh at each send: a new id and
// the current time.
func (c *Client) request(key, channel, event string, payload []string) wsclient.MessageFunc {
	return func() ([]byte, error) {
		id := c.nextID.Add(1)
		c.mu.Lock()
		if len(c.ids) >= maxPendingIDs {
			clear(c.ids)
		}
		c.ids[id] = key
		c.mu.Unlock()
		return json.Marshal(request{Time: c.opts.Now().Unix(), ID: id, Channel: channel, Event: event, Payload: payload})
	}
}

func (c *Client) ping() ([]byte, error) {
	return fmt.Appendf(nil, `{"time":%d,"channel":"spot.ping"}`, c.opts.Now().Unix()), nil
}

// ack resolves the waiters of the subscription that request id was for.
func (c *Client) ack(id *int64, err error) {
	if id == nil {
		return
	}
	c.mu.Lock()
	key, ok := c.ids[*id]
	delete(c.ids, *id)
	var ws []chan error
	if ok {
		ws = c.waiters[key]
		delete(c.waiters, key)
	}
	c.mu.Unlock()
	for _, w := range ws {
		w <- err // buffered, one send per waiter
	}
}

// handle is the wsclient Handler: it runs on the dispatcher goroutine.
func (c *Client) handle(ctx context.Context, m wsclient.Message) error {
	if m.Gap {
		c.count(&c.stats.streamGaps, "gateio.stream_gap")
		c.resyncAll()
	}
	var env envelope
	if err := json.Unmarshal(m.Data, &env); err != nil {
		return c.malformed(m.Data, err)
	}
	if env.Type == "upgrade" {
		c.count(&c.stats.upgrades, "gateio.upgrade")
		return fmt.Errorf("gateio: upgrade notice %q: %w", env.Msg, wsclient.ErrReconnect)
	}
	if env.Error != nil {
		c.count(&c.stats.apiErrors, "gateio.api_error")
		err := &APIError{Channel: env.Channel, Event: env.Event, Code: env.Error.Code, Message: env.Error.Message}
		c.ack(env.ID, err)
		return err
	}
	if env.Event == "subscribe" || env.Event == "unsubscribe" {
		c.ack(env.ID, nil)
		return nil
	}
	switch env.Channel {
	case "spot.pong":
		c.count(&c.stats.pongs, "gateio.pong")
		return nil
	case ChannelTickers:
		var r tickerResult
		if err := json.Unmarshal(env.Result, &r); err != nil || r.CurrencyPair == "" {
			return c.malformed(m.Data, orMissing(err, "currency_pair"))
		}
		c.emit(&Ticker{
			Pair: r.CurrencyPair, Time: env.when(), Last: r.Last, LowestAsk: r.LowestAsk, HighestBid: r.HighestBid,
			ChangePercentage: r.ChangePercentage, BaseVolume: r.BaseVolume, QuoteVolume: r.QuoteVolume,
			High24h: r.High24h, Low24h: r.Low24h,
		})
	case ChannelBookTicker:
		var r bookTickerResult
		if err := json.Unmarshal(env.Result, &r); err != nil || r.S == "" {
			return c.malformed(m.Data, orMissing(err, "s"))
		}
		c.emit(&BookTicker{
			Pair: r.S, Time: time.UnixMilli(r.T), UpdateID: r.U, Bid: r.B, BidSize: r.BS, Ask: r.A, AskSize: r.AS,
		})
	case ChannelTrades:
		var r tradeResult
		if err := json.Unmarshal(env.Result, &r); err != nil || r.CurrencyPair == "" {
			return c.malformed(m.Data, orMissing(err, "currency_pair"))
		}
		t := time.Unix(r.CreateTime, 0)
		if ms, err := msFromNumber(r.CreateTimeMs); err == nil && ms > 0 {
			t = time.UnixMilli(ms)
		}
		c.emit(&Trade{Pair: r.CurrencyPair, ID: r.ID, Time: t, Side: r.Side, Amount: r.Amount, Price: r.Price})
	case ChannelOrderBook:
		var r bookUpdateResult
		if err := json.Unmarshal(env.Result, &r); err != nil || r.S == "" {
			// The book has lost an update it cannot read: rebuild it.
			if r.S != "" {
				c.resyncPair(r.S)
			}
			return c.malformed(m.Data, orMissing(err, "s"))
		}
		if r.LastU < r.U {
			c.resyncPair(r.S)
			return c.malformed(m.Data, fmt.Errorf("update ids U=%d > u=%d", r.U, r.LastU))
		}
		c.onBookUpdate(ctx, &r)
	}
	return nil
}

func orMissing(err error, field string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("missing %q", field)
}

// msFromNumber reads create_time_ms, which the venue sends as a number
// with a fraction ("1606292218213.4578").
func msFromNumber(n json.Number) (int64, error) {
	ms, _, _ := strings.Cut(string(n), ".")
	return strconv.ParseInt(ms, 10, 64)
}

func (c *Client) malformed(data []byte, err error) error {
	c.count(&c.stats.malformed, "gateio.malformed")
	return &wsclient.DecodeError{Data: append([]byte(nil), data[:min(len(data), 256)]...), Err: err}
}

// emit hands events to the Handler, one call at a time.
func (c *Client) emit(evs ...Event) {
	if c.opts.Handler == nil || len(evs) == 0 {
		return
	}
	c.emitMu.Lock()
	defer c.emitMu.Unlock()
	for _, e := range evs {
		c.opts.Handler(e)
	}
}

// resyncAll empties every book after messages may have been lost; each
// is rebuilt once its pushes arrive on the new connection.
func (c *Client) resyncAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.books {
		c.resync(b)
	}
}

func (c *Client) resyncPair(pair string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.books[pair]; ok {
		c.resync(b)
	}
}

// resync empties b; the next push starts a snapshot fetch. c.mu is held.
func (c *Client) resync(b *localBook) {
	if !b.synced && len(b.buffer) == 0 && b.fetching == 0 {
		return // already waiting for its first push
	}
	b.unsync()
	c.count(&c.stats.resyncs, "gateio.resync")
}

// onBookUpdate applies the book synchronisation rules to one push.
func (c *Client) onBookUpdate(ctx context.Context, u *bookUpdateResult) {
	c.emitMu.Lock()
	defer c.emitMu.Unlock()
	var out Event
	c.mu.Lock()
	b, ok := c.books[u.S]
	switch {
	case !ok:
	case u.Full:
		b.stopFetch()
		b.buffer = nil
		b.replace(u.LastU, time.UnixMilli(u.T), u.B, u.A)
		b.synced = true
		c.count(&c.stats.fullResets, "gateio.full_reset")
		if b.crossed() {
			c.count(&c.stats.crossed, "gateio.crossed")
			c.resync(b)
		} else {
			out = b.snapshot(ReasonFull)
		}
	case !b.synced:
		c.buffer(ctx, b, u)
	case u.LastU <= b.base:
		// Covered by the snapshot the book was built from: a push that was
		// still on its way when the snapshot was installed. Dropped like
		// the buffered pushes the snapshot covered, and not a duplicate,
		// so that Duplicates does not depend on which of the REST reply
		// and the pushes arrived first.
	case u.LastU <= b.id:
		c.count(&c.stats.duplicates, "gateio.duplicate")
	case u.U > b.id+1:
		c.count(&c.stats.gaps, "gateio.gap")
		c.resync(b)
		c.buffer(ctx, b, u)
	default:
		ev := b.apply(u)
		if b.crossed() {
			c.count(&c.stats.crossed, "gateio.crossed")
			c.resync(b)
		} else {
			out = ev
		}
	}
	c.mu.Unlock()
	if out != nil && c.opts.Handler != nil {
		c.opts.Handler(out)
	}
}

// buffer keeps a push for after the snapshot, and starts fetching one if
// none is in flight. c.mu is held.
func (c *Client) buffer(ctx context.Context, b *localBook, u *bookUpdateResult) {
	if len(b.buffer) >= c.opts.MaxBuffer {
		b.buffer = b.buffer[1:]
	}
	b.buffer = append(b.buffer, u)
	if b.fetching != 0 || c.closed {
		return
	}
	c.gen++
	gen := c.gen
	fctx, cancel := context.WithCancel(ctx)
	b.fetching, b.cancel = gen, cancel
	c.wg.Add(1)
	go c.fetch(fctx, cancel, b, gen)
}

// fetch gets snapshots for b until one fits its buffered pushes, b no
// longer wants this fetch, or ctx ends.
func (c *Client) fetch(ctx context.Context, cancel context.CancelFunc, b *localBook, gen uint64) {
	defer c.wg.Done()
	defer cancel()
	for attempt := 1; ; attempt++ {
		snap, err := c.snapshot(ctx, b.pair)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.count(&c.stats.snapshotErrors, "gateio.snapshot_error")
			if c.opts.OnError != nil {
				c.opts.OnError(err)
			}
		} else {
			c.count(&c.stats.snapshots, "gateio.snapshot")
			if c.install(b, gen, snap) {
				return
			}
			c.count(&c.stats.snapshotRetries, "gateio.snapshot_retry")
		}
		wait := time.Duration(rand.Int64N(int64(backoff.Ceiling(c.opts.SnapshotBackoff, c.opts.SnapshotBackoffMax, attempt)) + 1))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

func (c *Client) snapshot(ctx context.Context, pair string) (*restBook, error) {
	u := fmt.Sprintf("%s/api/v4/spot/order_book?currency_pair=%s&limit=%d&with_id=true",
		c.opts.RESTURL, url.QueryEscape(pair), c.opts.BookDepth)
	var rb restBook
	if err := c.http.GetJSON(ctx, u, &rb, httpclient.Op("GET /api/v4/spot/order_book")); err != nil {
		return nil, fmt.Errorf("gateio: %s order book snapshot: %w", pair, err)
	}
	if rb.ID <= 0 {
		return nil, fmt.Errorf("gateio: %s order book snapshot without an id", pair)
	}
	return &rb, nil
}

// install builds b from snap and the buffered pushes. It reports false when
// snap is older than the first buffered push, or the result is not
// consistent, so that another snapshot is needed.
func (c *Client) install(b *localBook, gen uint64, snap *restBook) bool {
	c.emitMu.Lock()
	defer c.emitMu.Unlock()
	c.mu.Lock()
	if b.fetching != gen || c.books[b.pair] != b {
		c.mu.Unlock()
		return true // superseded
	}
	i := 0
	for i < len(b.buffer) && b.buffer[i].LastU <= snap.ID {
		i++
	}
	b.buffer = b.buffer[i:]
	if len(b.buffer) > 0 && b.buffer[0].U > snap.ID+1 {
		c.mu.Unlock()
		return false
	}
	b.replace(snap.ID, time.UnixMilli(snap.Update), snap.Bids, snap.Asks)
	for j, u := range b.buffer {
		if u.LastU <= b.id {
			c.count(&c.stats.duplicates, "gateio.duplicate")
			continue
		}
		if u.U > b.id+1 {
			// A gap inside the buffer: start over from this push.
			c.count(&c.stats.gaps, "gateio.gap")
			b.buffer = b.buffer[j:]
			c.mu.Unlock()
			return false
		}
		b.apply(u)
	}
	b.buffer = nil
	if b.crossed() {
		c.count(&c.stats.crossed, "gateio.crossed")
		b.bids.levels, b.asks.levels = nil, nil
		c.mu.Unlock()
		return false
	}
	b.synced = true
	b.fetching, b.cancel = 0, nil
	ev := b.snapshot(ReasonSync)
	c.mu.Unlock()
	if c.opts.Handler != nil {
		c.opts.Handler(ev)
	}
	return true
}
