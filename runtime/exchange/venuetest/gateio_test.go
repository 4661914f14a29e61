package venuetest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
)

// gateTestConn is a raw WebSocket client of the fake, for checking the
// protocol itself.
type gateTestConn struct {
	t  *testing.T
	ws *websocket.Conn
}

func gateDial(t *testing.T, g *Gate) *gateTestConn {
	t.Helper()
	ws, _, err := websocket.Dial(t.Context(), g.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &gateTestConn{t: t, ws: ws}
}

func (c *gateTestConn) send(msg string) {
	c.t.Helper()
	if err := c.ws.Write(c.t.Context(), websocket.MessageText, []byte(msg)); err != nil {
		c.t.Fatal(err)
	}
}

type gateTestMsg struct {
	Type    string `json:"type"`
	ID      *int64 `json:"id"`
	Channel string `json:"channel"`
	Event   string `json:"event"`
	Error   *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Result json.RawMessage `json:"result"`
}

// next reads the next message that match accepts.
func (c *gateTestConn) next(match func(*gateTestMsg) bool) *gateTestMsg {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 10*time.Second)
	defer cancel()
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		var m gateTestMsg
		if err := json.Unmarshal(data, &m); err != nil {
			c.t.Fatalf("venue sent malformed %q: %v", data, err)
		}
		if match(&m) {
			return &m
		}
	}
}

func TestGateSubscribeAckAndErrors(t *testing.T) {
	g := NewGate(GateOptions{Seed: 1})
	defer g.Close()
	c := gateDial(t, g)

	c.send(`{"time":1,"id":7,"channel":"spot.order_book_update","event":"subscribe","payload":["BTC_USDT","100ms"]}`)
	m := c.next(func(m *gateTestMsg) bool { return m.Event == "subscribe" })
	if m.Error != nil || m.ID == nil || *m.ID != 7 || string(m.Result) != `{"status":"success"}` {
		t.Fatalf("ack %+v %s", m, m.Result)
	}
	for _, tc := range []struct{ req, want string }{
		{`{"time":1,"id":8,"channel":"spot.tickers","event":"subscribe","payload":["NOPE_USDT"]}`, "unknown currency pair NOPE_USDT"},
		{`{"time":1,"id":9,"channel":"spot.nope","event":"subscribe","payload":["BTC_USDT"]}`, "unknown channel"},
		{`{"time":1,"id":10,"channel":"spot.order_book_update","event":"subscribe","payload":["BTC_USDT","5ms"]}`, "payload"},
		{`{"time":1,"id":11,"channel":"spot.tickers","event":"subscribe","payload":[]}`, "empty payload"},
	} {
		c.send(tc.req)
		m := c.next(func(m *gateTestMsg) bool { return m.Error != nil })
		if m.Error.Code != 2 || !strings.Contains(m.Error.Message, tc.want) {
			t.Errorf("%s: error %+v, want code 2 %q", tc.req, m.Error, tc.want)
		}
	}
	c.send(`not json`)
	if m := c.next(func(m *gateTestMsg) bool { return m.Error != nil }); m.Error.Code != 1 {
		t.Errorf("bad body: %+v", m.Error)
	}
	c.send(`{"time":1,"channel":"spot.ping"}`)
	c.next(func(m *gateTestMsg) bool { return m.Channel == "spot.pong" })
	if g.Pings() != 1 || g.Subscribers("spot.order_book_update", "BTC_USDT") != 1 {
		t.Errorf("pings %d subscribers %d", g.Pings(), g.Subscribers("spot.order_book_update", "BTC_USDT"))
	}

	// Updates follow one another: U is the previous u + 1.
	g.Step(20)
	var last int64
	for range 20 {
		m := c.next(func(m *gateTestMsg) bool { return m.Channel == "spot.order_book_update" && m.Event == "update" })
		var u struct {
			S     string `json:"s"`
			First int64  `json:"U"`
			Last  int64  `json:"u"`
		}
		if err := json.Unmarshal(m.Result, &u); err != nil || u.S != "BTC_USDT" || u.Last < u.First {
			t.Fatalf("update %s: %v", m.Result, err)
		}
		if last != 0 && u.First != last+1 {
			t.Fatalf("U=%d after u=%d", u.First, last)
		}
		last = u.Last
	}
	if b := g.Book("BTC_USDT"); b.ID != last {
		t.Errorf("book id %d, last pushed u %d", b.ID, last)
	}

	c.send(`{"time":1,"id":12,"channel":"spot.order_book_update","event":"unsubscribe","payload":["BTC_USDT","100ms"]}`)
	c.next(func(m *gateTestMsg) bool { return m.Event == "unsubscribe" })
	if n := g.Subscribers("spot.order_book_update", "BTC_USDT"); n != 0 {
		t.Errorf("%d subscribers after unsubscribe", n)
	}
}

func TestGateMarketIsDeterministicAndUncrossed(t *testing.T) {
	a, b := NewGate(GateOptions{Seed: 99}), NewGate(GateOptions{Seed: 99})
	defer a.Close()
	defer b.Close()
	for range 20 {
		a.Step(25)
		b.Step(25)
		ba, bb := a.Book("ETH_USDT"), b.Book("ETH_USDT")
		ja, _ := json.Marshal(ba)
		jb, _ := json.Marshal(bb)
		if string(ja) != string(jb) {
			t.Fatalf("same seed, different books:\n%s\n%s", ja, jb)
		}
		if len(ba.Bids) == 0 || len(ba.Asks) == 0 {
			t.Fatalf("empty side: %s", ja)
		}
		if decimal.MustParse(ba.Bids[0][0]).Cmp(decimal.MustParse(ba.Asks[0][0])) >= 0 {
			t.Fatalf("crossed book: %s", ja)
		}
	}
	if g := a.Book("NOPE"); g.ID != 0 {
		t.Errorf("unknown pair book %+v", g)
	}
}

