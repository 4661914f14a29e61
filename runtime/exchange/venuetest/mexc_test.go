package venuetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mexcTestClient sends raw requests to a fake MEXC venue, signing them as
// the venue's documentation says.
type mexcTestClient struct {
	t   *testing.T
	m   *MEXC
	tr  *http.Transport
	key string
	sec string
}

func newMEXCTest(t *testing.T, opts MEXCOptions) *mexcTestClient {
	t.Helper()
	m := NewMEXC(opts)
	tr := &http.Transport{}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		m.Close()
	})
	return &mexcTestClient{t: t, m: m, tr: tr, key: MEXCTestAPIKey, sec: MEXCTestSecret}
}

func mexcSign(secret, query, body string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(query))
	h.Write([]byte(body))
	return hex.EncodeToString(h.Sum(nil))
}

// signed sends method path with query params (recvWindow, timestamp and
// signature appended) and body.
func (c *mexcTestClient) signed(ctx context.Context, method, path, query, body string) (int, map[string]any) {
	ts := strconv.FormatInt(c.m.Now().UnixMilli(), 10)
	if query != "" {
		query += "&"
	}
	query += "recvWindow=5000&timestamp=" + ts
	return c.raw(ctx, method, path, query+"&signature="+mexcSign(c.sec, query, body), body, c.key)
}

