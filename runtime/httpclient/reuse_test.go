package httpclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// concurrency is the fan-out of the reuse measurements: a service fetching
// 64 symbols at once.
const concurrency = 64

// hammer makes total calls of send from concurrency goroutines.
func hammer(ctx context.Context, tb testing.TB, total int, send func(ctx context.Context) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for next.Add(1) <= int64(total) {
				if err := send(ctx); err != nil {
					tb.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// payloadServer starts a server answering every request with a 4 KiB body,
// large enough that a body closed unread is not already consumed.
func payloadServer(tb testing.TB) *server {
	payload := bytes.Repeat([]byte("x"), 4<<10)
	return newServer(tb, func(w http.ResponseWriter, r *http.Request) { w.Write(payload) })
}

// getWith sends a GET for url through hc, reading the body only if read.
func getWith(ctx context.Context, hc *http.Client, url string, read bool) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	if read {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	return err
}

// TestReuseFailureModes pins why the Client is built as it is: the same
// 64-way load through an undrained body or a transport per call dials a
// connection per request, where the Client dials about one per goroutine.
func TestReuseFailureModes(t *testing.T) {
	const total = concurrency * 10

	s := payloadServer(t)
	c := newClient(t, Options{Concurrency: concurrency})
	hammer(t.Context(), t, total, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(ctx, req)
		if err != nil {
			return err
		}
		return resp.Body.Close() // unread: the Client drains it
	})
	client := s.conns.Load()

	// The Client's own tuned transport, but bodies closed unread.
	s = payloadServer(t)
	tuned := newClient(t, Options{Concurrency: concurrency})
	raw := &http.Client{Transport: tuned.tr}
	hammer(t.Context(), t, total, func(ctx context.Context) error {
		return getWith(ctx, raw, s.URL, false)
	})
	undrained := s.conns.Load()

	s = payloadServer(t)
	hammer(t.Context(), t, total, func(ctx context.Context) error {
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		return getWith(ctx, &http.Client{Transport: tr}, s.URL, true)
	})
	perCall := s.conns.Load()

	// Go's default pool keeps two idle connections per host. How many
	// connections that costs depends on scheduling, so it is only logged.
	s = payloadServer(t)
	defaults := &http.Transport{}
	hammer(t.Context(), t, total, func(ctx context.Context) error {
		return getWith(ctx, &http.Client{Transport: defaults}, s.URL, true)
	})
	defaults.CloseIdleConnections()
	defaultPool := s.conns.Load()

	t.Logf("connections for %d requests at %d-way concurrency: Client %d, undrained bodies %d, transport per call %d, default idle pool %d",
		total, concurrency, client, undrained, perCall, defaultPool)
	// The Client needs about one connection per goroutine; dials racing
	// with connections turning idle add some, more on a loaded machine.
	if client > total/4 {
		t.Errorf("Client dialed %d connections for %d requests, want about %d", client, total, concurrency)
	}
	if undrained < total*9/10 || undrained < 4*client {
		t.Errorf("undrained bodies dialed %d connections, want about one per request (%d) and far more than the Client's %d", undrained, total, client)
	}
	if perCall != total {
		t.Errorf("a transport per call dialed %d connections, want one per request (%d)", perCall, total)
	}
}

// BenchmarkConnectionReuse measures the Client's connection reuse under
// 64-way concurrency: reuse-ratio is 1 - connections/requests, at best
// 1 - 64/b.N. It needs b.N in the thousands to pass 0.99, as the default
// benchtime gives.
func BenchmarkConnectionReuse(b *testing.B) {
	s := payloadServer(b)
	c := newClient(b, Options{Concurrency: concurrency})
	b.ReportAllocs()
	b.ResetTimer()
	hammer(b.Context(), b, b.N, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(ctx, req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return err
	})
	b.StopTimer()
	conns := s.conns.Load()
	b.ReportMetric(1-float64(conns)/float64(b.N), "reuse-ratio")
	b.ReportMetric(float64(conns), "conns")
}
