package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
	"github.com/asynclint/asynclint/runtime/exchange/gateio"
	"github.com/asynclint/asynclint/runtime/exchange/mexc"
	"github.com/asynclint/asynclint/runtime/scope"
	"github.com/asynclint/asynclint/runtime/stall"
	"github.com/asynclint/asynclint/runtime/track"
)

// Names of the operations the Engine times.
const (
	OpDepth = "mexc.depth"  // one MEXC depth request
	OpOrder = "mexc.order"  // one order, from sending it to its answer or reconciliation
	OpLoop  = "engine.loop" // the loop's work on one book update
)

// loopThreshold is how long the engine loop may work on one thing before
// the Watchdog reports it stuck.
const loopThreshold = 250 * time.Millisecond

// Stats count what an Engine has done. Every field only grows.
type Stats struct {
	GateUpdates   int64 // Gate.io order book events
	GateTickers   int64 // Gate.io ticker events
	GateErrors    int64 // errors the Gate.io client survived: reconnect causes, failed snapshots
	MEXCPolls     int64 // MEXC depth snapshots received
	PollErrors    int64 // MEXC depth requests that failed
	Opportunities int64 // times a direction's net spread rose above the threshold
	Skipped       int64 // opportunities not traded: orders off, too many in flight, no quantity
	OrdersSent    int64 // orders sent to MEXC (validated only, in test mode)
	OrdersPlaced  int64 // orders the venue accepted, reconciled ones included
	Reconciled    int64 // placed orders found by client order ID after an unknown outcome
	Rejected      int64 // orders refused by the venue, or not sent
	Unknown       int64 // orders whose outcome is still unknown after reconciliation
	Reconnects    int64 // Gate.io WebSocket reconnects
	Resyncs       int64 // Gate.io order book resyncs
	Stalls        int64 // stall reports about the process or the engine loop
}

type counters struct {
	gateUpdates, gateTickers, gateErrors, mexcPolls, pollErrors atomic.Int64
	opportunities, skipped, sent, placed, reconciled            atomic.Int64
	rejected, unknown, stalls                                   atomic.Int64
}

// recorder picks the counters the Engine reports out of the runtime's
// measurements.
type recorder struct {
	track.Nop
	reconnects, resyncs atomic.Int64
}

func (r *recorder) Count(name string, n int64) {
	switch name {
	case "ws.reconnect":
		r.reconnects.Add(n)
	case "gateio.resync":
		r.resyncs.Add(n)
	}
}

// A top is the best bid and ask of one venue, as the engine last saw it.
type top struct {
	bid, bidQty, ask, askQty decimal.Decimal
	at                       time.Time // when it arrived
}

func (t *top) fresh(now time.Time, maxAge time.Duration) bool {
	return !t.at.IsZero() && now.Sub(t.at) <= maxAge && t.bid.Sign() > 0 && t.ask.Sign() > 0
}

// A direction is one way of crossing the venues.
type direction int

const (
	buyMEXC  direction = iota // buy on MEXC, sell on Gate.io
	sellMEXC                  // sell on MEXC, buy on Gate.io
)

var directions = [...]direction{buyMEXC, sellMEXC}

// An orderResult is the answer to one order, sent to the loop.
type orderResult struct {
	order *mexc.Order
	err   error
}

var (
	one         = decimal.NewFromInt(1)
	tenThousand = decimal.NewFromInt(10000)
	bpsUnit     = decimal.New(1, 4) // 0.0001
)

// An Engine finds and trades cross-venue spreads between Gate.io and MEXC.
// Create it with New and start it with Run, once.
type Engine struct {
	cfg              Config
	mexcOpts         mexc.Options
	mexcFee, gateFee decimal.Decimal // fractions
	tr               *track.Tracker
	depthOp, orderOp *track.Op
	loopOp           *track.Op
	rec              recorder
	n                counters
	started          atomic.Bool
	begin            time.Time
	elapsed          atomic.Int64 // ns, set when Run returns

	gateBox, mexcBox *mailbox[top]
	statusBox        *mailbox[string]
	results          chan orderResult

	// Set by Run before the goroutines that use them start.
	wd    *stall.Watchdog
	gc    *gateio.Client
	mc    *mexc.Client
	spawn func(func(context.Context) error)

	// Owned by the loop.
	gate, mex top
	edge      [len(directions)]decimal.Decimal
	haveEdge  [len(directions)]bool
	active    [len(directions)]bool
	inFlight  int

	mu        sync.Mutex
	ids       []string // client order IDs, in the order sent
	lastErr   string
	lastStall string
}

