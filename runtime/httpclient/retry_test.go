package httpclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynclint/asynclint/runtime/track"
)

// failing returns a handler that answers the first n requests with status
// and header, and the rest with 200 and body "ok".
func failing(n int64, status int, header http.Header) (http.HandlerFunc, func() int64) {
	var mu sync.Mutex
	var seen int64
	h := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen++
		k := seen
		mu.Unlock()
		if k <= n {
			for name, v := range header {
				w.Header()[name] = v
			}
			w.WriteHeader(status)
			io.WriteString(w, `{"code":-1003,"msg":"busy"}`)
			return
		}
		io.WriteString(w, "ok")
	}
	count := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
	return h, count
}

func TestRetryHonoursRetryAfterSeconds(t *testing.T) {
	h, _ := failing(1, http.StatusServiceUnavailable, http.Header{"Retry-After": {"2"}})
	s := newServer(t, h)
	c := newClient(t, Options{Retry: Retry{BaseDelay: time.Nanosecond}})
	w := noWait(c)

	got, err := get(t.Context(), t, c, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "ok" {
		t.Errorf("body = %q, want ok", got)
	}
	if n := s.requests.Load(); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
	if d := w.all(); len(d) != 1 || d[0] < 2*time.Second {
		t.Errorf("waits = %v, want one of at least the 2s the server asked for", d)
	}
}

func TestRetryHonoursRetryAfterDate(t *testing.T) {
	// An hour ahead, so that however slow the machine the wait is
	// recognisably the server's and not the 1ns backoff.
	when := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	h, _ := failing(1, http.StatusTooManyRequests, http.Header{"Retry-After": {when}})
	s := newServer(t, h)
	c := newClient(t, Options{Retry: Retry{BaseDelay: time.Nanosecond, MaxDelay: 2 * time.Hour}})
	w := noWait(c)

	if _, err := get(t.Context(), t, c, s.URL); err != nil {
		t.Fatal(err)
	}
	if d := w.all(); len(d) != 1 || d[0] < 30*time.Minute || d[0] > time.Hour {
		t.Errorf("waits = %v, want one of about an hour", d)
	}
}

func TestRetryAfterBeyondMaxDelayGivesUp(t *testing.T) {
	h, _ := failing(1, http.StatusServiceUnavailable, http.Header{"Retry-After": {"3600"}})
	s := newServer(t, h)
	c := newClient(t, Options{})
	w := noWait(c)

	_, err := get(t.Context(), t, c, s.URL)
	var re *RetryError
	if !errors.As(err, &re) || re.Attempts != 1 {
		t.Fatalf("err = %v, want a *RetryError after 1 attempt", err)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusServiceUnavailable || se.RetryAfter != time.Hour {
		t.Fatalf("err = %v, want it to wrap a 503 *StatusError asking for 1h", err)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
	if d := w.all(); len(d) != 0 {
		t.Errorf("waits = %v, want none", d)
	}
}

func TestDeadlineBoundsRetryAfter(t *testing.T) {
	h, _ := failing(1, http.StatusServiceUnavailable, http.Header{"Retry-After": {"7200"}})
	s := newServer(t, h)
	c := newClient(t, Options{Retry: Retry{MaxDelay: 3 * time.Hour}})
	w := noWait(c)
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()

	_, err := get(ctx, t, c, s.URL)
	var re *RetryError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *RetryError: a wait past the deadline is pointless", err)
	}
	if d := w.all(); len(d) != 0 {
		t.Errorf("waits = %v, want none", d)
	}
}

func TestDeadlineBoundsBackoff(t *testing.T) {
	h, _ := failing(1<<30, http.StatusBadGateway, nil)
	s := newServer(t, h)
	// With an hour of backoff ceiling and a few seconds left, the drawn
	// wait almost always overshoots the deadline, and the client must give
	// up at once rather than sleep into it. When it does draw a short wait
	// it sleeps for real, and must still come back with a *RetryError.
	c := newClient(t, Options{Retry: Retry{Attempts: 100, BaseDelay: time.Hour, MaxDelay: time.Hour}})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()

	_, err := get(ctx, t, c, s.URL)
	var re *RetryError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *RetryError", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v: the client slept into the deadline", err)
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	h, _ := failing(1, http.StatusServiceUnavailable, nil)
	s := newServer(t, h)
	c := newClient(t, Options{Retry: Retry{BaseDelay: time.Hour, MaxDelay: time.Hour}})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c.wait = func(ctx context.Context, d time.Duration) error {
		cancel()
		return sleep(ctx, d)
	}

	_, err := get(ctx, t, c, s.URL)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("err = %v, want it to carry the last attempt's 503", err)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestRetriesRunOut(t *testing.T) {
	h, _ := failing(1<<30, http.StatusInternalServerError, nil)
	s := newServer(t, h)
	rec := &recorder{}
	c := newClient(t, Options{Retry: Retry{Attempts: 3}, Recorder: rec})
	noWait(c)

	_, err := get(t.Context(), t, c, s.URL)
	var re *RetryError
	if !errors.As(err, &re) || re.Attempts != 3 {
		t.Fatalf("err = %v, want a *RetryError after 3 attempts", err)
	}
	if n := s.requests.Load(); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
	if _, _, counts := rec.snapshot(); counts["httpclient.retries"] != 2 {
		t.Errorf("retries counted = %d, want 2", counts["httpclient.retries"])
	}
}

func TestRetriesDisabled(t *testing.T) {
	h, _ := failing(1, http.StatusServiceUnavailable, nil)
	s := newServer(t, h)
	c := newClient(t, Options{Retry: Retry{Attempts: 1}})

	_, err := get(t.Context(), t, c, s.URL)
	var se *StatusError
	var re *RetryError
	if !errors.As(err, &se) || errors.As(err, &re) {
		t.Errorf("err = %v, want the plain *StatusError", err)
	}
}

func TestNoRetryOnClientError(t *testing.T) {
	h, _ := failing(1, http.StatusBadRequest, nil)
	s := newServer(t, h)
	c := newClient(t, Options{})
	noWait(c)

	_, err := get(t.Context(), t, c, s.URL)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest {
		t.Fatalf("err = %v, want a 400 *StatusError", err)
	}
	notRetried(t, err, s, "a 400")
}

func TestPostRetriedOnlyWhenIdempotent(t *testing.T) {
	const payload = `{"symbol":"BTCUSDT","side":"BUY","newClientOrderId":"a1"}`
	for _, tc := range []struct {
		name   string
		opts   []CallOption
		header http.Header
		want   int64 // requests the server sees
	}{
		{name: "plain", want: 1},
		{name: "declared", opts: []CallOption{Idempotent()}, want: 3},
		{name: "idempotency key", header: http.Header{"Idempotency-Key": {"a1"}}, want: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var bodies []string
			h, _ := failing(2, http.StatusServiceUnavailable, nil)
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, string(b))
				mu.Unlock()
				h(w, r)
			})
			c := newClient(t, Options{})
			noWait(c)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL, strings.NewReader(payload))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header[k] = v
			}
			resp, err := c.Do(t.Context(), req, tc.opts...)
			if tc.want == 1 {
				var se *StatusError
				if !errors.As(err, &se) || se.StatusCode != http.StatusServiceUnavailable {
					t.Fatalf("err = %v, want the 503 as a *StatusError", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			if n := s.requests.Load(); n != tc.want {
				t.Errorf("server saw %d requests, want %d", n, tc.want)
			}
			mu.Lock()
			defer mu.Unlock()
			for i, b := range bodies {
				if b != payload {
					t.Errorf("attempt %d sent body %q, want %q", i+1, b, payload)
				}
			}
		})
	}
}

