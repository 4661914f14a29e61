package gateio_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
	"github.com/asynclint/asynclint/runtime/exchange/gateio"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
	"github.com/asynclint/asynclint/runtime/httpclient"
	"github.com/asynclint/asynclint/runtime/wsclient"
)

const pair = "BTC_USDT"

func isSnapshot(reason string) func(gateio.Event) bool {
	return func(e gateio.Event) bool {
		s, ok := e.(*gateio.BookSnapshot)
		return ok && s.Reason == reason
	}
}

func TestOrderBookFollowsTheVenue(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 1}, gateio.Options{})
	r.syncedBook(pair)
	for range 5 {
		r.venue.Step(40)
		r.waitBookMatches(pair)
	}
	if n := len(r.eventsOf(isSnapshot(gateio.ReasonSync))); n != 1 {
		t.Errorf("%d sync snapshots, want 1", n)
	}
	ups := r.eventsOf(func(e gateio.Event) bool { _, ok := e.(*gateio.BookUpdate); return ok })
	if len(ups) == 0 {
		t.Fatal("no BookUpdate events")
	}
	for i := 1; i < len(ups); i++ {
		prev, cur := ups[i-1].(*gateio.BookUpdate), ups[i].(*gateio.BookUpdate)
		if cur.FirstID != prev.LastID+1 {
			t.Fatalf("update %d: U=%d after u=%d", i, cur.FirstID, prev.LastID)
		}
	}
	last := ups[len(ups)-1].(*gateio.BookUpdate)
	b, _ := r.client.Book(pair)
	bb, _ := b.BestBid()
	ba, _ := b.BestAsk()
	if !last.BestBid.Price.Equal(bb.Price) || !last.BestAsk.Price.Equal(ba.Price) {
		t.Errorf("last update's best %s/%s, book's %s/%s", last.BestBid, last.BestAsk, bb, ba)
	}
	if s := r.client.Stats(); s.Resyncs != 0 || s.Gaps != 0 || s.Crossed != 0 || s.Malformed != 0 {
		t.Errorf("stats on a clean feed: %+v", s)
	}
	// The other pair is not subscribed.
	if _, ok := r.client.Book("ETH_USDT"); ok {
		t.Error("Book of an unsubscribed pair")
	}
}

func TestTypedEvents(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 2}, gateio.Options{})
	ctx := r.ctx()
	for _, sub := range []func(context.Context, ...string) error{
		r.client.SubscribeTickers, r.client.SubscribeBookTicker, r.client.SubscribeTrades,
	} {
		if err := sub(ctx, pair, "ETH_USDT"); err != nil {
			t.Fatal(err)
		}
	}
	r.venue.Step(30)
	var tickers, bookTickers, trades []gateio.Event
	r.waitFor("tickers, book tickers and trades", func() bool {
		tickers = r.eventsOf(func(e gateio.Event) bool { _, ok := e.(*gateio.Ticker); return ok })
		bookTickers = r.eventsOf(func(e gateio.Event) bool { _, ok := e.(*gateio.BookTicker); return ok })
		trades = r.eventsOf(func(e gateio.Event) bool { _, ok := e.(*gateio.Trade); return ok })
		return len(tickers) == 60 && len(bookTickers) == 60 && len(trades) > 0
	})
	pairs := map[string]bool{}
	for _, e := range tickers {
		tk := e.(*gateio.Ticker)
		pairs[tk.CurrencyPair()] = true
		if tk.Last.Sign() <= 0 || tk.LowestAsk.Cmp(tk.HighestBid) <= 0 || tk.Time.IsZero() {
			t.Errorf("ticker %+v", tk)
		}
		if tk.ChangePercentage.String() != "-1.25" || tk.QuoteVolume.String() != "98765432.10" {
			t.Errorf("ticker decimals not exact: %s %s", tk.ChangePercentage, tk.QuoteVolume)
		}
	}
	if !pairs[pair] || !pairs["ETH_USDT"] {
		t.Errorf("tickers for %v", pairs)
	}
	for _, e := range bookTickers {
		bt := e.(*gateio.BookTicker)
		if bt.Bid.Cmp(bt.Ask) >= 0 || bt.BidSize.Sign() <= 0 || bt.AskSize.Sign() <= 0 || bt.UpdateID == 0 {
			t.Errorf("book ticker %+v", bt)
		}
	}
	for _, e := range trades {
		tr := e.(*gateio.Trade)
		if (tr.Side != "buy" && tr.Side != "sell") || tr.Price.Sign() <= 0 || tr.Amount.Sign() <= 0 || tr.ID == 0 {
			t.Errorf("trade %+v", tr)
		}
	}
	// Unsubscribing stops the pushes.
	if err := r.client.Unsubscribe(ctx, gateio.ChannelTickers, pair, "ETH_USDT"); err != nil {
		t.Fatal(err)
	}
	r.waitFor("the venue to drop the subscription", func() bool {
		return r.venue.Subscribers(gateio.ChannelTickers, pair) == 0
	})
}

