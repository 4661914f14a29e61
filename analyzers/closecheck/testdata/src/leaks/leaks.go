// Package leaks holds every leak shape closecheck reports.
package leaks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"

	cws "github.com/coder/websocket"
	"github.com/gorilla/websocket"
)

// Never closed: the status code is read and the response dropped.
func status(url string) (int, error) {
	resp, err := http.Get(url) // want `response body from http.Get is never closed: its connection is neither reused nor released until the server hangs up; defer resp.Body.Close\(\) after the error check`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// Closed only on the success path.
func fetch(ctx context.Context, c *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req) // want `response body from c.Do is not closed on the path through the return at line 40: .*; defer resp.Body.Close\(\) after the error check`
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Closed only when the write succeeds.
func send(addr string, msg []byte) error {
	conn, err := net.Dial("tcp", addr) // want `connection from net.Dial is not closed on the path through the return at line 53: its socket stays open until the peer hangs up; defer conn.Close\(\) after the error check`
	if err != nil {
		return err
	}
	if _, err := conn.Write(msg); err != nil {
		return err
	}
	return conn.Close()
}

// Rows iterated and returned without Close.
func names(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM t") // want `rows from db.QueryContext is never closed: their database connection stays busy until they are read to the end`
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// A transaction committed on success and abandoned on error.
func transfer(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil) // want `transaction from db.BeginTx is not committed or rolled back on the path through the return at line 82: its connection stays busy and its locks held; defer tx.Rollback\(\) after the error check`
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE a SET x = x - 1"); err != nil {
		return err
	}
	return tx.Commit()
}

func prepared(ctx context.Context, db *sql.DB) error {
	stmt, err := db.PrepareContext(ctx, "SELECT 1") // want `statement from db.PrepareContext is never closed`
	if err != nil {
		return err
	}
	_, err = stmt.ExecContext(ctx)
	return err
}

func pinned(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx) // want `database connection from db.Conn is never closed: it never goes back to the pool`
	if err != nil {
		return err
	}
	return conn.PingContext(ctx)
}

func config(path string, v any) error {
	f, err := os.Open(path) // want `file from os.Open is never closed: its file descriptor stays open`
	if err != nil {
		return err
	}
	return json.NewDecoder(f).Decode(v)
}

func listen() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0") // want `listener from net.Listen is never closed: its port stays bound`
	if err != nil {
		return "", err
	}
	return l.Addr().String(), nil
}

// A method value of a client: f := c.Do.
func viaMethodValue(c *http.Client, req *http.Request) error {
	f := c.Do
	res, err := f(req) // want `response body from f is never closed`
	if err != nil {
		return err
	}
	_ = res.StatusCode
	return nil
}

type api struct {
	HTTPClient *http.Client
	rt         http.RoundTripper
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
}

