// Package streams is a library whose functions acquire, release and keep
// resources for their callers in another package.
package streams

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
)

// Open returns the body of a response: its caller must close it.
func Open(ctx context.Context, url string) (io.ReadCloser, error) { // want Open:"result 0 is a fresh body"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Get returns the response itself.
func Get(ctx context.Context, c *http.Client, url string) (*http.Response, error) { // want Get:"result 0 is a fresh response"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// Drain reads what is left of a response and closes it.
func Drain(resp *http.Response) { // want Drain:"releases \\[0\\]"
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// CloseQuietly closes c, ignoring the error.
func CloseQuietly(c io.Closer) { // want CloseQuietly:"releases \\[0\\]"
	_ = c.Close()
}

// Must returns v, or panics.
func Must[T any](v T, err error) T { // want Must:"result 0 is param 0"
	if err != nil {
		panic(err)
	}
	return v
}

var (
	mu       sync.Mutex
	registry = map[string]net.Conn{}
)

// Keep registers conn; Shutdown closes everything registered.
func Keep(name string, conn net.Conn) { // want Keep:"retains \\[1\\]"
	mu.Lock()
	defer mu.Unlock()
	registry[name] = conn
}

// A Client owns a connection.
type Client struct {
	conn net.Conn
}

// Dial returns a Client its caller must close.
func Dial(ctx context.Context, addr string) (*Client, error) { // want Dial:"result 0 is a fresh closer"
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn}, nil
}

// Send writes s.
func (c *Client) Send(s string) error {
	_, err := io.WriteString(c.conn, s)
	return err
}

func (c *Client) Close() error { return c.conn.Close() } // want Close:"releases \\[0\\]"

// Shared returns the registered connection: not the caller's to close.
func Shared(name string) net.Conn {
	mu.Lock()
	defer mu.Unlock()
	return registry[name]
}

// Pooled dials and registers the connection: the registry owns it.
func Pooled(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	Keep(addr, conn)
	return conn, nil
}

// CheckStatus closes the body of a failed response.
func CheckStatus(resp *http.Response) error { // want CheckStatus:"releases \\[0\\] on error"
	if resp.StatusCode < 300 {
		return nil
	}
	resp.Body.Close()
	return &StatusError{Code: resp.StatusCode}
}

type StatusError struct{ Code int }

func (e *StatusError) Error() string { return http.StatusText(e.Code) }