func TestUnreplayableBodyNotRetried(t *testing.T) {
	h, _ := failing(1, http.StatusServiceUnavailable, nil)
	s := newServer(t, h)
	c := newClient(t, Options{})
	noWait(c)
	// Hiding the reader's type leaves the request without GetBody.
	body := io.NopCloser(io.MultiReader(bytes.NewReader([]byte("payload"))))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, s.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(t.Context(), req)
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *StatusError", err)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

func TestSignEveryAttempt(t *testing.T) {
	var mu sync.Mutex
	var sigs []string
	h, _ := failing(2, http.StatusServiceUnavailable, nil)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sigs = append(sigs, r.Header.Get("X-Signature")+"@"+r.URL.Query().Get("ts"))
		mu.Unlock()
		h(w, r)
	})
	var calls int
	sign := func(r *http.Request) error {
		calls++ // attempts of one call are sequential
		q := r.URL.Query()
		q.Set("ts", strconv.Itoa(1000+calls))
		r.URL.RawQuery = q.Encode()
		r.Header.Set("X-Signature", "sig"+strconv.Itoa(calls))
		return nil
	}
	c := newClient(t, Options{Sign: sign})
	noWait(c)

	if _, err := get(t.Context(), t, c, s.URL+"/api/v3/order?symbol=BTCUSDT"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"sig1@1001", "sig2@1002", "sig3@1003"}
	if !slices.Equal(sigs, want) {
		t.Errorf("server saw signatures %v, want %v", sigs, want)
	}
}

