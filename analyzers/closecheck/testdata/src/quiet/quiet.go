// Package quiet holds every shape of correct code closecheck must not
// report: each ownership hand-off, each library quirk, each infeasible path.
package quiet

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/gorilla/websocket"
)

func deferred(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func deferredClosure(ctx context.Context, db *sql.DB) (err error) {
	rows, err := db.QueryContext(ctx, "SELECT 1")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rows.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	for rows.Next() {
	}
	return rows.Err()
}

// Deferred before the error check: closed on every path where it exists.
func deferredEarly(url string) error {
	resp, err := http.Get(url)
	if resp != nil {
		defer resp.Body.Close()
	}
	return err
}

// Plain releases that cover every path.
func plain(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	if _, err := conn.Write([]byte("x")); err != nil {
		conn.Close()
		return err
	}
	return conn.Close()
}

// Returned to the caller, who owns it now.
func open(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

// The body is returned as a stream.
func stream(url string) (io.ReadCloser, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return resp.Body, nil
}

// A named result with a deferred close on failure.
func dialChecked(addr string) (conn net.Conn, err error) {
	conn, err = net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	if err = handshake(conn); err != nil {
		return nil, err
	}
	return conn, nil
}

func handshake(c net.Conn) error { return nil }

type client struct {
	conn net.Conn
	ws   *cws.Conn
}

func (c *client) Close() error { return c.conn.Close() } // want Close:"releases \\[0\\]"

// Stored into a field of a value whose Close releases it.
func (c *client) connect(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c.conn = conn
	return nil
}

// Stored into a new value that is returned.
func newClient(addr string) (*client, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &client{conn: conn}, nil
}

// A local wrapper that is closed.
func wrapped(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c := &client{conn: conn}
	defer c.Close()
	return handshake(c.conn)
}

var (
	shared net.Conn
	pool   = map[string]net.Conn{}
	conns  []net.Conn
	mu     sync.Mutex
)

func global(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	shared = conn
	return nil
}

func intoMap(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	mu.Lock()
	pool[addr] = conn
	mu.Unlock()
	return nil
}

func intoSlice(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	conns = append(conns, conn)
	return nil
}

func sent(addr string, out chan<- net.Conn) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	out <- conn
	return nil
}

// Helpers that release.
func closeQuietly(c io.Closer) {
	if c != nil {
		_ = c.Close()
	}
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func helpers(addr, url string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer closeQuietly(conn)
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer drain(resp)
	f, err := os.Open(addr)
	if err != nil {
		return err
	}
	defer func(c io.Closer) { _ = c.Close() }(f)
	return nil
}

// A generic Must-style wrapper returns its argument: the result is what must
// be closed.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func viaMust(path string) {
	f := must(os.Open(path))
	defer f.Close()
	_, _ = io.ReadAll(f)
}

// Captured by a goroutine that releases it.
func goroutine(ctx context.Context, url string) error {
	c, _, err := cws.Dial(ctx, url, nil)
	if err != nil {
		return err
	}
	go func() {
		defer c.CloseNow()
		for {
			if _, _, err := c.Read(ctx); err != nil {
				return
			}
		}
	}()
	return nil
}

// Handed to a goroutine by argument.
func acceptLoop(l net.Listener) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		go handle(conn)
	}
}

func handle(c net.Conn) {
	defer c.Close()
	io.Copy(c, c)
}

// The handshake responses of websocket dials are no resources.
func handshakes(ctx context.Context, url string) error {
	c, resp, err := cws.Dial(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("handshake: %d", resp.StatusCode)
		}
		return err
	}
	defer c.CloseNow()
	g, gresp, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		log.Printf("handshake status %d", gresp.StatusCode)
		return err
	}
	return g.Close()
}

// A response built as a literal, a recorded one: in memory.
func fakes(h http.Handler, req *http.Request) int {
	fake := &http.Response{StatusCode: 200, Body: io.NopCloser(nil)}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	return fake.StatusCode + res.StatusCode
}

type fakeTransport struct{}

func (fakeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200}, nil
}

func fakeRoundTrip(req *http.Request) int {
	resp, _ := fakeTransport{}.RoundTrip(req)
	return resp.StatusCode
}

// A server that takes the listener.
func serve(h http.Handler) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	return http.Serve(l, h)
}

