// Package wsclient keeps a WebSocket market-data connection up: it reads on
// one goroutine, hands messages to a handler under a back-pressure policy,
// heartbeats, notices a dead or stale feed, reconnects with backoff and
// resubscribes from the set of subscriptions the caller wants.
//
// It is built on github.com/coder/websocket and is written for venues such as
// Gate.io's spot WebSocket v4: JSON requests and pushes, an application-level
// ping, and an "upgrade" notice before a maintenance close.
//
// # Lifecycle
//
// Dial makes the first connection, so that a wrong URL or a refused handshake
// is reported at once. Run then owns the connection until its context ends or
// Close is called, replacing it whenever it fails:
//
//	c, err := wsclient.Dial(ctx, "wss://api.gateio.ws/ws/v4/", &wsclient.Options{
//		Handler: onMessage,
//		AppPing: gatePing,
//	})
//	if err != nil {
//		return err
//	}
//	c.Subscribe(ctx, "spot.tickers BTC_USDT", tickersRequest("BTC_USDT"))
//	go c.Run(ctx)
//	...
//	c.Close(ctx)
//
// A connection is replaced when a read or write fails, when the venue closes
// it, when a ping goes unanswered, when nothing arrives for
// Options.StaleAfter, and when the caller asks with Reconnect or a handler
// returns an error wrapping ErrReconnect (a venue's "reconnect soon" notice).
// The first attempt after a connection that had been up for
// Options.StableAfter is immediate, because the arithmetic of uptime is
// unforgiving: at one fault every 30 s, 99.9% uptime leaves 30 ms to recover.
// Further attempts wait a random time below an exponentially growing bound
// ("full jitter"), so a fleet of clients does not reconnect in step.
//
// # Subscriptions
//
// Subscribe and Unsubscribe maintain the desired subscriptions, keyed by the
// caller. Every new connection is sent the whole set, oldest first, through
// the same rate limiter as Send, so that resubscribing many streams does not
// trip the venue's message rate limit. The messages are built by a
// MessageFunc at each send, so requests that carry a timestamp or a
// signature are fresh on every reconnect.
//
// # Inbound messages and back-pressure
//
// The reader never runs the handler: it reads each message into a recycled
// buffer and queues it for a dispatcher goroutine, which calls the handler
// one message at a time, in order. When the handler falls behind and the
// queue (Options.QueueSize) fills, Options.Policy decides:
//
//   - Block: the reader waits for room. Nothing is lost, and the venue is
//     slowed down through TCP flow control. The library answers the venue's
//     pings only while a read is in progress, so while the reader waits they
//     go unanswered; the queue exists so that this happens only when the
//     handler is behind by a whole queue, not on every slow message. Our own
//     liveness checks are suspended while the reader waits, so a slow handler
//     is not mistaken for a dead feed, and application pings are written by
//     the heartbeat goroutine, never queued behind inbound messages, so a
//     venue that counts those (Gate.io's idle timer) still sees them. A
//     handler that keeps the queue full longer than the venue's ping timeout
//     will have the connection closed by the venue, and must use another
//     policy.
//   - DropOldest: the oldest queued message is dropped to make room, so the
//     handler always works on the freshest data (tickers, best bid/ask).
//   - SignalGap: the whole backlog is dropped, and the next message carries
//     Gap so the handler can resync (an order book fetches a snapshot).
//
// Drops are counted through the Recorder ("ws.dropped"). Message.Gap is also
// set on the first message of every connection after the first, since
// whatever the venue sent in between was lost.
//
// # Measurements
//
// Everything goes through a track.Recorder: connection states under
// Options.Name (the State constants), the handshake ("ws.dial"), the time
// from losing a connection to being subscribed again ("ws.recovery"), each
// handler call ("ws.handler", with track.OutcomeSlow above
// Options.SlowHandler), reconnects ("ws.reconnect"), dropped messages
// ("ws.dropped"), gaps signalled ("ws.gap") and malformed messages
// ("ws.malformed").
package wsclient
