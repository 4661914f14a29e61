package httpclient

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asynclint/asynclint/runtime/internal/backoff"
)

// Retry is a retry policy. The zero value means the defaults.
type Retry struct {
	// Attempts is the most attempts a call makes, the first included.
	// 1 disables retries. Default 4.
	Attempts int
	// BaseDelay is the backoff ceiling before the second attempt; it doubles
	// for each further attempt up to MaxDelay. Each wait is drawn uniformly
	// below the ceiling (full jitter), so that clients that failed together
	// do not come back together. Default 100ms.
	BaseDelay time.Duration
	// MaxDelay caps the backoff ceiling and the Retry-After the client will
	// honour: a server asking for a longer wait gets a *RetryError at once,
	// carrying the *StatusError with its RetryAfter, rather than a call that
	// hangs for a minute. Default 10s.
	MaxDelay time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 4
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = 100 * time.Millisecond
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 10 * time.Second
	}
	r.MaxDelay = max(r.MaxDelay, r.BaseDelay)
	return r
}

// ceiling is the backoff ceiling before attempt n+1, n ≥ 1.
func (r Retry) ceiling(n int) time.Duration {
	return backoff.Ceiling(r.BaseDelay, r.MaxDelay, n)
}

// idempotentMethod reports whether a request may be sent twice with the
// effect of sending it once: the methods RFC 9110 defines as idempotent, and
// requests carrying an idempotency key, which net/http's transport treats
// the same way.
func idempotentMethod(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

// replayable reports whether the request's body can be sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// retryStatus reports whether a response status is worth another attempt:
// the server is overloaded, throttling, restarting, or failed in a way that
// may not recur.
func retryStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryable reports whether another attempt may succeed where this one
// failed with err. Errors that are not from the exchange itself (rate
// limits, signing, request construction) and certificate failures would
// fail again the same way.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return retryStatus(se.StatusCode)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		return false
	}
	var cert *tls.CertificateVerificationError
	if errors.As(ue.Err, &cert) {
		return false
	}
	var ne net.Error
	return errors.As(ue.Err, &ne) ||
		errors.Is(ue.Err, io.EOF) ||
		errors.Is(ue.Err, io.ErrUnexpectedEOF) ||
		errors.Is(ue.Err, syscall.ECONNRESET) ||
		errors.Is(ue.Err, syscall.ECONNREFUSED)
}

// maxRetryAfter bounds parsed Retry-After values, far above any MaxDelay,
// so that absurd values cannot overflow a Duration.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After value, in delay-seconds or as an
// HTTP-date (RFC 9110, section 10.2.3). It returns 0 for an absent,
// malformed or past value.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), maxRetryAfter)
}

// delay returns how long to wait before attempt n+1 after attempt n failed
// with err, or false if the client should give up instead: the server asked
// for longer than the policy allows, or the wait would not end before the
// context's deadline, so that the next attempt could not even start.
func (r Retry) delay(ctx context.Context, n int, err error) (time.Duration, bool) {
	d := rand.N(r.ceiling(n) + 1)
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		if se.RetryAfter > r.MaxDelay {
			return 0, false
		}
		d = max(d, se.RetryAfter)
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
		return 0, false
	}
	return d, true
}

// sleep waits for d or until ctx ends, whichever comes first.
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