// New returns an Engine configured by cfg, or an error if cfg is invalid.
func New(cfg Config) (*Engine, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	mo := cfg.MEXC
	if mo.ReconcileTimeout <= 0 {
		mo.ReconcileTimeout = 5 * time.Second
	}
	e := &Engine{
		cfg:       cfg,
		mexcOpts:  mo,
		mexcFee:   cfg.MEXCFeeBps.Mul(bpsUnit),
		gateFee:   cfg.GateFeeBps.Mul(bpsUnit),
		tr:        track.New(track.Options{}),
		gateBox:   newMailbox[top](),
		mexcBox:   newMailbox[top](),
		statusBox: newMailbox[string](),
		results:   make(chan orderResult, cfg.MaxInFlight),
	}
	e.mexcOpts.HTTP.Recorder = &e.rec
	e.depthOp, e.orderOp, e.loopOp = e.tr.Op(OpDepth), e.tr.Op(OpOrder), e.tr.Op(OpLoop)
	return e, nil
}

// Stats returns the Engine's counters. It may be called at any time.
func (e *Engine) Stats() Stats {
	n := &e.n
	return Stats{
		GateUpdates: n.gateUpdates.Load(), GateTickers: n.gateTickers.Load(), GateErrors: n.gateErrors.Load(),
		MEXCPolls: n.mexcPolls.Load(), PollErrors: n.pollErrors.Load(),
		Opportunities: n.opportunities.Load(), Skipped: n.skipped.Load(),
		OrdersSent: n.sent.Load(), OrdersPlaced: n.placed.Load(), Reconciled: n.reconciled.Load(),
		Rejected: n.rejected.Load(), Unknown: n.unknown.Load(),
		Reconnects: e.rec.reconnects.Load(), Resyncs: e.rec.resyncs.Load(), Stalls: n.stalls.Load(),
	}
}

// ClientOrderIDs returns the client order IDs of the orders sent so far,
// in the order they were sent.
func (e *Engine) ClientOrderIDs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.ids...)
}

// Latency returns the operation's 99th percentile so far: OpDepth,
// OpOrder or OpLoop.
func (e *Engine) Latency(op string) time.Duration { return e.tr.Op(op).Quantile(0.99) }

// Run connects to both venues and trades until ctx ends, then shuts down:
// the loop waits for the orders in flight, the poller and the Gate.io feed
// stop, and the Gate.io client, the MEXC client and the stall Watchdog are
// closed, in that order. It returns nil after a shutdown caused by ctx,
// and the first error otherwise (a venue that cannot be reached, a
// subscription refused). Run may be called once.
func (e *Engine) Run(ctx context.Context) error {
	if !e.started.CompareAndSwap(false, true) {
		return errors.New("engine: Run called twice")
	}
	e.begin = time.Now()
	err := scope.Run(ctx, e.setup)
	e.elapsed.Store(int64(time.Since(e.begin)))
	if e.cfg.Live && e.cfg.Out != nil {
		e.writeStatus(e.statusLine(), true) // every goroutine has returned
	}
	return err
}

// setup starts everything in s; cleanups run in the reverse order of
// their registration, once every goroutine of s has returned.
func (e *Engine) setup(s *scope.Scope) error {
	ctx := s.Context()
	e.wd = stall.New(stall.Options{OnStall: e.onStall, LoopThreshold: loopThreshold})
	if err := e.wd.Start(ctx); err != nil {
		return err
	}
	s.DeferClose(e.wd)

	mc, err := mexc.New(e.mexcOpts)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	s.DeferClose(mc)
	e.mc = mc

	gc, err := gateio.Dial(ctx, gateio.Options{
		URL:       e.cfg.GateURL,
		RESTURL:   e.cfg.GateRESTURL,
		BookDepth: 20,
		Handler:   e.onEvent,
		OnError:   e.onGateError,
		Recorder:  &e.rec,
	})
	if err != nil {
		return quiet(ctx, fmt.Errorf("engine: %w", err))
	}
	s.Defer(func() error {
		// Run has returned by now; the close handshake gets its own bound.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return gc.Close(cctx)
	})
	e.gc = gc
	e.spawn = s.Go

	s.Go(func(ctx context.Context) error { return quiet(ctx, gc.Run(ctx)) })
	if err := gc.SubscribeOrderBook(ctx, e.cfg.Pair); err != nil {
		return quiet(ctx, fmt.Errorf("engine: %w", err))
	}
	if err := gc.SubscribeTickers(ctx, e.cfg.Pair); err != nil {
		return quiet(ctx, fmt.Errorf("engine: %w", err))
	}
	s.Go(e.poll)
	s.Go(e.loop)
	if e.cfg.Out != nil {
		s.Go(e.print)
	}
	return nil
}

