// Package engine is the cross-venue arbitrage engine of examples/arbitrage.
// It keeps Gate.io's order book and tickers from the WebSocket feed
// (runtime/exchange/gateio) and MEXC's top of book from polling its REST
// depth (runtime/exchange/mexc), computes the spread between them in both
// directions net of both venues' taker fees, and, when one direction
// clears a threshold, places one order on MEXC for that opportunity.
//
// One goroutine, the engine loop, owns the books and every decision. It
// waits for the next thing to do and hands it to a handler marked
// //asynclint:nonblocking (a new top of book, an order's answer, the status
// tick), which never waits: not for the network, the terminal or a
// channel. The Gate.io feed and the MEXC poller hand the loop their latest
// top of book through one-slot mailboxes that keep only the newest value;
// orders are placed on goroutines of their own, each under a deadline
// counted from the moment its opportunity was seen, and report back on a
// channel with room for every order in flight; a printer goroutine writes
// the status line. The loop is watched by a runtime/stall Watchdog, and
// the MEXC depth requests, the orders and the loop's handlers are timed
// with a runtime/track Tracker.
//
// An opportunity lasts as long as its direction's net spread stays above
// the threshold; it gets at most one order, so a dislocation that persists
// over many book updates is not traded twice. Every order carries a fresh
// client order ID. An order whose outcome is unknown (a 5xx after the
// venue accepted it, say) is reconciled by the MEXC client by that ID and
// never sent again.
//
// Run owns everything it starts (runtime/scope): when its context ends,
// the loop stops taking opportunities and waits for the orders in flight,
// the poller and the feed stop, and the Gate.io client, the MEXC client and
// the Watchdog are closed in that order before Run returns.
package engine
