package mexc

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors. Errors returned by the client match them with errors.Is:
// an *APIError matches the sentinel of its code, a *RateLimitError matches
// ErrRateLimited or ErrBanned, an *OutcomeUnknownError matches
// ErrOutcomeUnknown.
var (
	ErrInvalidKey          = errors.New("mexc: invalid API key")                      // 700001, 10072
	ErrBadSignature        = errors.New("mexc: signature rejected")                   // 700002
	ErrTimestamp           = errors.New("mexc: timestamp outside the receive window") // 700003
	ErrMissingOrderID      = errors.New("mexc: order id missing")                     // 700004
	ErrRecvWindow          = errors.New("mexc: recvWindow too large")                 // 700005
	ErrIPNotWhitelisted    = errors.New("mexc: IP not whitelisted")                   // 700006
	ErrNoPermission        = errors.New("mexc: no permission")                        // 700007
	ErrInsufficientBalance = errors.New("mexc: insufficient balance")                 // 10101
	ErrInvalidSymbol       = errors.New("mexc: invalid symbol")                       // 30014
	ErrTradingDisabled     = errors.New("mexc: trading disabled")                     // 30016
	ErrUnknownOrder        = errors.New("mexc: unknown order")                        // -2011
	ErrRateLimited         = errors.New("mexc: rate limited")                         // HTTP 429, code 429
	ErrBanned              = errors.New("mexc: IP banned")                            // HTTP 418
	ErrForbidden           = errors.New("mexc: forbidden")                            // HTTP 403 (WAF)
	ErrOutcomeUnknown      = errors.New("mexc: order outcome unknown")
	ErrInvalidRequest      = errors.New("mexc: invalid request") // rejected by the client, never sent
)

// Error codes of the venue's {"code":…,"msg":…} responses.
const (
	CodeBadKeyFormat        = 700001
	CodeBadSignature        = 700002
	CodeTimestamp           = 700003
	CodeMissingOrderID      = 700004
	CodeRecvWindow          = 700005
	CodeIPNotWhitelisted    = 700006
	CodeNoPermission        = 700007
	CodeInvalidAccessKey    = 10072
	CodeInsufficientBalance = 10101
	CodeInvalidSymbol       = 30014
	CodeTradingDisabled     = 30016
	CodeUnknownOrder        = -2011
	CodeTooManyRequests     = 429
)

var codeErrors = map[int]error{
	CodeBadKeyFormat:        ErrInvalidKey,
	CodeInvalidAccessKey:    ErrInvalidKey,
	CodeBadSignature:        ErrBadSignature,
	CodeTimestamp:           ErrTimestamp,
	CodeMissingOrderID:      ErrMissingOrderID,
	CodeRecvWindow:          ErrRecvWindow,
	CodeIPNotWhitelisted:    ErrIPNotWhitelisted,
	CodeNoPermission:        ErrNoPermission,
	CodeInsufficientBalance: ErrInsufficientBalance,
	CodeInvalidSymbol:       ErrInvalidSymbol,
	CodeTradingDisabled:     ErrTradingDisabled,
	CodeUnknownOrder:        ErrUnknownOrder,
	CodeTooManyRequests:     ErrRateLimited,
}

// An APIError is a request the venue rejected with an error code: it was
// not carried out. errors.Is matches it against the sentinel of its code
// (ErrBadSignature for 700002, and so on); Unwrap gives the underlying
// *httpclient.StatusError.
type APIError struct {
	Op         string // the operation, e.g. "POST /api/v3/order"
	StatusCode int    // the HTTP status, usually 400
	Code       int
	Msg        string
	err        error
}

func (e *APIError) Error() string {
	return fmt.Sprintf("mexc: %s: %d %s (code %d)", e.Op, e.StatusCode, e.Msg, e.Code)
}

// Is reports whether target is the sentinel error of e's code.
func (e *APIError) Is(target error) bool {
	s, ok := codeErrors[e.Code]
	return ok && s == target
}

func (e *APIError) Unwrap() error { return e.err }

// A RateLimitError reports that the venue refused a request with 429 Too
// Many Requests, or 418 when the IP is banned, or that the client refused
// to send it because the venue's last Retry-After has not yet passed. The
// request was not carried out. It matches ErrRateLimited, or ErrBanned for
// a ban.
type RateLimitError struct {
	Op         string
	StatusCode int // 429 or 418
	// RetryAfter is how long the venue asked the client to wait, or, for a
	// request the client did not send, how much of that wait was left.
	RetryAfter time.Duration
	// Local is set when the client did not send the request because the
	// venue's Retry-After had not passed and the context would not allow
	// waiting for it.
	Local bool
	err   error
}

func (e *RateLimitError) Error() string {
	what := "rate limited"
	if e.StatusCode == http.StatusTeapot {
		what = "IP banned"
	}
	if e.Local {
		return fmt.Sprintf("mexc: %s: not sent: %s for another %v", e.Op, what, e.RetryAfter)
	}
	return fmt.Sprintf("mexc: %s: %s (%d), retry after %v", e.Op, what, e.StatusCode, e.RetryAfter)
}

// Is matches ErrBanned for a 418 and ErrRateLimited otherwise.
func (e *RateLimitError) Is(target error) bool {
	if e.StatusCode == http.StatusTeapot {
		return target == ErrBanned
	}
	return target == ErrRateLimited
}

func (e *RateLimitError) Unwrap() error { return e.err }

// An OutcomeUnknownError reports an order placement whose outcome could not
// be determined: the venue answered with a 5xx, the connection failed or
// the context ended after the request was sent, and reconciliation by
// client order ID could not find the order either.
//
// The order may or may not exist. The client never sends it again; look it
// up later with QueryOrder and ClientOrderID. Sending it again with the
// same ClientOrderID is safe, as the venue rejects a duplicate client
// order ID.
type OutcomeUnknownError struct {
	Symbol        string
	ClientOrderID string
	// Err is the error that left the outcome unknown.
	Err error
	// Reconcile is the last error of the reconciliation queries.
	Reconcile error
	// NotFound is set when every reconciliation query that was answered
	// said the order is unknown: most likely it was never placed.
	NotFound bool
}

func (e *OutcomeUnknownError) Error() string {
	how := "reconciliation failed"
	if e.NotFound {
		how = "order not found by reconciliation"
	}
	return fmt.Sprintf("mexc: %s order %s: outcome unknown (%v); %s: %v", e.Symbol, e.ClientOrderID, e.Err, how, e.Reconcile)
}

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the error that left the outcome unknown.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }
