package httpclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynclint/asynclint/runtime/track"
)

func TestSlowServerContextDeadline(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; the client must give up
	})
	rec := &recorder{}
	c := newClient(t, Options{Recorder: rec})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()

	_, err := get(ctx, t, c, s.URL)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	// On a loaded machine the deadline may pass before the request arrives;
	// what matters is that it is not sent again.
	if n := s.requests.Load(); n > 1 {
		t.Errorf("server saw %d requests, want at most 1: a call whose context ended is not retried", n)
	}
	if observed, _, _ := rec.snapshot(); len(observed) != 1 || observed[0].outcome != track.OutcomeCanceled {
		t.Errorf("observed %v, want one canceled attempt", observed)
	}
}

func TestContextCauseKeepsContextError(t *testing.T) {
	entered := make(chan struct{}, 2)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-r.Context().Done()
	})
	c := newClient(t, Options{})
	errShutdown := errors.New("shutting down")

	ctx, cancel := context.WithCancelCause(t.Context())
	go func() {
		<-entered
		cancel(errShutdown)
	}()
	_, err := get(ctx, t, c, s.URL)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errShutdown) {
		t.Errorf("err = %v, want both context.Canceled and the cause", err)
	}

	ctx, cancelT := context.WithTimeoutCause(t.Context(), 20*time.Millisecond, errShutdown)
	defer cancelT()
	_, err = get(ctx, t, c, s.URL)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errShutdown) {
		t.Errorf("err = %v, want both context.DeadlineExceeded and the cause", err)
	}
}

func TestConnectionCloseHeader(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "ok")
	})
	c := newClient(t, Options{})
	for range 5 {
		got, err := get(t.Context(), t, c, s.URL)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "ok" {
			t.Fatalf("body = %q, want ok", got)
		}
	}
	if n := s.conns.Load(); n != 5 {
		t.Errorf("server accepted %d connections, want 5: it closes each one", n)
	}
}

// hangUp returns a handler that hijacks the first request's connection and
// closes it without an answer, and answers the rest with "ok".
func hangUp() http.HandlerFunc {
	var once sync.Once
	return func(w http.ResponseWriter, r *http.Request) {
		hung := false
		once.Do(func() {
			hung = true
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
		if !hung {
			io.WriteString(w, "ok")
		}
	}
}

func TestServerHangsUp(t *testing.T) {
	t.Run("GET is retried", func(t *testing.T) {
		s := newServer(t, hangUp())
		c := newClient(t, Options{})
		noWait(c)
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
	})
	t.Run("POST is not", func(t *testing.T) {
		s := newServer(t, hangUp())
		c := newClient(t, Options{})
		noWait(c)
		err := c.PostJSON(t.Context(), s.URL, map[string]string{"side": "BUY"}, nil)
		if !errors.Is(err, io.EOF) {
			t.Fatalf("err = %v, want the hang-up (io.EOF)", err)
		}
		notRetried(t, err, s, "a POST")
	})
}

func TestStatusErrorBodyBounded(t *testing.T) {
	page := bytes.Repeat([]byte("<p>maintenance</p>"), 1<<16) // about 1 MiB
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write(page)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}\n")
	})
	c := newClient(t, Options{})

	_, err := get(t.Context(), t, c, s.URL+"/big")
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *StatusError", err)
	}
	if len(se.Body) != snippetLimit || !bytes.HasPrefix(page, se.Body) {
		t.Errorf("body snippet is %d bytes, want the first %d", len(se.Body), snippetLimit)
	}
	if msg := err.Error(); len(msg) > snippetLimit+100 || !strings.HasSuffix(msg, "…") {
		t.Errorf("message of %d bytes, want it bounded and marked truncated", len(msg))
	}

	_, err = get(t.Context(), t, c, s.URL+"/small")
	want := `httpclient: 400 Bad Request: {"code":-1121,"msg":"Invalid symbol."}`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestBodyDrainedOnClose(t *testing.T) {
	payload := bytes.Repeat([]byte("x"), 16<<10)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write(payload) })
	c := newClient(t, Options{})
	for range 10 {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // unread: Close drains it
	}
	if n := s.conns.Load(); n != 1 {
		t.Errorf("server accepted %d connections for 10 sequential requests, want 1", n)
	}
}

func TestCloseIdempotent(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	c := New(Options{})
	if _, err := get(t.Context(), t, c, s.URL); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { c.Close() })
	}
	wg.Wait()
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := get(t.Context(), t, c, s.URL); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}
	if n := c.conns.open(); n != 0 {
		t.Errorf("%d connections open after Close", n)
	}
}

func TestCloseInterruptsCalls(t *testing.T) {
	entered := make(chan struct{})
	var once sync.Once
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stream" {
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
		} else {
			once.Do(func() { close(entered) })
		}
		<-r.Context().Done()
	})
	c := New(Options{})

	// A response being read when Close comes.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	// And a call waiting for its response.
	done := make(chan error, 1)
	go func() {
		_, err := get(t.Context(), t, c, s.URL+"/wait")
		done <- err
	}()
	select {
	case <-entered:
	case <-t.Context().Done():
		t.Fatal("request never reached the server")
	}

	c.Close()
	err = <-done
	if !errors.Is(err, ErrClosed) || !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted call: err = %v, want ErrClosed and context.Canceled", err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("reading a body after Close succeeded; want an error")
	}
	if n := c.conns.open(); n != 0 {
		t.Errorf("%d connections open after Close", n)
	}
}

func TestHTTP2WithVerifiedTLS(t *testing.T) {
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
		if r.URL.Path == "/stream" {
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}
	}))
	s.EnableHTTP2 = true
	s.Config.ErrorLog = discardLog
	s.StartTLS()
	defer s.Close()

	roots := x509.NewCertPool()
	roots.AddCert(s.Certificate())
	c := newClient(t, Options{TLSConfig: &tls.Config{RootCAs: roots}})
	got, err := get(t.Context(), t, c, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "HTTP/2.0" {
		t.Errorf("server saw %s, want HTTP/2.0", got)
	}

	// Close with a response still streaming: the stream is reset and the
	// connection, idle again, must still be closed.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	c.Close()
	if n := c.conns.open(); n != 0 {
		t.Errorf("%d connections open after Close", n)
	}

	insecure := newClient(t, Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	_, err = get(t.Context(), t, insecure, s.URL)
	var cert *tls.CertificateVerificationError
	if !errors.As(err, &cert) {
		t.Errorf("err = %v, want a certificate verification failure: InsecureSkipVerify must be ignored", err)
	}
}
