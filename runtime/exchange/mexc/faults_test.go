package mexc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/mexc"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
	"github.com/asynclint/asynclint/runtime/httpclient"
)

// placedOnce checks the invariants of every placement fault: the order was
// sent exactly once, and the venue holds at most one order with its client
// order ID.
func placedOnce(t *testing.T, venue *venuetest.MEXC, wantOrders int) {
	t.Helper()
	if n := venue.Hits("POST", "/api/v3/order"); n != 1 {
		t.Errorf("order sent %d times, want once", n)
	}
	if n := len(venue.Orders()); n != wantOrders {
		t.Errorf("venue holds %d orders, want %d", n, wantOrders)
	}
}

// TestPlacementAcceptedButAnswerLost: whenever the venue accepted the order
// and its answer did not arrive, PlaceOrder returns the order found by
// reconciliation, and sent it only once.
func TestPlacementAcceptedButAnswerLost(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault venuetest.MEXCFault
		ctx   time.Duration // the caller's deadline, if any
	}{
		{"503 after accepting", venuetest.MEXCFault{Status: 503}, 0},
		{"500 with a code after accepting", venuetest.MEXCFault{Status: 500, Body: `{"code":500,"msg":"internal"}`}, 0},
		{"connection dropped after accepting", venuetest.MEXCFault{Abort: true}, 0},
		{"slow answer outlasting the caller's context", venuetest.MEXCFault{Delay: time.Hour}, time.Second},
		{"5xx after accepting on a closing connection", venuetest.MEXCFault{Status: 502, ConnClose: true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
			// Synced beforehand, so that the caller's deadline is spent on
			// the order alone.
			if _, err := c.SyncTime(t.Context()); err != nil {
				t.Fatal(err)
			}
			f := tc.fault
			f.Method, f.Path, f.AfterAccept = "POST", "/api/v3/order", true
			venue.AddFault(f)
			ctx := t.Context()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			o, err := c.PlaceOrder(ctx, limitBuy("lost-ack"))
			if err != nil {
				t.Fatalf("PlaceOrder: %v", err)
			}
			if !o.Reconciled || o.ClientOrderID != "lost-ack" || o.Status != mexc.StatusNew || o.OrderID == "" {
				t.Errorf("reconciled order %+v", o)
			}
			v, _ := venue.OrderByClientID("lost-ack")
			if string(o.OrderID) != v.OrderID {
				t.Errorf("order ID %s, venue has %s", o.OrderID, v.OrderID)
			}
			placedOnce(t, venue, 1)
		})
	}
}

// TestPlacementNotAccepted: when the venue failed before accepting the
// order, reconciliation finds nothing and PlaceOrder says the outcome is
// unknown, carrying the client order ID; it never sends the order again.
func TestPlacementNotAccepted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault venuetest.MEXCFault
	}{
		{"503 before accepting", venuetest.MEXCFault{Status: 503}},
		{"connection dropped before accepting", venuetest.MEXCFault{Abort: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{ReconcileAttempts: 2})
			f := tc.fault
			f.Method, f.Path = "POST", "/api/v3/order"
			venue.AddFault(f)
			_, err := c.PlaceOrder(t.Context(), limitBuy("never-placed"))
			var ue *mexc.OutcomeUnknownError
			if !errors.As(err, &ue) || !errors.Is(err, mexc.ErrOutcomeUnknown) {
				t.Fatalf("error %v, want an *OutcomeUnknownError", err)
			}
			if ue.ClientOrderID != "never-placed" || ue.Symbol != "BTCUSDT" || !ue.NotFound || !errors.Is(ue.Reconcile, mexc.ErrUnknownOrder) {
				t.Errorf("outcome unknown error %+v", ue)
			}
			if n := venue.Hits("GET", "/api/v3/order"); n != 2 {
				t.Errorf("%d reconciliation queries, want 2", n)
			}
			placedOnce(t, venue, 0)
		})
	}
}

// TestReconciliationFails: the order was accepted and the queries that
// would find it fail too: the error carries the client order ID, by which
// the order is found once the venue recovers. Nothing is lost.
func TestReconciliationFails(t *testing.T) {
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{
		ReconcileAttempts: 2,
		HTTP:              httpclient.Options{Retry: httpclient.Retry{Attempts: 1}},
	})
	venue.AddFault(venuetest.MEXCFault{Method: "POST", Path: "/api/v3/order", AfterAccept: true, Status: 500})
	venue.AddFault(venuetest.MEXCFault{Method: "GET", Path: "/api/v3/order", Times: 2, Status: 503})
	_, err := c.PlaceOrder(t.Context(), limitBuy(""))
	var ue *mexc.OutcomeUnknownError
	if !errors.As(err, &ue) || ue.NotFound || ue.ClientOrderID == "" {
		t.Fatalf("error %v, want an *OutcomeUnknownError that did not find the order either way", err)
	}
	placedOnce(t, venue, 1)
	o, err := c.QueryOrder(t.Context(), mexc.OrderRef{Symbol: ue.Symbol, ClientOrderID: ue.ClientOrderID})
	if err != nil || o.Status != mexc.StatusNew {
		t.Fatalf("order not found later: %+v, %v", o, err)
	}
}

