// Package gateio is a client for Gate.io's spot WebSocket v4 public market
// data: tickers (spot.tickers), best bid and ask (spot.book_ticker), trades
// (spot.trades) and order book updates (spot.order_book_update), from which
// it keeps a local order book per currency pair. Events are typed, and
// prices and amounts are exact decimals (runtime/exchange/decimal).
//
// It is built on runtime/wsclient, which keeps the connection up, and
// runtime/httpclient, which fetches order book snapshots.
//
// # Lifecycle
//
// Dial connects; Run keeps the connection up until its context ends or
// Close is called; Close shuts down with a close handshake bounded by its
// context (an ended context gives up on the handshake, and Close returns its
// error), and returns once every goroutine of the Client has exited:
//
//	c, err := gateio.Dial(ctx, gateio.Options{Handler: onEvent})
//	if err != nil {
//		return err
//	}
//	go c.Run(ctx)
//	if err := c.SubscribeOrderBook(ctx, "BTC_USDT"); err != nil {
//		return err // an *APIError for an unknown pair
//	}
//	...
//	c.Close(ctx)
//
// Subscriptions are kept as desired state: after every reconnect they are
// sent again, rate-limited (Options.SubscribeRate), each request with a
// fresh "time". The Subscribe methods wait for the venue's acknowledgement,
// so Run must be running (or ctx must end), and return its error reply as
// an *APIError.
//
// The Client sends {"channel":"spot.ping"} every Options.PingInterval
// (default 10 s), which also keeps the venue's idle timer from closing the
// connection, and replaces a connection on which nothing has arrived for
// Options.StaleAfter (a half-open connection). The venue's
// {"type":"upgrade"} notice, which precedes a maintenance close, makes it
// reconnect at once rather than wait for the close.
//
// # Local order books
//
// SubscribeOrderBook keeps a book per pair, following the venue's rules:
//
//   - Pushes are buffered while the book is not synchronised, and the first
//     one starts a REST snapshot, GET /api/v4/spot/order_book with
//     with_id=true and limit Options.BookDepth.
//   - Buffered pushes with u <= id are dropped; the snapshot is used if the
//     first remaining push has U <= id+1, and fetched again otherwise
//     (Stats.SnapshotRetries). The remaining pushes are applied on top, and
//     a BookSnapshot event with Reason ReasonSync carries the result.
//   - Once synchronised, a push with u <= the id of the snapshot the book
//     was built from is one the snapshot covered, late: it is dropped. Any
//     other push with u <= the book's id is a duplicate and is dropped
//     (Stats.Duplicates); one with U > id+1 is a gap: the book
//     is emptied and resynchronised (Stats.Gaps, Stats.Resyncs). Every other
//     push is applied (amounts are absolute, "0" deletes a level) and
//     reported as a BookUpdate.
//   - A full:true push replaces the whole book (Stats.FullResets, a
//     BookSnapshot with ReasonFull).
//   - A crossed book (best bid >= best ask) is a desync: resynchronised
//     (Stats.Crossed).
//   - When inbound messages may have been lost, on reconnect or when a
//     queue overflowed (Stats.StreamGaps), every book is resynchronised.
//   - A push that cannot be decoded is counted (Stats.Malformed), reported
//     as a *wsclient.DecodeError, and its book resynchronised.
//
// Book returns a copy of a book at any time; Book.Synced tells whether it is
// usable.
//
// Events go to Options.Handler from the Client's goroutines, one call at a
// time. Everything counted in Stats is also counted through
// Options.Recorder under "gateio.*".
package gateio