// A TLS connection owns the one it wraps.
func tlsWrap(addr string, cfg *tls.Config) error {
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	tc := tls.Client(raw, cfg)
	defer tc.Close()
	return tc.Handshake()
}

// A retry loop that closes what it does not keep.
func retry(c *http.Client, req *http.Request) (*http.Response, error) {
	var resp *http.Response
	var err error
	for i := 0; i < 3; i++ {
		resp, err = c.Do(req)
		if err == nil && resp.StatusCode < 500 {
			break
		}
		if resp != nil {
			resp.Body.Close()
		}
		time.Sleep(time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Test servers closed by cleanup, by defer, by a method value.
func testServers(t *testing.T, h http.Handler) {
	a := httptest.NewServer(h)
	t.Cleanup(a.Close)
	b := httptest.NewServer(h)
	defer b.Close()
	c := httptest.NewServer(h)
	t.Cleanup(func() { c.Close() })
}

// A transaction rolled back by defer, committed on success.
func tx(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "UPDATE t SET x = 1"); err != nil {
		return err
	}
	return tx.Commit()
}

// A nil check on the resource itself.
func nilChecked(url string) {
	resp, _ := http.Get(url)
	if resp == nil {
		return
	}
	resp.Body.Close()
}

// errors.Join and friends see the error, not the resource.
func closeErr(path string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	_, err = f.WriteString("x")
	return err
}

// Tickers are collected since go1.23: this file is built for a later Go.
func ticking(ctx context.Context) {
	t := time.NewTicker(time.Second)
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// A function that exits the process does not return to leak.
func fatal(url string) {
	resp, err := http.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
}

// Closed in a closure that is called on each path.
func cleanupFunc(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	cleanup := func() { conn.Close() }
	if err := handshake(conn); err != nil {
		cleanup()
		return err
	}
	cleanup()
	return nil
}

// Handed to a callback the analysis cannot see into.
func callback(addr string, use func(net.Conn)) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	use(conn)
	return nil
}

// Closed through sync.Once.
func once(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	var o sync.Once
	closeIt := func() { o.Do(func() { conn.Close() }) }
	defer closeIt()
	return handshake(conn)
}

// A helper that closes on error: its callers owe nothing where it fails.
func checkStatus(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func statusChecked(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	if err := checkStatus(resp); err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// A test that expects the call to fail holds no response where it did.
func expectFailure(t *testing.T, c *http.Client, req *http.Request) {
	_, err := c.Do(req)
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a *url.Error", err)
	}
}

// A test helper whose connection is closed by the test's cleanup: its
// callers owe nothing.
func newTestConn(t *testing.T, addr string) net.Conn {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func useTestConn(t *testing.T) {
	c := newTestConn(t, "127.0.0.1:1")
	_ = c.LocalAddr()
}

// Closers gathered in a slice and closed together.
func gathered(paths []string) error {
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		closers = append(closers, f)
	}
	return nil
}

func closeAll(m map[string]net.Conn) {
	for _, c := range m {
		c.Close()
	}
}

func mapped(addrs []string) error {
	m := map[string]net.Conn{}
	defer closeAll(m)
	for _, a := range addrs {
		conn, err := net.Dial("tcp", a)
		if err != nil {
			return err
		}
		m[a] = conn
	}
	return nil
}

// A server tracks its connections in a map and closes them all.
type server struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	last  net.Conn
}

func (s *server) accept(l net.Listener) error {
	conn, err := l.Accept()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.conns[conn] = struct{}{}
	s.mu.Unlock()
	return nil
}

func (s *server) replace(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	if s.last != nil {
		s.last.Close()
	}
	s.last = conn
	return nil
}

func (s *server) shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// A writer holds its connection behind an interface of the package whose
// implementation closes it, as log/syslog does.
type serverConn interface {
	writeString(s string) error
	close() error
}

type netConn struct{ conn net.Conn }

func (n *netConn) writeString(s string) error {
	_, err := io.WriteString(n.conn, s)
	return err
}

func (n *netConn) close() error { return n.conn.Close() }

type writer struct{ conn serverConn }

func (w *writer) connect(addr string) error {
	if w.conn != nil {
		w.conn.close()
		w.conn = nil
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	w.conn = &netConn{conn: c}
	return nil
}
