package mexc_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/mexc"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
	"github.com/asynclint/asynclint/runtime/httpclient"
)

func TestOrderLifecycle(t *testing.T) {
	for _, numeric := range []bool{false, true} {
		t.Run(fmt.Sprintf("numeric order IDs %v", numeric), func(t *testing.T) {
			ctx := t.Context()
			venue, c := setup(t, venuetest.MEXCOptions{NumericOrderIDs: numeric}, mexc.Options{})
			ack, err := c.PlaceOrder(ctx, limitBuy(""))
			if err != nil {
				t.Fatal(err)
			}
			if ack.OrderID == "" || len(ack.ClientOrderID) != 32 || ack.Reconciled || !ack.Price.Equal(dec("60000")) {
				t.Fatalf("ack %+v", ack)
			}
			if o, ok := venue.OrderByClientID(ack.ClientOrderID); !ok || o.OrderID != string(ack.OrderID) {
				t.Fatalf("venue has %+v, %v for client ID %s", o, ok, ack.ClientOrderID)
			}
			q, err := c.QueryOrder(ctx, mexc.OrderRef{Symbol: "BTCUSDT", ClientOrderID: ack.ClientOrderID})
			if err != nil || q.Status != mexc.StatusNew || q.OrderID != ack.OrderID || !q.OrigQty.Equal(dec("0.5")) {
				t.Fatalf("query: %+v, %v", q, err)
			}
			open, err := c.OpenOrders(ctx, "BTCUSDT")
			if err != nil || len(open) != 1 || open[0].OrderID != ack.OrderID {
				t.Fatalf("open orders: %+v, %v", open, err)
			}
			acct, err := c.Account(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := acct.Balance("USDT"); !b.Free.Equal(dec("70000")) || !b.Locked.Equal(dec("30000")) {
				t.Errorf("USDT balance %+v", b)
			}
			canceled, err := c.CancelOrder(ctx, mexc.OrderRef{Symbol: "BTCUSDT", OrderID: ack.OrderID})
			if err != nil || canceled.Status != mexc.StatusCanceled {
				t.Fatalf("cancel: %+v, %v", canceled, err)
			}
			// Cancelling again, as a retry whose first answer was lost would,
			// finds the order canceled.
			again, err := c.CancelOrder(ctx, mexc.OrderRef{Symbol: "BTCUSDT", ClientOrderID: ack.ClientOrderID})
			if err != nil || again.Status != mexc.StatusCanceled {
				t.Fatalf("second cancel: %+v, %v", again, err)
			}
			// Cancel all.
			for _, id := range []string{"a", "b"} {
				if _, err := c.PlaceOrder(ctx, limitBuy(id)); err != nil {
					t.Fatal(err)
				}
			}
			all, err := c.CancelAllOrders(ctx, "BTCUSDT")
			if err != nil || len(all) != 2 {
				t.Fatalf("cancel all: %+v, %v", all, err)
			}
			if open, err := c.OpenOrders(ctx, "BTCUSDT"); err != nil || len(open) != 0 {
				t.Fatalf("open orders after cancel all: %+v, %v", open, err)
			}
		})
	}
}

func TestMarketOrderAndDepth(t *testing.T) {
	ctx := t.Context()
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	d, err := c.Depth(ctx, "BTCUSDT", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Asks) != 2 || d.Asks[0].Price.String() != "64010.00" || !d.Bids[0].Quantity.Equal(dec("1.5")) {
		t.Fatalf("depth %+v", d)
	}
	if err := c.TestOrder(ctx, mexc.OrderRequest{Symbol: "BTCUSDT", Side: mexc.Buy, Type: mexc.Market, QuoteOrderQty: dec("1000")}); err != nil {
		t.Fatal(err)
	}
	if n := len(venue.Orders()); n != 0 {
		t.Fatalf("a test order placed %d orders", n)
	}
	ack, err := c.PlaceOrder(ctx, mexc.OrderRequest{Symbol: "BTCUSDT", Side: mexc.Sell, Type: mexc.Market, Quantity: dec("2")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.QueryOrder(ctx, mexc.OrderRef{Symbol: "BTCUSDT", OrderID: ack.OrderID})
	if err != nil || q.Status != mexc.StatusFilled || !q.CummulativeQuoteQty.Equal(dec("127995")) {
		t.Fatalf("market sell: %+v, %v", q, err)
	}
	acct, err := c.Account(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := acct.Balance("BTC"); !b.Free.Equal(dec("8")) {
		t.Errorf("BTC after selling 2: %+v", b)
	}
	if b, _ := acct.Balance("USDT"); !b.Free.Equal(dec("227995")) {
		t.Errorf("USDT after selling 2: %+v", b)
	}
}

func TestTypedErrors(t *testing.T) {
	ctx := t.Context()
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	check := func(name string, err, want error, code int) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s: error %v does not match %v", name, err, want)
		}
		var ae *mexc.APIError
		if code != 0 && (!errors.As(err, &ae) || ae.Code != code) {
			t.Errorf("%s: error %v is not an *APIError with code %d", name, err, code)
		}
	}
	_, err := c.PlaceOrder(ctx, mexc.OrderRequest{Symbol: "BTCUSDT", Side: mexc.Buy, Type: mexc.Limit, Quantity: dec("100"), Price: dec("64000")})
	check("insufficient balance", err, mexc.ErrInsufficientBalance, mexc.CodeInsufficientBalance)
	_, err = c.QueryOrder(ctx, mexc.OrderRef{Symbol: "BTCUSDT", OrderID: "123"})
	check("unknown order", err, mexc.ErrUnknownOrder, mexc.CodeUnknownOrder)
	_, err = c.CancelOrder(ctx, mexc.OrderRef{Symbol: "BTCUSDT", ClientOrderID: "nope"})
	check("cancel unknown order", err, mexc.ErrUnknownOrder, mexc.CodeUnknownOrder)
	_, err = c.Depth(ctx, "NOPEUSDT", 5)
	check("invalid symbol", err, mexc.ErrInvalidSymbol, mexc.CodeInvalidSymbol)

	// Duplicate client order IDs are the venue's to reject.
	if _, err := c.PlaceOrder(ctx, limitBuy("dup")); err != nil {
		t.Fatal(err)
	}
	_, err = c.PlaceOrder(ctx, limitBuy("dup"))
	var ae *mexc.APIError
	if !errors.As(err, &ae) || ae.Code != venuetest.MEXCCodeDuplicateClientOrderID || errors.Is(err, mexc.ErrOutcomeUnknown) {
		t.Errorf("duplicate client order ID: %v", err)
	}

	// Requests the client rejects are never sent.
	before := venue.Requests()
	_, err = c.PlaceOrder(ctx, mexc.OrderRequest{Symbol: "BTCUSDT", Side: mexc.Buy, Type: mexc.Limit, Quantity: dec("1")})
	check("limit without price", err, mexc.ErrInvalidRequest, 0)
	_, err = c.PlaceOrder(ctx, mexc.OrderRequest{Symbol: "BTCUSDT", Side: mexc.Buy, Type: mexc.Market})
	check("market without quantity", err, mexc.ErrInvalidRequest, 0)
	_, err = c.CancelOrder(ctx, mexc.OrderRef{Symbol: "BTCUSDT"})
	check("cancel without id", err, mexc.ErrMissingOrderID, 0)
	if n := venue.Requests() - before; n != 0 {
		t.Errorf("%d invalid requests sent", n)
	}

	venue.AddFault(venuetest.MEXCFault{Path: "/api/v3/account", Status: 403, Body: "<html>blocked</html>"})
	_, err = c.Account(ctx)
	check("WAF", err, mexc.ErrForbidden, 0)

	t.Run("bad signature", func(t *testing.T) {
		_, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{Secret: "not-the-secret"})
		_, err := c.Account(t.Context())
		check("bad signature", err, mexc.ErrBadSignature, mexc.CodeBadSignature)
	})
	t.Run("unknown key", func(t *testing.T) {
		_, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{APIKey: "mx0unknown"})
		_, err := c.Account(t.Context())
		check("unknown key", err, mexc.ErrInvalidKey, mexc.CodeInvalidAccessKey)
	})
	t.Run("no credentials", func(t *testing.T) {
		c, err := mexc.New(mexc.Options{BaseURL: venue.URL()})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.Account(t.Context())
		check("no credentials", err, mexc.ErrInvalidRequest, 0)
	})
}