func (c *mexcTestClient) raw(ctx context.Context, method, path, query, body, key string) (int, map[string]any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.m.URL()+path+"?"+query, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("X-MEXC-APIKEY", key)
	}
	resp, err := c.tr.RoundTrip(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	var out map[string]any
	if len(data) > 0 && data[0] == '{' {
		if err := json.Unmarshal(data, &out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	} else {
		out = map[string]any{"list": string(data)}
	}
	return resp.StatusCode, out
}

func wantCode(t *testing.T, status int, out map[string]any, code int) {
	t.Helper()
	got, _ := out["code"].(float64)
	if status != http.StatusBadRequest || int(got) != code {
		t.Errorf("got %d %v, want 400 with code %d", status, out, code)
	}
}

func TestMEXCAuthentication(t *testing.T) {
	ctx := t.Context()
	c := newMEXCTest(t, MEXCOptions{})
	if st, out := c.signed(ctx, "GET", "/api/v3/account", "", ""); st != 200 || out["accountType"] != "SPOT" {
		t.Fatalf("account: %d %v", st, out)
	}
	// Parameters in the body are signed after the query, with no & between.
	if st, out := c.signed(ctx, "POST", "/api/v3/order/test", "symbol=BTCUSDT&side=BUY&type=LIMIT", "quantity=1&price=11"); st != 200 {
		t.Errorf("test order with a body: %d %v", st, out)
	}

	ts := strconv.FormatInt(c.m.Now().UnixMilli(), 10)
	q := "recvWindow=5000&timestamp=" + ts
	good := mexcSign(MEXCTestSecret, q, "")
	t.Run("bad signature", func(t *testing.T) {
		st, out := c.raw(ctx, "GET", "/api/v3/account", q+"&signature="+mexcSign("other", q, ""), "", MEXCTestAPIKey)
		wantCode(t, st, out, MEXCCodeBadSignature)
	})
	t.Run("upper-case signature", func(t *testing.T) {
		st, out := c.raw(ctx, "GET", "/api/v3/account", q+"&signature="+strings.ToUpper(good), "", MEXCTestAPIKey)
		wantCode(t, st, out, MEXCCodeBadSignature)
	})
	t.Run("signature not last", func(t *testing.T) {
		st, out := c.raw(ctx, "GET", "/api/v3/account", "signature="+good+"&"+q, "", MEXCTestAPIKey)
		wantCode(t, st, out, MEXCCodeBadSignature)
	})
	t.Run("reordered parameters", func(t *testing.T) {
		re := "timestamp=" + ts + "&recvWindow=5000"
		st, out := c.raw(ctx, "GET", "/api/v3/account", re+"&signature="+good, "", MEXCTestAPIKey)
		wantCode(t, st, out, MEXCCodeBadSignature)
	})
	t.Run("no key", func(t *testing.T) {
		st, out := c.raw(ctx, "GET", "/api/v3/account", q+"&signature="+good, "", "")
		wantCode(t, st, out, MEXCCodeBadKeyFormat)
	})
	t.Run("unknown key", func(t *testing.T) {
		st, out := c.raw(ctx, "GET", "/api/v3/account", q+"&signature="+good, "", "mx0other")
		wantCode(t, st, out, MEXCCodeInvalidAccessKey)
	})
	t.Run("recvWindow too large", func(t *testing.T) {
		q := "recvWindow=60001&timestamp=" + ts
		st, out := c.raw(ctx, "GET", "/api/v3/account", q+"&signature="+mexcSign(MEXCTestSecret, q, ""), "", MEXCTestAPIKey)
		wantCode(t, st, out, MEXCCodeRecvWindow)
	})
	for name, off := range map[string]time.Duration{"stale": -6 * time.Second, "ahead": 2 * time.Second} {
		t.Run("timestamp "+name, func(t *testing.T) {
			q := "recvWindow=5000&timestamp=" + strconv.FormatInt(c.m.Now().Add(off).UnixMilli(), 10)
			st, out := c.raw(ctx, "GET", "/api/v3/account", q+"&signature="+mexcSign(MEXCTestSecret, q, ""), "", MEXCTestAPIKey)
			wantCode(t, st, out, MEXCCodeTimestamp)
		})
	}
	t.Run("clock skew", func(t *testing.T) {
		c.m.SetClockSkew(-time.Minute)
		defer c.m.SetClockSkew(0)
		st, out := c.raw(ctx, "GET", "/api/v3/account", q+"&signature="+good, "", MEXCTestAPIKey)
		wantCode(t, st, out, MEXCCodeTimestamp)
		_, tm := c.raw(ctx, "GET", "/api/v3/time", "", "", "")
		if st := int64(tm["serverTime"].(float64)); time.Now().UnixMilli()-st < 50_000 {
			t.Errorf("serverTime %d does not show the skew", st)
		}
	})
}

func TestMEXCOrders(t *testing.T) {
	ctx := t.Context()
	c := newMEXCTest(t, MEXCOptions{})
	// A LIMIT buy rests and locks its cost.
	st, out := c.signed(ctx, "POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.5&price=60000&newClientOrderId=c1", "")
	if st != 200 || out["orderId"] == nil || out["price"] != "60000" {
		t.Fatalf("place: %d %v", st, out)
	}
	free, locked := c.m.Balance("USDT")
	if free.String() != "70000.0" || locked.String() != "30000.0" {
		t.Errorf("USDT after a resting buy: free %s locked %s", free, locked)
	}
	// A second order with the same client order ID is rejected.
	st, out = c.signed(ctx, "POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.1&price=60000&newClientOrderId=c1", "")
	wantCode(t, st, out, MEXCCodeDuplicateClientOrderID)
	if n := len(c.m.Orders()); n != 1 {
		t.Errorf("%d orders after a duplicate, want 1", n)
	}
	st, out = c.signed(ctx, "GET", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=c1", "")
	if st != 200 || out["status"] != "NEW" || out["clientOrderId"] != "c1" {
		t.Errorf("query: %d %v", st, out)
	}
	st, out = c.signed(ctx, "GET", "/api/v3/openOrders", "symbol=BTCUSDT", "")
	if st != 200 || !strings.Contains(out["list"].(string), `"c1"`) {
		t.Errorf("open orders: %d %v", st, out)
	}
	// Cancelling releases the funds; cancelling again finds no open order.
	st, out = c.signed(ctx, "DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=c1", "")
	if st != 200 || out["status"] != "CANCELED" {
		t.Errorf("cancel: %d %v", st, out)
	}
	if free, locked := c.m.Balance("USDT"); free.String() != "100000.0" || !locked.IsZero() {
		t.Errorf("USDT after cancel: free %s locked %s", free, locked)
	}
	st, out = c.signed(ctx, "DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=c1", "")
	wantCode(t, st, out, MEXCCodeUnknownOrder)
	st, out = c.signed(ctx, "DELETE", "/api/v3/order", "symbol=BTCUSDT", "")
	wantCode(t, st, out, MEXCCodeMissingOrderID)
	st, out = c.signed(ctx, "GET", "/api/v3/order", "symbol=BTCUSDT&orderId=424242", "")
	wantCode(t, st, out, MEXCCodeUnknownOrder)
	st, out = c.signed(ctx, "GET", "/api/v3/order", "symbol=NOPEUSDT&orderId=1", "")
	wantCode(t, st, out, MEXCCodeInvalidSymbol)

	// A MARKET buy walks the asks and moves both balances.
	st, out = c.signed(ctx, "POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1.5&newClientOrderId=m1", "")
	if st != 200 {
		t.Fatalf("market buy: %d %v", st, out)
	}
	o, ok := c.m.OrderByClientID("m1")
	if !ok || o.Status != "FILLED" || o.CumQuoteQty.String() != "96020.000" {
		t.Errorf("market buy: %+v", o)
	}
	if free, _ := c.m.Balance("BTC"); free.String() != "11.5" {
		t.Errorf("BTC after market buy: %s", free)
	}
	_, depth := c.raw(ctx, "GET", "/api/v3/depth", "symbol=BTCUSDT&limit=1", "", "")
	if asks := fmt.Sprint(depth["asks"]); asks != "[[64020.00 2.0]]" {
		t.Errorf("best ask after the fill: %s", asks)
	}
	// Not enough quote asset left for a big buy.
	st, out = c.signed(ctx, "POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=100&price=64000", "")
	wantCode(t, st, out, MEXCCodeInsufficientBalance)
	// A MARKET sell by quote amount.
	st, out = c.signed(ctx, "POST", "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=MARKET&quoteOrderQty=32000&newClientOrderId=m2", "")
	if o, _ := c.m.OrderByClientID("m2"); st != 200 || o.ExecutedQty.String() != "0.50000000" || o.Status != "FILLED" {
		t.Errorf("market sell by quote: %d %v %+v", st, out, o)
	}
}

func TestMEXCNumericOrderIDs(t *testing.T) {
	ctx := t.Context()
	c := newMEXCTest(t, MEXCOptions{NumericOrderIDs: true})
	st, out := c.signed(ctx, "POST", "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&quantity=1&price=70000", "")
	if _, num := out["orderId"].(float64); st != 200 || !num {
		t.Errorf("orderId not a number: %d %v", st, out)
	}
}

func TestMEXCFaults(t *testing.T) {
	ctx := t.Context()
	c := newMEXCTest(t, MEXCOptions{})
	t.Run("5xx after accepting", func(t *testing.T) {
		c.m.AddFault(MEXCFault{Method: "POST", Path: "/api/v3/order", AfterAccept: true, Status: 503})
		st, _ := c.signed(ctx, "POST", "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&quantity=1&price=70000&newClientOrderId=f1", "")
		if _, ok := c.m.OrderByClientID("f1"); st != 503 || !ok {
			t.Errorf("status %d, order kept %v; want 503 and the order placed", st, ok)
		}
	})
	t.Run("429 before processing", func(t *testing.T) {
		c.m.AddFault(MEXCFault{Status: 429, RetryAfter: "3"})
		st, out := c.signed(ctx, "POST", "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=LIMIT&quantity=1&price=70000&newClientOrderId=f2", "")
		if _, ok := c.m.OrderByClientID("f2"); st != 429 || ok || out["code"] != float64(429) {
			t.Errorf("status %d %v, order kept %v; want 429 and no order", st, out, ok)
		}
	})
	t.Run("abort after accepting", func(t *testing.T) {
		c.m.AddFault(MEXCFault{Path: "/api/v3/order", AfterAccept: true, Abort: true})
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		q := "symbol=BTCUSDT&side=SELL&type=LIMIT&quantity=1&price=70000&newClientOrderId=f3&recvWindow=5000&timestamp=" +
			strconv.FormatInt(c.m.Now().UnixMilli(), 10)
		req, _ := http.NewRequestWithContext(ctx, "POST", c.m.URL()+"/api/v3/order?"+q+"&signature="+mexcSign(MEXCTestSecret, q, ""), nil)
		req.Header.Set("X-MEXC-APIKEY", MEXCTestAPIKey)
		resp, err := c.tr.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got %s, want the connection dropped", resp.Status)
		}
		if _, ok := c.m.OrderByClientID("f3"); !ok {
			t.Error("order not placed before the connection dropped")
		}
	})
	t.Run("connection close", func(t *testing.T) {
		conns, reqs := c.m.Conns(), c.m.Requests()
		for range 3 {
			c.raw(ctx, "GET", "/api/v3/ping", "", "", "")
		}
		if got := c.m.Conns() - conns; got > 1 {
			t.Fatalf("%d connections for 3 pings without faults, want reuse", got)
		}
		c.m.AddFault(MEXCFault{Path: "/api/v3/ping", Times: 3, ConnClose: true})
		conns = c.m.Conns()
		for range 3 {
			c.raw(ctx, "GET", "/api/v3/ping", "", "", "")
		}
		if got := c.m.Conns() - conns; got < 2 {
			t.Errorf("%d new connections for 3 pings answered with Connection: close, want at least 2", got)
		}
		if got := c.m.Requests() - reqs; got != 6 {
			t.Errorf("%d requests, want 6", got)
		}
	})
	t.Run("slow answer ends with the client", func(t *testing.T) {
		c.m.AddFault(MEXCFault{Path: "/api/v3/time", Delay: time.Hour})
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", c.m.URL()+"/api/v3/time", nil)
		done := make(chan error, 1)
		go func() {
			resp, err := c.tr.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for c.m.Hits("GET", "/api/v3/time") == 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				t.Fatal(ctx.Err())
			}
		}
		cancel()
		if err := <-done; err == nil {
			t.Error("slow answer arrived")
		}
	})
	if n := c.m.PendingFaults(); n != 0 {
		t.Errorf("%d faults unused", n)
	}
}