func TestSubscribeUnknownPair(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 3}, gateio.Options{})
	err := r.client.SubscribeTickers(r.ctx(), "NOPE_USDT")
	var apiErr *gateio.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != gateio.CodeBadArgument ||
		!strings.Contains(apiErr.Message, "unknown currency pair NOPE_USDT") {
		t.Fatalf("err = %v, want an *APIError for the unknown pair", err)
	}
	if s := r.client.Stats(); s.APIErrors != 1 {
		t.Errorf("APIErrors = %d", s.APIErrors)
	}
	// A good pair still works on the same connection.
	if err := r.client.SubscribeTickers(r.ctx(), pair); err != nil {
		t.Fatal(err)
	}
	if err := r.client.SubscribeTickers(r.ctx()); err == nil {
		t.Error("subscribing to no pairs succeeded")
	}
}

func TestSubscribeHonoursContext(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 4}, gateio.Options{})
	r.venue.HalfOpen() // nothing will be acknowledged
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := r.client.SubscribeTickers(ctx, pair); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestGapResyncs(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 5}, gateio.Options{})
	r.syncedBook(pair)
	for i := 1; i <= 3; i++ {
		r.venue.SkipUpdates(pair, 1)
		r.venue.Step(5)
		r.waitBookMatches(pair)
		s := r.client.Stats()
		if s.Gaps != int64(i) || s.Resyncs != int64(i) {
			t.Fatalf("after gap %d: Gaps %d Resyncs %d", i, s.Gaps, s.Resyncs)
		}
	}
	if n := len(r.eventsOf(isSnapshot(gateio.ReasonSync))); n != 4 {
		t.Errorf("%d sync snapshots, want 4", n)
	}
}

func TestDuplicatesDropped(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 6}, gateio.Options{})
	r.syncedBook(pair)
	r.venue.DuplicateUpdates(pair, 3)
	r.venue.Step(10)
	r.waitBookMatches(pair)
	s := r.client.Stats()
	if s.Duplicates != 3 || s.Resyncs != 0 {
		t.Errorf("Duplicates %d Resyncs %d, want 3 and 0", s.Duplicates, s.Resyncs)
	}
}

func TestFullReset(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 7}, gateio.Options{})
	r.syncedBook(pair)
	r.venue.PushFull(pair)
	r.waitBookMatches(pair)
	r.venue.Step(10)
	r.waitBookMatches(pair)
	if s := r.client.Stats(); s.FullResets != 1 || s.Resyncs != 0 {
		t.Errorf("FullResets %d Resyncs %d", s.FullResets, s.Resyncs)
	}
	if n := len(r.eventsOf(isSnapshot(gateio.ReasonFull))); n != 1 {
		t.Errorf("%d full snapshots", n)
	}
}

func TestStaleSnapshotFetchedAgain(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 8}, gateio.Options{})
	r.venue.Step(50) // history for the stale snapshot
	r.venue.StaleSnapshots(2, 30)
	r.syncedBook(pair)
	if s := r.client.Stats(); s.SnapshotRetries != 2 || s.Snapshots != 3 {
		t.Errorf("SnapshotRetries %d Snapshots %d, want 2 and 3", s.SnapshotRetries, s.Snapshots)
	}
}

func TestFailedSnapshotRetried(t *testing.T) {
	hc := httpclient.New(httpclient.Options{Retry: httpclient.Retry{Attempts: 1}})
	t.Cleanup(func() { hc.Close() })
	r := newRig(t, venuetest.GateOptions{Seed: 9}, gateio.Options{HTTP: hc})
	r.venue.FailSnapshots(3)
	r.syncedBook(pair)
	if s := r.client.Stats(); s.SnapshotErrors != 3 {
		t.Errorf("SnapshotErrors %d, want 3", s.SnapshotErrors)
	}
	var se *httpclient.StatusError
	found := false
	for _, err := range r.errors() {
		found = found || errors.As(err, &se)
	}
	if !found {
		t.Errorf("no *httpclient.StatusError reported: %v", r.errors())
	}
}