// TestPlacementCallerContextEnded: a caller whose context is already over
// when the answer is lost still gets the order: reconciliation runs on a
// fresh bounded context.
func TestPlacementCallerContextEnded(t *testing.T) {
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	if _, err := c.SyncTime(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The venue accepts the order, then stalls; the caller gives up.
	venue.AddFault(venuetest.MEXCFault{Method: "POST", Path: "/api/v3/order", AfterAccept: true, Delay: time.Hour})
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for venue.Hits("POST", "/api/v3/order") == 0 || len(venue.Orders()) == 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
		}
		cancel()
	}()
	o, err := c.PlaceOrder(ctx, limitBuy("caller-gone"))
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	if !o.Reconciled || o.ClientOrderID != "caller-gone" {
		t.Errorf("order %+v", o)
	}
	if ctx.Err() == nil {
		t.Error("the caller's context did not end")
	}
	placedOnce(t, venue, 1)
}

// TestPlacementNeverSent: an order that never left the client is not
// reconciled: its outcome is known.
func TestPlacementNeverSent(t *testing.T) {
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	if _, err := c.SyncTime(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.PlaceOrder(ctx, limitBuy("not-sent"))
	if !errors.Is(err, context.Canceled) || errors.Is(err, mexc.ErrOutcomeUnknown) {
		t.Errorf("error %v, want context.Canceled and a known outcome", err)
	}
	if n := venue.Hits("POST", "/api/v3/order") + venue.Hits("GET", "/api/v3/order"); n != 0 {
		t.Errorf("%d order requests", n)
	}
}

// TestRateLimited: 429 rejects the order (no reconciliation, no resend);
// the client then holds back until Retry-After has passed: a caller that
// cannot wait that long is refused without a request.
func TestRateLimited(t *testing.T) {
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	if _, err := c.SyncTime(t.Context()); err != nil {
		t.Fatal(err)
	}
	venue.AddFault(venuetest.MEXCFault{Method: "POST", Path: "/api/v3/order", Status: 429, RetryAfter: "1"})
	_, err := c.PlaceOrder(t.Context(), limitBuy("throttled"))
	var rl *mexc.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, mexc.ErrRateLimited) || rl.RetryAfter != time.Second || rl.Local {
		t.Fatalf("error %v, want a *RateLimitError with Retry-After 1s", err)
	}
	if n := venue.Hits("GET", "/api/v3/order"); n != 0 {
		t.Errorf("%d reconciliation queries after a 429", n)
	}
	placedOnce(t, venue, 0)

	requests := venue.Requests()
	short, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	_, err = c.Depth(short, "BTCUSDT", 5)
	if !errors.As(err, &rl) || !rl.Local || !errors.Is(err, mexc.ErrRateLimited) {
		t.Errorf("error %v, want a local *RateLimitError", err)
	}
	if n := venue.Requests() - requests; n != 0 {
		t.Errorf("%d requests sent during Retry-After", n)
	}
	// A caller that can wait, waits, and is served.
	if _, err := c.Depth(t.Context(), "BTCUSDT", 5); err != nil {
		t.Fatal(err)
	}
}

// TestBanned: 418 refuses every request, without sending it, until its
// Retry-After has passed.
func TestBanned(t *testing.T) {
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{})
	venue.AddFault(venuetest.MEXCFault{Path: "/api/v3/depth", Status: 418, RetryAfter: "120"})
	_, err := c.Depth(t.Context(), "BTCUSDT", 5)
	var rl *mexc.RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, mexc.ErrBanned) || rl.RetryAfter != 2*time.Minute {
		t.Fatalf("error %v, want a ban for 2m", err)
	}
	requests := venue.Requests()
	_, err = c.PlaceOrder(t.Context(), limitBuy("while-banned"))
	if !errors.Is(err, mexc.ErrBanned) || errors.Is(err, mexc.ErrOutcomeUnknown) {
		t.Errorf("order during a ban: %v", err)
	}
	if n := venue.Requests() - requests; n != 0 {
		t.Errorf("%d requests sent during a ban", n)
	}
}

// TestLocalRateLimit: the client's own limiter refuses a call whose weight
// would not be available before the context's deadline, without sending it.
func TestLocalRateLimit(t *testing.T) {
	venue, c := setup(t, venuetest.MEXCOptions{}, mexc.Options{WeightPer10s: 10})
	if _, err := c.Account(t.Context()); err != nil {
		t.Fatal(err)
	}
	requests := venue.Requests()
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if _, err := c.Account(ctx); err == nil {
		t.Error("second account call within the budget's refill succeeded")
	}
	if n := venue.Requests() - requests; n != 0 {
		t.Errorf("%d requests sent beyond the limit", n)
	}
}
