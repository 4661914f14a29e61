package engine

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asynclint/asynclint/examples/arbitrage/fakemarket"
	"github.com/asynclint/asynclint/runtime/exchange/mexc"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
)

// waitFor polls cond until it holds, failing the test with the engine's
// counters if it does not within a generous bound.
func waitFor(t *testing.T, e *Engine, what string, cond func(Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond(e.Stats()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; stats %+v", what, e.Stats())
		}
		pause(t, 5*time.Millisecond)
	}
}

// pause waits d, failing the test if its context ends first.
func pause(t *testing.T, d time.Duration) {
	t.Helper()
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-t.Context().Done():
		t.Fatal(t.Context().Err())
	case <-tm.C:
	}
}

// TestEndToEndWithFaults runs the engine against the seeded fake market,
// drops the Gate.io connection and answers one order with a 5xx after the
// venue accepted it, and checks that opportunities were traded, every order
// was sent exactly once and reconciled rather than resent, the feed came
// back, and everything shut down.
func TestEndToEndWithFaults(t *testing.T) {
	m := fakemarket.Start(fakemarket.Options{Seed: 7, Step: 10 * time.Millisecond, Every: 12})
	defer m.Close()

	var out bytes.Buffer // written by the engine's goroutines, read after Run
	e, err := New(Config{
		MEXC: mexc.Options{
			BaseURL: m.MEXCURL(),
			APIKey:  venuetest.MEXCTestAPIKey,
			Secret:  venuetest.MEXCTestSecret,
		},
		GateURL:        m.GateURL(),
		GateRESTURL:    m.GateRESTURL(),
		Orders:         OrdersLive,
		PollInterval:   15 * time.Millisecond,
		StatusInterval: 100 * time.Millisecond,
		Out:            &out,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()

	waitFor(t, e, "two orders placed", func(s Stats) bool { return s.OrdersPlaced >= 2 })

	// The next order is placed, then answered 502; the feed's TCP
	// connection drops without a close frame.
	m.MEXC.AddFault(venuetest.MEXCFault{
		Method: "POST", Path: "/api/v3/order", AfterAccept: true,
		Status: 502, Body: `{"msg":"bad gateway"}`,
	})
	m.Gate.DropConnections()

	waitFor(t, e, "a reconnect", func(s Stats) bool { return s.Reconnects >= 1 })
	waitFor(t, e, "the 5xx order reconciled", func(s Stats) bool { return s.Reconciled >= 1 })
	after := e.Stats()
	waitFor(t, e, "trading after the faults", func(s Stats) bool {
		return s.OrdersPlaced >= after.OrdersPlaced+2 && s.Opportunities > after.Opportunities
	})

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}

	st := e.Stats()
	t.Logf("stats %+v\n%s\n%s", st, out.String(), e.Summary())
	if st.Opportunities == 0 || st.OrdersSent == 0 {
		t.Errorf("opportunities %d, orders sent %d: want both positive", st.Opportunities, st.OrdersSent)
	}
	if st.OrdersSent+st.Skipped > st.Opportunities {
		t.Errorf("%d orders sent and %d skipped for %d opportunities: more than one order for an opportunity",
			st.OrdersSent, st.Skipped, st.Opportunities)
	}
	if st.Rejected != 0 || st.Unknown != 0 {
		t.Errorf("rejected %d, unknown %d; want none", st.Rejected, st.Unknown)
	}
	if st.Reconciled != 1 {
		t.Errorf("reconciled %d orders, want the one answered 5xx", st.Reconciled)
	}
	if n := m.MEXC.PendingFaults(); n != 0 {
		t.Errorf("%d faults unused", n)
	}

	// Every order was sent once, the one answered 5xx included: it was
	// reconciled, not resent.
	if hits := m.MEXC.Hits("POST", "/api/v3/order"); int64(hits) != st.OrdersSent {
		t.Errorf("the venue received %d order requests; the engine sent %d orders", hits, st.OrdersSent)
	}
	if q := m.MEXC.Hits("GET", "/api/v3/order"); q < 1 {
		t.Errorf("no order query: the 5xx order was not reconciled by its client order ID")
	}
	var venueIDs []string
	for _, o := range m.MEXC.Orders() {
		venueIDs = append(venueIDs, o.ClientOrderID)
	}
	ids := e.ClientOrderIDs()
	if int64(len(venueIDs)) != st.OrdersPlaced || int64(len(ids)) != st.OrdersSent {
		t.Errorf("venue holds %d orders, engine placed %d; engine sent %d IDs for %d orders",
			len(venueIDs), st.OrdersPlaced, len(ids), st.OrdersSent)
	}
	slices.Sort(venueIDs)
	slices.Sort(ids)
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("duplicate client order IDs among the engine's orders")
	}
	if !slices.Equal(venueIDs, ids) {
		t.Errorf("the venue's orders %v are not the engine's %v", venueIDs, ids)
	}

	// The feed came back on a new connection, and the engine closed it.
	if n := m.Gate.Accepted(); n < 2 {
		t.Errorf("the fake Gate.io venue accepted %d connections, want a reconnect", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for m.Gate.Connections() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d Gate.io connections still open after Run returned", m.Gate.Connections())
		}
		pause(t, 5*time.Millisecond)
	}

	if !strings.Contains(out.String(), "| opps ") {
		t.Errorf("no status line in the output:\n%s", out.String())
	}
	if strings.Contains(out.String()+e.Summary(), venuetest.MEXCTestSecret) {
		t.Error("the secret was printed")
	}
}

// TestConfig checks the configuration's defaults and refusals.
func TestConfig(t *testing.T) {
	if _, err := New(Config{Orders: OrdersLive}); err == nil {
		t.Error("live orders without keys: no error")
	}
	if _, err := New(Config{Orders: "sometimes"}); err == nil {
		t.Error("an unknown order mode: no error")
	}
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e.cfg.Orders != OrdersOff || e.cfg.Symbol != "BTCUSDT" || e.cfg.Pair != "BTC_USDT" || e.cfg.Quantity.String() != "0.01" {
		t.Errorf("defaults: %+v", e.cfg)
	}
}