// A method value bound to a field.
func (a *api) boundField(req *http.Request) (int, error) {
	do := a.HTTPClient.Do
	res, err := do(req) // want `response body from do is never closed`
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// Any http.RoundTripper.
func (a *api) roundTrip(req *http.Request) error {
	resp, err := a.rt.RoundTrip(req) // want `response body from a.rt.RoundTrip is never closed`
	if err != nil {
		return err
	}
	if resp.StatusCode >= 500 {
		return errors.New("server error")
	}
	return nil
}

// A dialer held as a function value.
func (a *api) ping(ctx context.Context, addr string) error {
	conn, err := a.dial(ctx, "tcp", addr) // want `connection from a.dial is not closed on the path through the return at line 166`
	if err != nil {
		return err
	}
	if _, err := conn.Write([]byte("ping")); err != nil {
		return err
	}
	conn.Close()
	return nil
}

// The response is not even assigned.
func fireAndForget(url string) error {
	_, err := http.Post(url, "text/plain", nil) // want `response body from http.Post is discarded without being closed`
	return err
}

// A loop that continues past an unclosed response acquires the next one.
func pollAll(urls []string) int {
	ok := 0
	for _, u := range urls {
		resp, err := http.Get(u) // want `response body from http.Get is not closed on the path that goes round the loop at line 181 to acquire another: .*; call resp.Body.Close\(\) before the loop comes round again`
		if err != nil {
			continue
		}
		if resp.StatusCode != http.StatusOK {
			continue
		}
		resp.Body.Close()
		ok++
	}
	return ok
}

// Accepted connections handed to a goroutine that never closes them.
func serve(l net.Listener) error {
	for {
		conn, err := l.Accept() // want `connection from l.Accept is not closed on the path that goes round the loop at line 197 to acquire another: .*; call conn.Close\(\) before the loop comes round again`
		if err != nil {
			return err
		}
		go func() {
			io.Copy(io.Discard, conn)
		}()
	}
}

func wsCoder(ctx context.Context, url string) error {
	c, _, err := cws.Dial(ctx, url, nil) // want `websocket connection from cws.Dial is never closed: its socket and reader goroutine stay alive until the peer hangs up; defer c.CloseNow\(\) after the error check`
	if err != nil {
		return err
	}
	_, _, err = c.Read(ctx)
	return err
}

func wsGorilla(url string) error {
	c, _, err := websocket.DefaultDialer.Dial(url, nil) // want `websocket connection from websocket.DefaultDialer.Dial is never closed`
	if err != nil {
		return err
	}
	_, _, err = c.ReadMessage()
	return err
}

func testServer(h http.Handler) string {
	srv := httptest.NewServer(h) // want `test server from httptest.NewServer is never closed: its listener and goroutines outlive the test; defer srv.Close\(\)`
	return srv.URL
}

// Closed on one branch only.
func maybeClose(url string, keep bool) {
	resp, err := http.Get(url) // want `response body from http.Get is not closed on the path to the end of maybeClose at line 240`
	if err != nil {
		return
	}
	if !keep {
		resp.Body.Close()
	}
}

// A helper that closes on some paths only does not release.
func closeIfBad(resp *http.Response) {
	if resp.StatusCode >= 500 {
		resp.Body.Close()
	}
}

func partialHelper(url string) error {
	resp, err := http.Get(url) // want `response body from http.Get is never closed`
	if err != nil {
		return err
	}
	closeIfBad(resp)
	return nil
}

// A helper that closes on error: the success path still owes.
func checkStatus(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func successLeaks(url string) (int, error) {
	resp, err := http.Get(url) // want `response body from http.Get is not closed on the path through the return at line 275: .*; defer resp.Body.Close\(\) after the error check`
	if err != nil {
		return 0, err
	}
	if err := checkStatus(resp); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

type wsconn struct{ raw net.Conn }

// Read closes the connection when it fails, as many clients do: calling it
// is not releasing the connection.
func (c *wsconn) Read(p []byte) (int, error) { // want Read:"releases \\[0\\] on error"
	n, err := c.raw.Read(p)
	if err != nil {
		c.raw.Close()
		return 0, err
	}
	return n, nil
}

func dialWS(addr string) (*wsconn, error) {
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &wsconn{raw: raw}, nil
}

func (c *wsconn) Close() error { return c.raw.Close() } // want Close:"releases \\[0\\]"

func readOnce(addr string) error {
	c, err := dialWS(addr) // want `\*leaks.wsconn from dialWS is not closed on the path through the return at line 309: whatever it holds stays open; defer c.Close\(\) after the error check`
	if err != nil {
		return err
	}
	if _, err := c.Read(make([]byte, 1)); err != nil {
		return err
	}
	return nil
}

// A connection stored in a field that nothing in the package closes.
type poller struct {
	conn net.Conn
	n    int
}

func (p *poller) start(addr string) error {
	conn, err := net.Dial("tcp", addr) // want `connection from net.Dial is stored in field conn of poller, which nothing in this package closes: its socket stays open until the peer hangs up; close it in a Close method of poller, or where the field is replaced`
	if err != nil {
		return err
	}
	p.conn = conn
	return nil
}

func (p *poller) poll() error {
	_, err := p.conn.Write([]byte("poll"))
	return err
}
