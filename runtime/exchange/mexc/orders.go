package mexc

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/asynclint/asynclint/runtime/httpclient"
	"github.com/asynclint/asynclint/runtime/internal/backoff"
)

// NewClientOrderID returns a fresh random client order ID: 32 hex digits.
func NewClientOrderID() string {
	var b [16]byte
	crand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (o *OrderRequest) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: order: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
	}
	if o.Symbol == "" {
		return bad("no symbol")
	}
	if o.Side != Buy && o.Side != Sell {
		return bad("side %q", o.Side)
	}
	if o.Quantity.Sign() < 0 || o.QuoteOrderQty.Sign() < 0 || o.Price.Sign() < 0 {
		return bad("negative quantity or price")
	}
	switch o.Type {
	case Limit, LimitMaker, ImmediateOrCancel, FillOrKill:
		if o.Quantity.IsZero() || o.Price.IsZero() {
			return bad("%s needs a quantity and a price", o.Type)
		}
	case Market:
		if o.Quantity.IsZero() && o.QuoteOrderQty.IsZero() {
			return bad("MARKET needs a quantity or a quote order quantity")
		}
	default:
		return bad("type %q", o.Type)
	}
	return nil
}

func (o *OrderRequest) params() params {
	var p params
	p.add("symbol", o.Symbol)
	p.add("side", string(o.Side))
	p.add("type", string(o.Type))
	p.addDecimal("quantity", o.Quantity)
	p.addDecimal("quoteOrderQty", o.QuoteOrderQty)
	p.addDecimal("price", o.Price)
	p.add("newClientOrderId", o.ClientOrderID)
	return p
}

// PlaceOrder places an order with POST /api/v3/order and returns the
// venue's acknowledgement. Every order carries a client order ID: o's, or
// one generated here, which the returned Order reports.
//
// An order is never sent twice. When its outcome is unknown (the venue
// answered with a 5xx, or the connection failed or ctx ended after the
// request was written, or the acknowledgement could not be read),
// PlaceOrder reconciles: it queries the order by its client order ID, a few
// times within Options.ReconcileTimeout, and returns the order it finds,
// marked Reconciled. A ctx that has ended, or that would end before
// ReconcileTimeout, does not cut reconciliation short: it runs on a fresh
// context bounded by ReconcileTimeout, so that an order the venue accepted
// is not lost to the caller. If the order still cannot be found, the error
// is an *OutcomeUnknownError carrying the client order ID.
//
// A request the venue rejected (an *APIError, a *RateLimitError) or that
// was never sent returns its error: no order was placed.
func (c *Client) PlaceOrder(ctx context.Context, o OrderRequest) (*Order, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.ClientOrderID == "" {
		o.ClientOrderID = NewClientOrderID()
	}
	var ack Order
	var sent atomic.Bool
	err := c.do(ctx, epOrder, o.params(), &ack, &sent)
	if err == nil {
		if ack.ClientOrderID == "" {
			ack.ClientOrderID = o.ClientOrderID
		}
		if ack.Symbol == "" {
			ack.Symbol = o.Symbol
		}
		return &ack, nil
	}
	if !outcomeUnknown(err, sent.Load()) {
		return nil, err
	}
	return c.reconcileOrder(ctx, o, err)
}

// outcomeUnknown reports whether a placement that failed with err may
// nonetheless have placed the order.
func outcomeUnknown(err error, sent bool) bool {
	// An answer with a status settles it, whatever its body says: a 5xx
	// may come from a gateway after the order reached the engine.
	var se *httpclient.StatusError
	if errors.As(err, &se) {
		return se.StatusCode >= http.StatusInternalServerError
	}
	var rl *RateLimitError
	var ae *APIError
	if errors.As(err, &rl) || errors.As(err, &ae) {
		return false
	}
	// A transport failure, an unreadable acknowledgement, or a context
	// that ended: unknown if the venue may have seen the request.
	return sent
}