// TestClockSkew: the client follows the venue's clock, and resyncs when
// the venue rejects a timestamp.
func TestClockSkew(t *testing.T) {
	ctx := t.Context()
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	venue.SetClockSkew(30 * time.Second)
	if _, err := c.Account(ctx); err != nil {
		t.Fatalf("with the venue's clock 30s ahead: %v", err)
	}
	if off := c.Offset(); off < 25*time.Second {
		t.Errorf("offset %v, want about 30s", off)
	}
	syncs := venue.Hits("GET", "/api/v3/time")
	venue.SetClockSkew(-20 * time.Second)
	if _, err := c.PlaceOrder(ctx, limitBuy("after-skew")); err != nil {
		t.Fatalf("after the venue's clock jumped: %v", err)
	}
	if n := venue.Hits("GET", "/api/v3/time") - syncs; n != 1 {
		t.Errorf("%d syncs after the jump, want 1", n)
	}
	if n := venue.Hits("POST", "/api/v3/order"); n != 2 {
		t.Errorf("%d order requests, want 2: the rejected one and its resend", n)
	}
	if n := len(venue.Orders()); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
}

func TestConnectionReuse(t *testing.T) {
	ctx := t.Context()
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	for range 20 {
		if _, err := c.Depth(ctx, "BTCUSDT", 5); err != nil {
			t.Fatal(err)
		}
	}
	// The transport hands a connection back to its pool from its own
	// reader goroutine once the body is read, so on a loaded machine the
	// next request may rarely beat it and dial a second: reuse shows as at
	// most two connections, not twenty.
	if conns, reqs := venue.Conns(), venue.Requests(); conns > 2 || reqs != 20 {
		t.Errorf("%d connections for %d sequential requests, want at most 2 for 20", conns, reqs)
	}
	// Connection: close costs a connection each time, and nothing else.
	venue.AddFault(venuetest.MEXCFault{Path: "/api/v3/depth", Times: 3, ConnClose: true})
	before := venue.Conns()
	for range 4 {
		if _, err := c.Depth(ctx, "BTCUSDT", 5); err != nil {
			t.Fatal(err)
		}
	}
	if n := venue.Conns() - before; n < 3 || n > 4 {
		t.Errorf("%d new connections after 3 answers with Connection: close, want 3 (4 if the pool's hand-back raced)", n)
	}

	// Eight callers at once need about eight connections.
	before = venue.Conns()
	var wg sync.WaitGroup
	errs := make(chan error, 8*10)
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if _, err := c.OpenOrders(ctx, "BTCUSDT"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Eighty requests from eight callers: without reuse, eighty
	// connections. The transport may finish a dial it started for a caller
	// that an idle connection then served, so allow a few past eight.
	if n := venue.Conns() - before; n > 12 {
		t.Errorf("%d new connections for 80 requests from 8 concurrent callers, want at most 12", n)
	}
}

// TestIdempotentRetries: reads and cancels survive a dropped connection or
// a 5xx by being sent again, signed afresh.
func TestIdempotentRetries(t *testing.T) {
	ctx := t.Context()
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	venue.AddFault(venuetest.MEXCFault{Path: "/api/v3/account", Abort: true})
	venue.AddFault(venuetest.MEXCFault{Path: "/api/v3/account", Status: 502})
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	if n := venue.Hits("GET", "/api/v3/account"); n != 3 {
		t.Errorf("%d account requests, want 3", n)
	}
	ack, err := c.PlaceOrder(ctx, limitBuy("r1"))
	if err != nil {
		t.Fatal(err)
	}
	// The cancel is carried out but its answer is lost: the retry gets
	// "unknown order", and the client finds the order canceled.
	venue.AddFault(venuetest.MEXCFault{Method: "DELETE", Path: "/api/v3/order", AfterAccept: true, Abort: true})
	o, err := c.CancelOrder(ctx, mexc.OrderRef{Symbol: "BTCUSDT", OrderID: ack.OrderID})
	if err != nil || o.Status != mexc.StatusCanceled {
		t.Fatalf("cancel with a lost answer: %+v, %v", o, err)
	}
}

func TestClosed(t *testing.T) {
	_, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	c.Close()
	c.Close()
	if _, err := c.Depth(t.Context(), "BTCUSDT", 5); !errors.Is(err, httpclient.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if _, err := c.PlaceOrder(t.Context(), limitBuy("")); !errors.Is(err, httpclient.ErrClosed) || errors.Is(err, mexc.ErrOutcomeUnknown) {
		t.Errorf("order after Close: %v", err)
	}
}

// TestSecretNeverPrinted: the secret appears in no output of the client,
// its options, its errors or its logs.
func TestSecretNeverPrinted(t *testing.T) {
	const secret = venuetest.MEXCTestSecret
	var logs bytes.Buffer
	opts := mexc.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	venue, c := setup(t, venuetest.MEXCOptions{}, opts)
	opts.Secret = secret
	var out []string
	for _, v := range []any{c, opts, opts.Secret, &opts, mexc.Secret(secret), []any{opts}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			out = append(out, fmt.Sprintf(verb, v))
		}
	}
	out = append(out, c.String(), opts.Secret.String())
	if b, err := opts.Secret.MarshalText(); err == nil {
		out = append(out, string(b))
	}

	// Errors and logs from every kind of failure.
	venue.AddFault(venuetest.MEXCFault{Method: "POST", Path: "/api/v3/order", AfterAccept: true, Status: 500})
	_, err := c.PlaceOrder(t.Context(), limitBuy("s1"))
	if err != nil {
		t.Fatal(err)
	}
	venue.AddFault(venuetest.MEXCFault{Method: "POST", Path: "/api/v3/order", Status: 500})
	_, err = c.PlaceOrder(t.Context(), limitBuy("s2"))
	out = append(out, fmt.Sprintf("%v %+v %#v", err, err, err))
	_, bad := setup(t, venuetest.MEXCOptions{}, mexc.Options{Secret: "wrong-secret-1234", Logger: opts.Logger})
	_, err = bad.Account(t.Context())
	out = append(out, fmt.Sprintf("%v %+v %#v", err, err, err), fmt.Sprintf("%+v", bad))
	out = append(out, logs.String())
	for _, s := range out {
		if strings.Contains(s, secret) || strings.Contains(s, "wrong-secret-1234") {
			t.Errorf("secret printed: %s", s)
		}
	}
	if !strings.Contains(logs.String(), "clientOrderId=s2") {
		t.Errorf("reconciliation not logged: %s", logs.String())
	}
}
