package httpclient

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// server is a loopback test server that counts requests and the
// connections it accepted.
type server struct {
	*httptest.Server
	requests atomic.Int64
	conns    atomic.Int64
}

// newServer starts a loopback HTTP/1.1 server running h, closed when the
// test ends.
func newServer(t testing.TB, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	// Aborted exchanges are the point of several tests; keep their server
	// side noise out of the output.
	s.Config.ErrorLog = discardLog
	s.Start()
	t.Cleanup(s.Close)
	return s
}

var discardLog = log.New(io.Discard, "", 0)

// newClient returns a Client closed when the test ends, before the servers
// the test started earlier.
func newClient(t testing.TB, opts Options) *Client {
	t.Helper()
	c := New(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// noWait makes c skip its waits between attempts, recording them instead.
func noWait(c *Client) *waits {
	w := &waits{}
	c.wait = func(ctx context.Context, d time.Duration) error {
		w.mu.Lock()
		w.d = append(w.d, d)
		w.mu.Unlock()
		return ctx.Err()
	}
	return w
}

type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// recorder is a track.Recorder that keeps everything.
type recorder struct {
	mu       sync.Mutex
	observed []observation
	states   []string
	counts   map[string]int64
}

type observation struct {
	op, outcome string
}

func (r *recorder) Observe(op string, _ time.Duration, outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.observed = append(r.observed, observation{op, outcome})
}

func (r *recorder) State(name, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, name+":"+state)
}

func (r *recorder) Count(name string, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = make(map[string]int64)
	}
	r.counts[name] += n
}

func (r *recorder) snapshot() ([]observation, []string, map[string]int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	counts := make(map[string]int64, len(r.counts))
	for k, v := range r.counts {
		counts[k] = v
	}
	return append([]observation(nil), r.observed...), append([]string(nil), r.states...), counts
}

// get sends a GET for url with c and returns the body.
func get(ctx context.Context, t testing.TB, c *Client, url string, opts ...CallOption) ([]byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(ctx, req, opts...)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// open returns the number of open connections.
func (cs *conns) open() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.n
}

// notRetried checks that err, what a call for what returned, does not come
// from retrying, and that s saw the one request.
func notRetried(t testing.TB, err error, s *server, what string) {
	t.Helper()
	var re *RetryError
	if errors.As(err, &re) {
		t.Errorf("err = %v: %s is not retried", err, what)
	}
	if n := s.requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}