// reconcileOrder looks for the order o, whose placement failed with cause,
// by its client order ID.
func (c *Client) reconcileOrder(ctx context.Context, o OrderRequest, cause error) (*Order, error) {
	base := ctx
	if deadline, ok := ctx.Deadline(); ctx.Err() != nil || (ok && time.Until(deadline) < c.reconcile.timeout) {
		// The caller's context cannot carry the reconciliation; its values
		// can. Bounded below by ReconcileTimeout and by Close.
		base = context.WithoutCancel(ctx) //asynclint:detached an accepted order must reach the caller even when its context has ended
	}
	rctx, cancel := context.WithTimeout(base, c.reconcile.timeout)
	defer cancel()
	c.log.WarnContext(ctx, "mexc: order outcome unknown; reconciling by client order ID",
		"symbol", o.Symbol, "clientOrderId", o.ClientOrderID, "error", cause)
	ue := &OutcomeUnknownError{Symbol: o.Symbol, ClientOrderID: o.ClientOrderID, Err: cause}
	answered, allUnknown := false, true
	ref := OrderRef{Symbol: o.Symbol, ClientOrderID: o.ClientOrderID}
	for n := 1; n <= c.reconcile.attempts; n++ {
		if n > 1 {
			if err := sleep(rctx, rand.N(reconcileCeiling(n-1)+1)); err != nil {
				break
			}
		}
		ord, err := c.QueryOrder(rctx, ref)
		if err == nil {
			ord.Reconciled = true
			c.log.InfoContext(ctx, "mexc: order found by reconciliation",
				"symbol", o.Symbol, "clientOrderId", o.ClientOrderID, "orderId", ord.OrderID, "status", ord.Status)
			return ord, nil
		}
		ue.Reconcile = err
		var ae *APIError
		if errors.As(err, &ae) {
			answered = true
			allUnknown = allUnknown && errors.Is(err, ErrUnknownOrder)
		}
		if errors.Is(err, ErrBanned) || errors.Is(err, httpclient.ErrClosed) || rctx.Err() != nil {
			break
		}
	}
	ue.NotFound = answered && allUnknown
	c.log.WarnContext(ctx, "mexc: order outcome still unknown",
		"symbol", o.Symbol, "clientOrderId", o.ClientOrderID, "notFound", ue.NotFound, "error", ue.Reconcile)
	return nil, ue
}

// reconcileCeiling is the backoff ceiling before reconciliation query n+1.
func reconcileCeiling(n int) time.Duration {
	return backoff.Ceiling(100*time.Millisecond, 2*time.Second, n)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// TestOrder validates an order with POST /api/v3/order/test without
// placing it.
func (c *Client) TestOrder(ctx context.Context, o OrderRequest) error {
	if err := o.validate(); err != nil {
		return err
	}
	return c.do(ctx, epTestOrder, o.params(), nil, nil)
}

func (r OrderRef) params() (params, error) {
	if r.Symbol == "" {
		return nil, fmt.Errorf("%w: no symbol", ErrInvalidRequest)
	}
	var p params
	p.add("symbol", r.Symbol)
	switch {
	case r.OrderID != "":
		p.add("orderId", string(r.OrderID))
	case r.ClientOrderID != "":
		p.add("origClientOrderId", r.ClientOrderID)
	default:
		return nil, fmt.Errorf("%w: %w: neither an order ID nor a client order ID", ErrInvalidRequest, ErrMissingOrderID)
	}
	return p, nil
}

// CancelOrder cancels an order with DELETE /api/v3/order and returns it,
// canceled. When the venue does not know the order as open (-2011), which
// is also what a retried cancel whose first response was lost gets,
// CancelOrder queries it: an order found canceled is returned without
// error; otherwise the error matches ErrUnknownOrder.
func (c *Client) CancelOrder(ctx context.Context, ref OrderRef) (*Order, error) {
	p, err := ref.params()
	if err != nil {
		return nil, err
	}
	var ord Order
	err = c.do(ctx, epCancel, p, &ord, nil)
	if err == nil {
		return &ord, nil
	}
	if !errors.Is(err, ErrUnknownOrder) {
		return nil, err
	}
	q, qerr := c.QueryOrder(ctx, ref)
	if qerr == nil && (q.Status == StatusCanceled || q.Status == StatusPartiallyCanceled) {
		return q, nil
	}
	return nil, err
}

// CancelAllOrders cancels every open order of symbol with
// DELETE /api/v3/openOrders and returns them.
func (c *Client) CancelAllOrders(ctx context.Context, symbol string) ([]Order, error) {
	return c.ordersOf(ctx, epCancelAll, symbol)
}

// QueryOrder returns an order with GET /api/v3/order. An order the venue
// does not know gives an error matching ErrUnknownOrder.
func (c *Client) QueryOrder(ctx context.Context, ref OrderRef) (*Order, error) {
	p, err := ref.params()
	if err != nil {
		return nil, err
	}
	var ord Order
	if err := c.do(ctx, epQueryOrder, p, &ord, nil); err != nil {
		return nil, err
	}
	return &ord, nil
}

// OpenOrders returns the open orders of symbol with GET /api/v3/openOrders.
func (c *Client) OpenOrders(ctx context.Context, symbol string) ([]Order, error) {
	return c.ordersOf(ctx, epOpenOrders, symbol)
}

// ordersOf calls e, an endpoint that takes a symbol and answers with the
// open orders of that symbol it saw.
func (c *Client) ordersOf(ctx context.Context, e endpoint, symbol string) ([]Order, error) {
	if symbol == "" {
		return nil, fmt.Errorf("%w: no symbol", ErrInvalidRequest)
	}
	var p params
	p.add("symbol", symbol)
	var out []Order
	if err := c.do(ctx, e, p, &out, nil); err != nil {
		return nil, err
	}
	return out, nil
}
