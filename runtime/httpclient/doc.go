// Package httpclient is an HTTP client for talking to one venue's REST API
// from a latency-sensitive service. It encodes the practice that keeps such
// a client fast under load and cancellable at every step:
//
//   - One shared, tuned transport. The idle pool holds as many connections
//     per host as the client runs requests at once (Options.Concurrency):
//     with Go's default of two, a 64-way burst closes 62 connections and
//     dials them again a moment later. HTTP/2 is used where the server
//     offers it. TLS certificates are always verified.
//   - No client-wide timeout: every blocking method takes a context, and its
//     deadline bounds the whole call, retries and waits included.
//   - Bodies are drained, within a bound, before they are closed, so that
//     their connection goes back to the pool: an undrained body costs a new
//     connection. Response bodies returned by Do drain themselves on Close;
//     error responses are read into a *StatusError and closed by the client.
//   - Only idempotent requests are retried: GET, HEAD, OPTIONS, TRACE, PUT
//     and DELETE, requests carrying an Idempotency-Key header, and calls
//     declared Idempotent. Waits between attempts use full-jitter
//     exponential backoff, honour Retry-After on 429 and 503, and never
//     outlast the context: when the next attempt could not start before the
//     deadline the client gives up at once. Options.Sign runs before every
//     attempt, so that timestamps and signatures are fresh. Giving up never
//     closes the idle pool.
//   - Rate limits are drawn before every attempt from named limiters
//     (Limits), by weight, as venues count them.
//
// Errors are typed: *StatusError for an HTTP error status, *RetryError when
// retries ran out, and errors for which errors.Is(err,
// context.DeadlineExceeded) or errors.Is(err, context.Canceled) holds when
// the context ended. After Close, calls fail with ErrClosed.
//
// Measurements go to a track.Recorder: each attempt's latency and outcome
// under its operation name, and for each request whether its connection was
// new or reused.
//
// A typical use:
//
//	c := httpclient.New(httpclient.Options{Concurrency: 32, Sign: signer.Sign})
//	defer c.Close()
//
//	var book Depth
//	err := c.GetJSON(ctx, base+"/api/v3/depth?symbol=BTCUSDT", &book,
//		httpclient.Op("GET /api/v3/depth"), httpclient.Weight("ip", 5))
package httpclient