func TestSignErrorEndsCall(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	errKey := errors.New("no API key")
	c := newClient(t, Options{Sign: func(*http.Request) error { return errKey }})

	_, err := get(t.Context(), t, c, s.URL)
	if !errors.Is(err, errKey) {
		t.Fatalf("err = %v, want it to wrap %v", err, errKey)
	}
	if n := s.requests.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestRecorderSeesAttempts(t *testing.T) {
	h, _ := failing(1, http.StatusTooManyRequests, nil)
	s := newServer(t, h)
	rec := &recorder{}
	c := newClient(t, Options{Name: "venue", Recorder: rec})
	noWait(c)

	for range 3 {
		if _, err := get(t.Context(), t, c, s.URL+"/api/v3/depth?limit=5"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := get(t.Context(), t, c, s.URL+"/api/v3/order/42", Op("GET /api/v3/order/{id}")); err != nil {
		t.Fatal(err)
	}
	observed, states, counts := rec.snapshot()
	wantObs := []observation{
		{"GET /api/v3/depth", OutcomeThrottled},
		{"GET /api/v3/depth", track.OutcomeOK},
		{"GET /api/v3/depth", track.OutcomeOK},
		{"GET /api/v3/depth", track.OutcomeOK},
		{"GET /api/v3/order/{id}", track.OutcomeOK},
	}
	if !slices.Equal(observed, wantObs) {
		t.Errorf("observed %v, want %v", observed, wantObs)
	}
	wantStates := []string{"venue:new", "venue:reused", "venue:reused", "venue:reused", "venue:reused"}
	if !slices.Equal(states, wantStates) {
		t.Errorf("states %v, want %v", states, wantStates)
	}
	if counts["venue.retries"] != 1 {
		t.Errorf("retries counted = %d, want 1", counts["venue.retries"])
	}
}

func TestCallerTraceKept(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	rec := &recorder{}
	c := newClient(t, Options{Recorder: rec})
	var mine atomic.Int64
	ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { mine.Add(1) },
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := get(ctx, t, c, s.URL); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := mine.Load(); n != 8 {
		t.Errorf("the caller's trace saw %d connections, want 8", n)
	}
	if _, states, _ := rec.snapshot(); len(states) != 8 {
		t.Errorf("the recorder saw %d connections, want 8", len(states))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"99999999999999", maxRetryAfter},
		{"Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second},
		{"Sunday, 01-Mar-26 12:01:00 GMT", time.Minute}, // RFC 850
		{"Sun Mar  1 12:00:05 2026", 5 * time.Second},   // asctime
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0},            // past
		{"soon", 0},
		{"1.5", 0},
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestBackoffCeiling(t *testing.T) {
	r := Retry{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if got := r.ceiling(i + 1); got != w*time.Millisecond {
			t.Errorf("ceiling(%d) = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	if got := r.ceiling(1000); got != time.Second {
		t.Errorf("ceiling(1000) = %v, want the cap", got)
	}
	for range 1000 {
		d, ok := r.delay(t.Context(), 3, errors.New("x"))
		if !ok || d < 0 || d > 400*time.Millisecond {
			t.Fatalf("delay after attempt 3 = %v, %v; want within [0, 400ms]", d, ok)
		}
	}
}

func TestIdempotentMethod(t *testing.T) {
	for method, want := range map[string]bool{
		"": true, "GET": true, "HEAD": true, "OPTIONS": true, "TRACE": true, "PUT": true, "DELETE": true,
		"POST": false, "PATCH": false, "CONNECT": false,
	} {
		req := &http.Request{Method: method, Header: http.Header{}}
		if got := idempotentMethod(req); got != want {
			t.Errorf("idempotentMethod(%q) = %v, want %v", method, got, want)
		}
	}
	req := &http.Request{Method: "POST", Header: http.Header{"X-Idempotency-Key": {"k"}}}
	if !idempotentMethod(req) {
		t.Error("a POST with X-Idempotency-Key is idempotent")
	}
}
