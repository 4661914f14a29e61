// Arbitrage is a cross-venue arbitrage engine between Gate.io and MEXC
// spot, built on the asynclint runtime: it subscribes to Gate.io's order
// book and tickers over WebSocket, polls MEXC's depth over REST, keeps both
// tops of book, computes the spread in both directions net of both venues'
// taker fees and, when one clears a threshold, places an order on MEXC for
// that opportunity, under a deadline of its own, off the engine loop. It
// prints a live one-line status (books, net spreads, opportunities,
// orders, reconnects, p99 latencies) and a summary when it stops, on
// SIGINT, SIGTERM or after -duration, closing everything in order.
//
// With no flags it needs no network and no keys: it starts a fake MEXC
// venue and a fake Gate.io venue in-process (runtime/exchange/venuetest),
// whose prices cross now and then by a seeded schedule (-seed), and trades
// against them:
//
//	go run ./examples/arbitrage
//	go run ./examples/arbitrage -duration 10s
//
// Against the real venues (-real, or any of -mexc-url, -gate-url,
// -gate-rest-url) it needs nothing either: without keys it only watches
// and counts opportunities. With MEXC_API_KEY and MEXC_SECRET_KEY in the
// environment (or -mexc-key for the key) it validates its orders with
// POST /api/v3/order/test, and places them only with -orders live. The
// secret is read from the environment only and is never printed.
//
// The engine itself is package examples/arbitrage/engine; the fake market
// is examples/arbitrage/fakemarket.
package main
