package httpclient

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrClosed is returned by calls made after Close, and wrapped by the errors
// of calls that Close interrupted.
var ErrClosed = errors.New("httpclient: client closed")

// A StatusError reports a response with an error status (400 and above).
// The client has read the start of its body and closed it.
type StatusError struct {
	StatusCode int
	Status     string // as in http.Response, e.g. "503 Service Unavailable"
	Header     http.Header
	// Body holds the first bytes of the response body, at most 1 KiB: enough
	// for a venue's error code and message, bounded so that an HTML error
	// page cannot flood logs.
	Body []byte
	// RetryAfter is the wait the server asked for in a Retry-After header of
	// a 429 or 503 response, or 0.
	RetryAfter time.Duration

	truncated bool
}

func (e *StatusError) Error() string {
	status := e.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	body := bytes.TrimSpace(e.Body)
	if len(body) == 0 {
		return "httpclient: " + status
	}
	ellipsis := ""
	if e.truncated {
		ellipsis = "…"
	}
	return fmt.Sprintf("httpclient: %s: %s%s", status, body, ellipsis)
}

// A RetryError reports that a retryable call failed and the client gave up:
// it made Attempts attempts, or the next wait would have outlasted the
// context's deadline or the retry policy's MaxDelay. Err is the last
// attempt's error, often a *StatusError.
type RetryError struct {
	Attempts int
	Err      error
}

func (e *RetryError) Error() string {
	attempts := "attempts"
	if e.Attempts == 1 {
		attempts = "attempt"
	}
	return fmt.Sprintf("httpclient: giving up after %d %s: %v", e.Attempts, attempts, e.Err)
}

func (e *RetryError) Unwrap() error { return e.Err }