// quiet turns err into nil when it is only ctx having ended: a shutdown.
func quiet(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return nil
	}
	return err
}

// onEvent is the Gate.io Handler: it hands the new top of book to the
// loop and never waits for it.
//
//asynclint:nonblocking
func (e *Engine) onEvent(ev gateio.Event) {
	var q top
	switch ev := ev.(type) {
	case *gateio.BookSnapshot:
		if len(ev.Bids) > 0 {
			q.bid, q.bidQty = ev.Bids[0].Price, ev.Bids[0].Amount
		}
		if len(ev.Asks) > 0 {
			q.ask, q.askQty = ev.Asks[0].Price, ev.Asks[0].Amount
		}
	case *gateio.BookUpdate:
		q.bid, q.bidQty = ev.BestBid.Price, ev.BestBid.Amount
		q.ask, q.askQty = ev.BestAsk.Price, ev.BestAsk.Amount
	case *gateio.Ticker:
		e.n.gateTickers.Add(1)
		return
	default:
		return
	}
	q.at = time.Now()
	e.n.gateUpdates.Add(1)
	e.gateBox.put(q)
}

func (e *Engine) onGateError(err error) {
	e.n.gateErrors.Add(1)
	e.mu.Lock()
	e.lastErr = "gate.io: " + err.Error()
	e.mu.Unlock()
}

func (e *Engine) onStall(s stall.Stall) {
	e.n.stalls.Add(1)
	e.mu.Lock()
	e.lastStall = s.String()
	e.mu.Unlock()
}

// poll fetches MEXC's top of book every PollInterval until ctx ends, each
// request bounded by MaxBookAge: an older answer is of no use.
func (e *Engine) poll(ctx context.Context) error {
	t := time.NewTicker(e.cfg.PollInterval)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, e.cfg.MaxBookAge)
		tm := e.depthOp.Start()
		d, err := e.mc.Depth(pctx, e.cfg.Symbol, 5)
		cancel()
		tm.Done(err)
		switch {
		case err == nil:
			var q top
			if len(d.Bids) > 0 {
				q.bid, q.bidQty = d.Bids[0].Price, d.Bids[0].Quantity
			}
			if len(d.Asks) > 0 {
				q.ask, q.askQty = d.Asks[0].Price, d.Asks[0].Quantity
			}
			q.at = time.Now()
			e.n.mexcPolls.Add(1)
			e.mexcBox.put(q)
		case ctx.Err() == nil:
			e.n.pollErrors.Add(1)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// loop is the engine loop: it owns the books and every decision. It waits
// for the next thing to do, and hands it to a handler marked
// //asynclint:nonblocking, which must never wait: not for the network,
// not for the terminal, not for a channel. Orders run on goroutines of
// their own and the status line is printed by another.
func (e *Engine) loop(ctx context.Context) error {
	l := e.wd.Loop("engine", loopThreshold)
	defer l.Close()
	status := time.NewTicker(e.cfg.StatusInterval)
	defer status.Stop()
	for {
		l.Idle()
		select {
		case <-ctx.Done():
			e.drain(l)
			return nil
		case <-e.gateBox.ready:
			l.Progress()
			e.onTop(e.gateBox, &e.gate)
		case <-e.mexcBox.ready:
			l.Progress()
			e.onTop(e.mexcBox, &e.mex)
		case r := <-e.results:
			l.Progress()
			e.settle(r)
		case <-status.C:
			l.Progress()
			e.onStatusTick()
		}
	}
}

// drain waits for the answers to the orders in flight, each bounded by its
// opportunity's deadline and the MEXC client's reconciliation.
func (e *Engine) drain(l *stall.Loop) {
	for e.inFlight > 0 {
		l.Idle()
		r := <-e.results
		l.Progress()
		e.settle(r)
	}
}

// onTop takes a venue's new top of book from box into dst, Gate.io's
// (e.gate) or MEXC's (e.mex).
//
//asynclint:nonblocking
func (e *Engine) onTop(box *mailbox[top], dst *top) {
	if q, ok := box.take(); ok {
		tm := e.loopOp.Start()
		*dst = q
		e.evaluate(q.at)
		tm.Done(nil)
	}
}

// onStatusTick hands the status line to the printer.
//
//asynclint:nonblocking
func (e *Engine) onStatusTick() {
	if e.cfg.Out != nil {
		e.statusBox.put(e.statusLine())
	}
}

// print writes the status lines the loop hands it to Out, so that a slow
// terminal never holds up the loop.
func (e *Engine) print(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-e.statusBox.ready:
			if line, ok := e.statusBox.take(); ok {
				e.writeStatus(line, false)
			}
		}
	}
}

// netBps is d's spread in basis points of what it costs, after both
// venues' taker fees.
func (e *Engine) netBps(d direction) decimal.Decimal {
	var proceeds, cost decimal.Decimal
	switch d {
	case buyMEXC:
		proceeds = e.gate.bid.Mul(one.Sub(e.gateFee))
		cost = e.mex.ask.Mul(one.Add(e.mexcFee))
	default:
		proceeds = e.mex.bid.Mul(one.Sub(e.mexcFee))
		cost = e.gate.ask.Mul(one.Add(e.gateFee))
	}
	edge, err := proceeds.Sub(cost).Mul(tenThousand).Div(cost, 2, decimal.RoundDown)
	if err != nil { // cost is positive: fresh tops only
		panic(err)
	}
	return edge
}

// evaluate recomputes both directions' spreads after a book changed, and
// takes each opportunity that opens.
func (e *Engine) evaluate(now time.Time) {
	if !e.gate.fresh(now, e.cfg.MaxBookAge) || !e.mex.fresh(now, e.cfg.MaxBookAge) {
		return
	}
	for _, d := range directions {
		edge := e.netBps(d)
		e.edge[d], e.haveEdge[d] = edge, true
		if edge.Cmp(e.cfg.ThresholdBps) <= 0 {
			e.active[d] = false
			continue
		}
		if e.active[d] {
			continue // already taken
		}
		// The feed's last update may predate a resync in progress: ask the
		// client, which knows, before trading on it.
		if b, ok := e.gc.Book(e.cfg.Pair); !ok || !b.Synced {
			continue
		}
		e.active[d] = true
		e.n.opportunities.Add(1)
		e.take(d, now)
	}
}

// take sends one IOC order on MEXC for the opportunity in direction d,
// seen at seen, on a goroutine of its own.
func (e *Engine) take(d direction, seen time.Time) {
	req := mexc.OrderRequest{
		Symbol:        e.cfg.Symbol,
		Type:          mexc.ImmediateOrCancel,
		ClientOrderID: mexc.NewClientOrderID(),
	}
	avail := e.mex.askQty
	req.Side, req.Price = mexc.Buy, e.mex.ask
	if d == sellMEXC {
		avail = e.mex.bidQty
		req.Side, req.Price = mexc.Sell, e.mex.bid
	}
	req.Quantity = e.cfg.Quantity
	if avail.Cmp(req.Quantity) < 0 {
		req.Quantity = avail
	}
	if e.cfg.Orders == OrdersOff || e.inFlight >= e.cfg.MaxInFlight || req.Quantity.Sign() <= 0 {
		e.n.skipped.Add(1)
		return
	}
	e.mu.Lock()
	e.ids = append(e.ids, req.ClientOrderID)
	e.mu.Unlock()
	e.inFlight++
	e.n.sent.Add(1)
	deadline := seen.Add(e.cfg.OrderTimeout)
	e.spawn(func(ctx context.Context) error {
		e.results <- e.send(ctx, req, deadline) // never waits: room for every order in flight
		return nil
	})
}

// send sends one order under its opportunity's deadline.
func (e *Engine) send(ctx context.Context, req mexc.OrderRequest, deadline time.Time) orderResult {
	// A shutdown that begins while the order is on its way must not cut
	// it off: the deadline bounds it, and its answer must be counted.
	octx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline) //asynclint:detached an order in flight is answered or reconciled, within its deadline, even during shutdown
	defer cancel()
	var r orderResult
	tm := e.orderOp.Start()
	if e.cfg.Orders == OrdersTest {
		r.err = e.mc.TestOrder(octx, req)
	} else {
		r.order, r.err = e.mc.PlaceOrder(octx, req)
	}
	tm.Done(r.err)
	return r
}

// settle counts an order's answer.
//
//asynclint:nonblocking
func (e *Engine) settle(r orderResult) {
	e.inFlight--
	if r.err == nil {
		e.n.placed.Add(1)
		if r.order != nil && r.order.Reconciled {
			e.n.reconciled.Add(1)
		}
		return
	}
	if errors.Is(r.err, mexc.ErrOutcomeUnknown) {
		e.n.unknown.Add(1)
	} else {
		e.n.rejected.Add(1)
	}
	e.mu.Lock()
	e.lastErr = r.err.Error()
	e.mu.Unlock()
}
