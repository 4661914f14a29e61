// Package sdk has the shapes of a real exchange SDK: builders that return
// requests for a Do(ctx, req) that attaches the context, context-free
// convenience methods next to their ...Context twins, and a legacy call that
// roots its own context.
package sdk

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httputil"
	"os/exec"
	"time"
)

type Client struct {
	HTTP *http.Client
	Key  string
}

func (c *Client) sign(req *http.Request) { req.Header.Set("X-KEY", c.Key) }

// newRequest signs and returns the request; Do attaches the context.
func (c *Client) newRequest(method, url string) (*http.Request, error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return nil, err
	}
	c.sign(req)
	httputil.DumpRequestOut(req, false)
	return req, nil
}

func (c *Client) Do(ctx context.Context, req *http.Request, v any) error { // want Do:"blocks: .*; ctx inside"
	resp, err := c.HTTP.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func (c *Client) TickerContext(ctx context.Context, sym string) (string, error) { // want TickerContext:"blocks: .*; ctx inside"
	req, err := c.newRequest(http.MethodGet, "http://127.0.0.1:1/ticker?s="+sym)
	if err != nil {
		return "", err
	}
	var out string
	return out, c.Do(ctx, req, &out)
}

// Ticker is the convenience form: it cannot be cancelled.
func (c *Client) Ticker(sym string) (string, error) { // want Ticker:"noctx: .*"
	return c.TickerContext(context.Background(), sym)
}

func (c *Client) Health(ctx context.Context) error { // want Health:"noctx: .*; ctx inside"
	_, err := c.Ticker("BTCUSDT") // want `\(\*sdk.Client\).Ticker blocks without a context while ctx is in scope: the call cannot be cancelled; use TickerContext\(ctx, …\)`
	return err
}

// send takes no context and sends: whatever it is handed is sent without one.
func (c *Client) send(req *http.Request) error {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (c *Client) Cancel(ctx context.Context, id string) error { // want Cancel:"noctx: .*; ctx inside"
	req, err := http.NewRequest(http.MethodDelete, "http://127.0.0.1:1/order/"+id, nil) // want `http.NewRequest blocks without a context while ctx is in scope`
	if err != nil {
		return err
	}
	return c.send(req)
}

// Order validation has a context twin for tracing but does no I/O.
type Order struct{ Qty string }

func (o *Order) Validate() error                               { return nil }
func (o *Order) ValidateWithContext(ctx context.Context) error { return o.Validate() }

func (c *Client) Place(ctx context.Context, o *Order) error { // want Place:"blocks: .*; ctx inside"
	if err := o.Validate(); err != nil {
		return err
	}
	req, err := c.newRequest(http.MethodPost, "http://127.0.0.1:1/order")
	if err != nil {
		return err
	}
	return c.Do(ctx, req, nil)
}

// LastTrade roots its own context: its callers cannot cancel it.
func LastTrade(sym string) (string, error) { // want LastTrade:"noctx: sdk.LastTrade → \\(\\*net/http.Client\\).Do with a deadline on context.Background\\(\\); .*; bounded"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/trade?s="+sym, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	return resp.Status, resp.Body.Close()
}

func runLogged(cmd *exec.Cmd) error {
	_, err := cmd.CombinedOutput()
	return err
}

func Backfill(ctx context.Context, day string) error { // want Backfill:"noctx: .*; ctx inside"
	cmd := exec.Command("backfill", day) // want `exec.Command blocks without a context while ctx is in scope`
	return runLogged(cmd)
}

// Run takes its lifetime as a context.
func (c *Client) Run(ctx context.Context) { <-ctx.Done() } // want Run:"blocks: .*; ctx inside"

// With no context of its own, a background one is all a caller has: neither
// the go statement nor the goroutine below is a finding.
func Start(c *Client) { // want Start:"noctx: sdk.Start → \\(\\*sdk.Client\\).Run with context.Background\\(\\) → channel receive; .*"
	go c.Run(context.Background())
	go func() { c.Run(context.Background()) }()
	c.Run(context.Background())
}

// The shapes of real SDK transports: a function value with a fallback, a
// package-level function variable, a requester behind an interface.
type Service struct {
	do   func(*http.Request) (*http.Response, error)
	HTTP *http.Client
	req  Requester
}

func (s *Service) call(req *http.Request) error {
	f := s.do
	if f == nil {
		f = s.HTTP.Do
	}
	resp, err := f(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Ping uses a context nobody can cancel.
func (s *Service) Ping() error { // want Ping:"noctx: \\(\\*sdk.Service\\).Ping → \\(\\*sdk.Service\\).call with context.Background\\(\\) .*"
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://127.0.0.1:1/ping", nil)
	if err != nil {
		return err
	}
	return s.call(req)
}

var wsServe = func(url string) error {
	_, err := net.Dial("tcp", url)
	return err
}

func Serve(url string) error { return wsServe(url) } // want Serve:"noctx: sdk.Serve → sdk.init.func1 → net.Dial; .*"

type Requester interface {
	Request(method, path string) (*http.Response, error)
}

type basicRequester struct{}

func (basicRequester) Request(method, path string) (*http.Response, error) { // want Request:"noctx: .*"
	return http.Get("http://127.0.0.1:1" + path)
}

func (s *Service) Accounts() error { // want Accounts:"noctx: \\(\\*sdk.Service\\).Accounts → \\(sdk.basicRequester\\).Request → net/http.Get; .*"
	resp, err := s.req.Request(http.MethodGet, "/accounts")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Request is a kucoin-style request description; HTTPRequest builds it
// without a context and Basic sends it as is.
type Request struct{ Method, Path string }

func (r *Request) HTTPRequest() (*http.Request, error) { // want HTTPRequest:"bare request"
	return http.NewRequest(r.Method, "http://127.0.0.1:1"+r.Path, nil)
}

type Basic struct{}

func (Basic) Send(r *Request) error { // want Send:`noctx: \(sdk.Basic\).Send → \(\*sdk.Request\).HTTPRequest → net/http.NewRequest; .*`
	req, err := r.HTTPRequest()
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