// reconnected waits for a second connection with the subscriptions
// restored, then checks that the book recovers.
func (r *rig) reconnected(accepted int64) {
	r.t.Helper()
	r.waitFor("a new connection with the subscriptions restored", func() bool {
		return r.venue.Accepted() >= accepted && r.venue.Connections() == 1 &&
			r.venue.Subscribers(gateio.ChannelOrderBook, pair) == 1 &&
			r.venue.Subscribers(gateio.ChannelTickers, pair) == 1
	})
	for range 4 {
		r.venue.Step(5)
		r.waitBookMatches(pair)
	}
	if s := r.client.Stats(); s.StreamGaps < 1 || s.Resyncs < 1 {
		r.t.Errorf("after a reconnect: %+v", s)
	}
}

func TestReconnects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(*venuetest.Gate)
		// stale is Options.StaleAfter: only a half-open connection needs it
		// short. Elsewhere a short one could replace a healthy connection
		// that a loaded machine left unread for a moment, and the
		// resubscriptions would be counted twice.
		stale time.Duration
	}{
		{"abrupt TCP close", (*venuetest.Gate).DropConnections, 0},
		{"close 1001", func(g *venuetest.Gate) { g.CloseConnections(websocket.StatusGoingAway) }, 0},
		{"close 1011", func(g *venuetest.Gate) { g.CloseConnections(websocket.StatusInternalError) }, 0},
		{"half-open", (*venuetest.Gate).HalfOpen, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, venuetest.GateOptions{Seed: 10},
				gateio.Options{PingInterval: 10 * time.Millisecond, StaleAfter: tc.stale})
			if err := r.client.SubscribeTickers(r.ctx(), pair); err != nil {
				t.Fatal(err)
			}
			r.syncedBook(pair)
			r.waitFor("a spot.ping", func() bool { return r.venue.Pings() > 0 })
			requests := r.venue.Requests()
			tc.fault(r.venue)
			r.reconnected(2)
			if got := r.venue.Requests() - requests; got != 2 {
				t.Errorf("%d requests after the reconnect, want 2 resubscriptions", got)
			}
			r.waitFor("a spot.pong", func() bool { return r.client.Stats().Pongs > 0 })
		})
	}
}

func TestUpgradeNoticeReconnectsAtOnce(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 11}, gateio.Options{})
	if err := r.client.SubscribeTickers(r.ctx(), pair); err != nil {
		t.Fatal(err)
	}
	r.syncedBook(pair)
	// The venue would close only after an hour: the client does not wait.
	r.venue.Upgrade(time.Hour)
	r.reconnected(2)
	if s := r.client.Stats(); s.Upgrades != 1 {
		t.Errorf("Upgrades = %d", s.Upgrades)
	}
}

func TestMalformedFrames(t *testing.T) {
	r := newRig(t, venuetest.GateOptions{Seed: 12}, gateio.Options{})
	r.syncedBook(pair)
	for _, m := range []string{
		`{not json`,
		`{"channel":"spot.tickers","event":"update","result":{"currency_pair":"BTC_USDT","last":"1.2.3"}}`,
		`{"channel":"spot.tickers","event":"update","result":{}}`,
		`{"channel":"spot.trades","event":"update","result":[1,2]}`,
		`{"channel":"spot.book_ticker","event":"update","result":{"s":"BTC_USDT","b":"x"}}`,
		`{"channel":"spot.order_book_update","event":"update","result":{"s":"BTC_USDT","U":1,"u":2,"b":[["1"]]}}`,
		`{"channel":"spot.order_book_update","event":"update","result":{"s":"BTC_USDT","U":9,"u":2}}`,
	} {
		r.venue.SendRaw([]byte(m))
	}
	r.waitFor("every malformed frame counted", func() bool { return r.client.Stats().Malformed == 7 })
	r.venue.Step(5)
	r.waitBookMatches(pair)
	if s := r.client.Stats(); s.Resyncs < 1 {
		t.Errorf("a malformed book update did not resync: %+v", s)
	}
	n := 0
	for _, err := range r.errors() {
		var de *wsclient.DecodeError
		if errors.As(err, &de) {
			n++
		}
	}
	if n != 7 {
		t.Errorf("%d DecodeErrors reported, want 7: %v", n, r.errors())
	}
}

func TestSlowConsumerClient(t *testing.T) {
	// The handler stalls while the venue pushes a burst; with SignalGap the
	// backlog is dropped and the book resynchronised.
	var stall sync.Mutex
	rec := &counter{}
	r := newRig(t, venuetest.GateOptions{Seed: 13}, gateio.Options{
		Policy: wsclient.SignalGap, QueueSize: 4, Recorder: rec,
		Handler: func(gateio.Event) { stall.Lock(); stall.Unlock() }, //nolint:staticcheck // SA2001: the handler waits until the test releases stall
	})
	r.syncedBook(pair)
	stall.Lock()
	r.venue.Step(200)
	// The handler stays stalled until the burst has overflowed the queue,
	// however late it arrives.
	r.waitFor("the queue to overflow", func() bool { return rec.get("ws.dropped") > 0 })
	stall.Unlock()
	r.waitFor("the gap to be signalled", func() bool { return r.client.Stats().StreamGaps > 0 })
	r.venue.Step(5)
	r.waitBookMatches(pair)
	if s := r.client.Stats(); s.Resyncs < 1 {
		t.Errorf("no resync after a dropped backlog: %+v", s)
	}
}

