// Package mexc is a client for MEXC's spot v3 REST API: placing, testing,
// cancelling and querying orders, the account's balances, order books and
// the venue's clock. It is built on runtime/httpclient, so every method
// takes a context that bounds the whole call, connections are shared and
// reused, and idempotent calls (GET, DELETE) are retried with backoff and
// signed afresh on every attempt.
//
// # Signing
//
// Private requests carry the API key in the X-MEXC-APIKEY header and every
// parameter in the query string, followed by recvWindow, timestamp and
// signature: the lower-case hex HMAC-SHA256 of the exact query bytes sent
// (see Sign). Timestamps follow the venue's clock: the client measures its
// offset with GET /api/v3/time before the first signed request, and again
// when the venue rejects a timestamp (700003), in which case the request,
// which was not carried out, is sent once more.
//
// # Money
//
// Prices and quantities are decimal.Decimal values, exact in both
// directions; nothing goes through float64.
//
// # Errors
//
// A request the venue rejects gives an *APIError that errors.Is matches
// against the sentinel of its code: ErrBadSignature, ErrTimestamp,
// ErrInsufficientBalance, ErrUnknownOrder and so on. 429 and 418 give a
// *RateLimitError (ErrRateLimited, ErrBanned) carrying the Retry-After; the
// client then holds back later requests until it has passed, failing at
// once, without sending, a request whose context would not last that long
// and every request during a ban. Errors never contain the secret, and
// neither does printing a Client, its Options or a Secret with any verb.
//
// # Orders whose outcome is unknown
//
// A 5xx answer, a broken connection or an ended context after an order was
// written leave its outcome unknown: the venue may have placed it. The
// client never sends an order twice. Every order carries a client order ID
// (newClientOrderId; one is generated if the caller gave none), and
// PlaceOrder reconciles by querying the order by that ID, on a fresh
// bounded context if the caller's has ended. It returns the order it finds,
// marked Reconciled, or an *OutcomeUnknownError carrying the client order
// ID if it cannot tell.
//
// # Rate limits
//
// Each endpoint draws its weight (order 1, query 2, open orders 3, account
// 10) from its own limiter, by default the venue's 500 per ten seconds,
// with rate.Limiter.WaitN before every attempt; a wait that would outlast
// the context fails at once.
package mexc
