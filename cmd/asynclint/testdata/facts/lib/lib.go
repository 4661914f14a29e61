// Package lib exports a fact of each kind the analyzers have, for
// app and for the tests of their encoding.
package lib

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Price blocks without a context (blockingcall).
func Price(url string) (*http.Response, error) { return http.Get(url) }

// Quote blocks through Price.
func Quote(sym string) string {
	resp, err := Price("http://127.0.0.1:1/" + sym)
	if err != nil {
		return ""
	}
	defer Drain(resp)
	return resp.Status
}

// Drain releases its parameter (closecheck).
func Drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// Dial returns a fresh connection (closecheck).
func Dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// A Pool keeps connections.
type Pool struct{ conns []net.Conn }

// Keep retains its parameter (closecheck).
func (p *Pool) Keep(c net.Conn) { p.conns = append(p.conns, c) }

// Stop calls the cancel function it is given (ctxleak).
func Stop(cancel context.CancelFunc) { cancel() }

// Timeout returns a cancel function (ctxleak).
func Timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, time.Second)
}

// A Counter counts under a lock.
type Counter struct {
	mu sync.Mutex
	n  int
}

// Lock returns with c.mu held (ctxleak).
func (c *Counter) Lock() { c.mu.Lock() }

// Unlock unlocks c.mu (ctxleak).
func (c *Counter) Unlock() { c.mu.Unlock() }

// Inc locks c.mu (ctxleak).
func (c *Counter) Inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// Work calls Done on every path (ctxleak).
func Work(wg *sync.WaitGroup) {
	defer wg.Done()
	time.Sleep(time.Millisecond)
}

// Die never returns (ctxleak), through log.Fatal.
func Die(msg string) { log.Fatal(msg) }

// Spin never returns (ctxleak).
func Spin() {
	for {
		time.Sleep(time.Second)
	}
}