func TestSlowConsumerDroppedByVenue(t *testing.T) {
	// The venue drops a connection whose queue overflows; the client
	// reconnects, resubscribes and resynchronises.
	r := newRig(t, venuetest.GateOptions{Seed: 14, SendQueue: 16}, gateio.Options{})
	if err := r.client.SubscribeTickers(r.ctx(), pair); err != nil {
		t.Fatal(err)
	}
	r.syncedBook(pair)
	r.waitFor("the venue to drop the slow connection", func() bool {
		if r.venue.SlowConsumers() > 0 {
			return true
		}
		r.venue.Step(100)
		return false
	})
	// A burst may have reached the second connection too, and dropped it.
	// No burst follows: once every dropped connection has been replaced and
	// only the replacement is left, it is the one that stays.
	dropped := r.venue.SlowConsumers()
	r.waitFor("a connection that was not dropped, subscriptions restored", func() bool {
		return r.venue.Accepted() > dropped && r.venue.Connections() == 1 &&
			r.venue.Subscribers(gateio.ChannelOrderBook, pair) == 1 &&
			r.venue.Subscribers(gateio.ChannelTickers, pair) == 1
	})
	// The market moves a step at a time: a step queues two pushes (order
	// book, ticker), and the book may match through a snapshot while the
	// pushes still wait in the venue's queue of 16, so bigger steps could
	// make a slow consumer of the replacement on a loaded machine.
	for range 4 {
		r.venue.Step(1)
		r.waitBookMatches(pair)
	}
	if n := r.venue.SlowConsumers(); n != dropped {
		t.Fatalf("%d slow consumers dropped by the bursts, %d in all", dropped, n)
	}
	if s := r.client.Stats(); s.StreamGaps < 1 || s.Resyncs < 1 {
		t.Errorf("after the venue dropped the connection: %+v", s)
	}
}

func TestCloseIsBoundedAndIdempotent(t *testing.T) {
	g := venuetest.NewGate(venuetest.GateOptions{Seed: 15})
	defer g.Close()
	c, err := gateio.Dial(t.Context(), gateio.Options{URL: g.URL(), RESTURL: g.RESTURL()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(t.Context()) }()
	if err := c.SubscribeOrderBook(t.Context(), pair); err != nil {
		t.Fatal(err)
	}
	// The venue answers nothing but the WebSocket protocol itself: Close
	// must not wait for the venue. (The close frame may still be answered
	// at once, and the goroutines gone before Close looks at ctx: an ended
	// ctx gives ctx's error all the same.)
	g.HalfOpen()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close with an ended context: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	// Every goroutine has exited: a second Close returns at once, with the
	// same rule for its context.
	if err := c.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("second Close with an ended context: %v", err)
	}
	if err := c.Close(t.Context()); err != nil && !errors.Is(err, wsclient.ErrClosed) {
		t.Errorf("third Close: %v", err)
	}
	if err := c.SubscribeTickers(t.Context(), pair); err == nil {
		t.Error("Subscribe after Close succeeded")
	}
}

func TestDialFails(t *testing.T) {
	g := venuetest.NewGate(venuetest.GateOptions{})
	url := g.URL()
	g.Close()
	if _, err := gateio.Dial(t.Context(), gateio.Options{URL: url}); err == nil {
		t.Fatal("Dial to a closed venue succeeded")
	}
}

func TestLevelDecoding(t *testing.T) {
	var l gateio.Level
	if err := l.UnmarshalJSON([]byte(`["100.50","0.001"]`)); err != nil ||
		!l.Price.Equal(decimal.MustParse("100.5")) || l.Amount.String() != "0.001" {
		t.Errorf("level %s, %v", l, err)
	}
	for _, bad := range []string{`["1"]`, `["1","2","3"]`, `["-1","2"]`, `["1","-2"]`, `"x"`, `["a","1"]`, `[]`} {
		if err := l.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("level %s accepted", bad)
		}
	}
	b, err := l.MarshalJSON()
	if err != nil || string(b) != `["100.50","0.001"]` {
		t.Errorf("MarshalJSON %s %v", b, err)
	}
}
