// Package exchange is a venue client written the way naive trading code is
// written. Every line marked ANTIPATTERN is a bug asynclint reports, with
// the analyzer that reports it; nothing else here should be reported.
package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// A Client talks to one venue's REST API.
type Client struct {
	base string
	hc   *http.Client
}

// NewClient returns a client for the venue at base.
func NewClient(base string) *Client {
	return &Client{base: strings.TrimRight(base, "/"), hc: &http.Client{}}
}

// An Order is a limit order.
type Order struct {
	Symbol, Side, Price, Quantity string
}

// Balance fetches the account's balance of asset. It has a context, and
// ignores it: cancelling ctx does not stop the request.
func (c *Client) Balance(ctx context.Context, asset string) (string, error) {
	resp, err := http.Get(c.base + "/balance?asset=" + url.QueryEscape(asset)) // ANTIPATTERN: blockingcall
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var b struct{ Free string }
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		return "", err
	}
	return b.Free, nil
}

// Depth fetches an order book. An error status returns before the body is
// closed: its connection leaks.
func (c *Client) Depth(ctx context.Context, symbol string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/depth?symbol="+url.QueryEscape(symbol), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req) // ANTIPATTERN: closecheck
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("depth: %s", resp.Status)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Ticker fetches the last price under a two-second budget, whose cancel
// is skipped when the symbol is empty.
func (c *Client) Ticker(ctx context.Context, symbol string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second) // ANTIPATTERN: ctxleak
	if symbol == "" {
		return "", errors.New("ticker: no symbol")
	}
	defer cancel()
	body, err := c.get(ctx, "/ticker?symbol="+url.QueryEscape(symbol))
	return string(body), err
}

// SendOrder places an order and waits for its ID, the end of ctx or five
// seconds. When it gives up first, nothing ever receives the sender's
// result: the goroutine is stranded for good.
func (c *Client) SendOrder(ctx context.Context, o Order) (string, error) {
	result := make(chan string)
	go func() {
		q := url.Values{"symbol": {o.Symbol}, "side": {o.Side}, "price": {o.Price}, "quantity": {o.Quantity}}
		body, err := c.post(ctx, "/order?"+q.Encode())
		if err != nil {
			body = nil
		}
		result <- string(body) // ANTIPATTERN: ctxleak
	}()
	select {
	case id := <-result:
		return id, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(5 * time.Second):
		return "", errors.New("order: timed out")
	}
}

// Reachable reports whether the venue accepts TCP connections, and leaves
// the connection it made open.
func Reachable(addr string) bool {
	_, err := net.Dial("tcp", addr) // ANTIPATTERN: closecheck
	return err == nil
}

func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, path)
}

func (c *Client) post(ctx context.Context, path string) ([]byte, error) {
	return c.do(ctx, http.MethodPost, path)
}

func (c *Client) do(ctx context.Context, method, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