type gateTestSnapshot struct {
	ID   *int64      `json:"id"`
	Bids [][2]string `json:"bids"`
	Asks [][2]string `json:"asks"`
}

func gateGetBook(t *testing.T, g *Gate, query string) (int, gateTestSnapshot) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, g.RESTURL()+"/api/v4/spot/order_book?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s gateTestSnapshot
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, s
}

func TestGateRESTSnapshot(t *testing.T) {
	g := NewGate(GateOptions{Seed: 3, Levels: 12})
	defer g.Close()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	g.Step(30)
	want := g.Book("BTC_USDT")
	code, s := gateGetBook(t, g, "currency_pair=BTC_USDT&limit=5&with_id=true")
	if code != http.StatusOK || s.ID == nil || *s.ID != want.ID || len(s.Bids) != 5 || len(s.Asks) != 5 {
		t.Fatalf("snapshot %d %+v", code, s)
	}
	if s.Bids[0] != want.Bids[0] || s.Asks[4] != want.Asks[4] {
		t.Errorf("snapshot %v/%v, book %v/%v", s.Bids[0], s.Asks[4], want.Bids[0], want.Asks[4])
	}
	if _, s := gateGetBook(t, g, "currency_pair=BTC_USDT"); s.ID != nil {
		t.Error("id without with_id=true")
	}
	if code, _ := gateGetBook(t, g, "currency_pair=NOPE&with_id=true"); code != http.StatusBadRequest {
		t.Errorf("unknown pair: %d", code)
	}
	if code, _ := gateGetBook(t, g, "currency_pair=BTC_USDT&limit=x"); code != http.StatusBadRequest {
		t.Errorf("bad limit: %d", code)
	}
	g.FailSnapshots(1)
	if code, _ := gateGetBook(t, g, "currency_pair=BTC_USDT"); code != http.StatusInternalServerError {
		t.Errorf("injected failure: %d", code)
	}
	g.StaleSnapshots(1, 10)
	if _, s := gateGetBook(t, g, "currency_pair=BTC_USDT&with_id=true"); s.ID == nil || *s.ID >= want.ID {
		t.Errorf("stale snapshot id %v, current %d", s.ID, want.ID)
	}
	if g.SnapshotRequests() != 6 {
		t.Errorf("%d snapshot requests", g.SnapshotRequests())
	}
}

func TestGateFaults(t *testing.T) {
	g := NewGate(GateOptions{Seed: 4})
	defer g.Close()

	c := gateDial(t, g)
	// The connection is known as soon as the dial returns, so the notice
	// reaches it without any round trip first.
	if n := g.Connections(); n != 1 {
		t.Fatalf("%d connections once the dial has returned", n)
	}
	g.Upgrade(time.Millisecond)
	if m := c.next(func(m *gateTestMsg) bool { return m.Type == "upgrade" }); m.Channel != "" {
		t.Errorf("upgrade notice %+v", m)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, _, err := c.ws.Read(ctx)
	if websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("after the upgrade notice: %v", err)
	}

	for _, code := range []websocket.StatusCode{websocket.StatusGoingAway, websocket.StatusInternalError} {
		c := gateDial(t, g)
		c.send(`{"time":1,"channel":"spot.ping"}`)
		c.next(func(m *gateTestMsg) bool { return m.Channel == "spot.pong" })
		g.CloseConnections(code)
		_, _, err := c.ws.Read(ctx)
		if websocket.CloseStatus(err) != code {
			t.Errorf("CloseConnections(%d): %v", code, err)
		}
	}

	c = gateDial(t, g)
	c.send(`{"time":1,"channel":"spot.ping"}`)
	c.next(func(m *gateTestMsg) bool { return m.Channel == "spot.pong" })
	g.DropConnections()
	_, _, err = c.ws.Read(ctx)
	if err == nil || websocket.CloseStatus(err) != -1 {
		t.Errorf("abrupt close gave %v, want an error without a close frame", err)
	}

	c = gateDial(t, g)
	c.send(`{"time":1,"channel":"spot.ping"}`)
	c.next(func(m *gateTestMsg) bool { return m.Channel == "spot.pong" })
	g.HalfOpen()
	c.send(`{"time":1,"channel":"spot.ping"}`)
	short, cancelShort := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancelShort()
	if _, _, err := c.ws.Read(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a half-open connection answered: %v", err)
	}
}

func TestGateSlowConsumerDropped(t *testing.T) {
	g := NewGate(GateOptions{Seed: 5, SendQueue: 4})
	defer g.Close()
	c := gateDial(t, g)
	c.send(`{"time":1,"id":1,"channel":"spot.tickers","event":"subscribe","payload":["BTC_USDT"]}`)
	c.next(func(m *gateTestMsg) bool { return m.Event == "subscribe" })
	// Nothing reads while the market moves: the queue overflows and the
	// venue drops the connection.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for g.Connections() != 0 {
		g.Step(50)
		select {
		case <-ctx.Done():
			t.Fatal("the slow consumer was never dropped")
		case <-tick.C:
		}
	}
	if n := g.SlowConsumers(); n != 1 {
		t.Errorf("%d slow consumers counted, want 1", n)
	}
}
