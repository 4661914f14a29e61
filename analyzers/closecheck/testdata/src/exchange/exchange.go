// Package exchange is shaped like a venue SDK and the trading code on top
// of it: REST calls through a doer, signed requests, websocket streams with
// keepalive goroutines, reconnect loops, order books fed from a channel.
package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Doer is how the SDK sends requests; tests swap in a fake.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

type Client struct {
	BaseURL    string
	HTTPClient *http.Client
	doer       Doer
	do         func(*http.Request) (*http.Response, error)
	Logger     *log.Logger
}

type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string { return e.Message }

// callAPI sends a request through the configured doer, as go-binance does,
// with the deferred close after an early return: the read error leaks.
func (c *Client) callAPI(ctx context.Context, method, path string, body []byte) (data []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	f := c.do
	if f == nil {
		f = c.HTTPClient.Do
	}
	res, err := f(req) // want `response body from f is not closed on the path through the return at line 58`
	if err != nil {
		return nil, err
	}
	data, err = io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	defer func() {
		cerr := res.Body.Close()
		if err == nil && cerr != nil {
			err = cerr
		}
	}()
	if res.StatusCode >= http.StatusBadRequest {
		apiErr := new(APIError)
		if e := json.Unmarshal(data, apiErr); e != nil {
			return nil, e
		}
		return nil, apiErr
	}
	return data, nil
}

// get is the correct version: close first.
func (c *Client) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.doer.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return &APIError{Code: resp.StatusCode, Message: string(b)}
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// checkResponse closes the body of a failed response, like many SDKs.
func CheckResponse(resp *http.Response) error { // want CheckResponse:"releases \\[0\\] on error"
	if resp.StatusCode/100 == 2 {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Errorf("%s: %s", resp.Status, b)
}

func (c *Client) post(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	if err := CheckResponse(resp); err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

// decode reads and closes.
func decode(resp *http.Response, out any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *Client) balance(ctx context.Context) (map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/balance", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	var out map[string]string
	return out, decode(resp, &out)
}

// The status is read and the response dropped.
func (c *Client) ping(ctx context.Context) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/ping", nil)
	resp, err := c.HTTPClient.Do(req) // want `response body from c.HTTPClient.Do is never closed`
	return err == nil && resp.StatusCode == http.StatusOK
}

// A stream with a keepalive goroutine that closes the connection when
// asked to stop, as SDK websocket helpers do.
func (c *Client) Stream(url string, handler func([]byte), errHandler func(error)) (doneC, stopC chan struct{}, err error) {
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, nil, err
	}
	doneC = make(chan struct{})
	stopC = make(chan struct{})
	go func() {
		defer close(doneC)
		silent := false
		go func() {
			select {
			case <-stopC:
				silent = true
			case <-doneC:
			}
			conn.Close()
		}()
		for {
			_, message, err := conn.ReadMessage()
			if err != nil {
				if !silent {
					errHandler(err)
				}
				return
			}
			handler(message)
		}
	}()
	return doneC, stopC, nil
}

// A feed that owns its connection and reconnects.
type Feed struct {
	mu   sync.Mutex
	url  string
	conn *websocket.Conn
	out  chan []byte
}

func (f *Feed) Close() error { // want Close:"releases \\[0\\]"
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn == nil {
		return nil
	}
	return f.conn.Close()
}

func (f *Feed) connect() error {
	conn, resp, err := websocket.DefaultDialer.Dial(f.url, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("handshake: %s", resp.Status)
		}
		return err
	}
	f.mu.Lock()
	old := f.conn
	f.conn = conn
	f.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// Run reconnects with backoff until ctx ends.
func (f *Feed) Run(ctx context.Context) error { // want Run:"releases \\[0\\]"
	for ctx.Err() == nil {
		if err := f.connect(); err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		f.read()
	}
	return f.Close()
}

func (f *Feed) read() {
	for {
		f.mu.Lock()
		conn := f.conn
		f.mu.Unlock()
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return
		}
		f.out <- msg
	}
}

// subscribe sends a message before storing the connection: a failed write
// leaks it.
func (f *Feed) subscribe(topic string) error {
	conn, _, err := websocket.DefaultDialer.Dial(f.url, nil) // want `websocket connection from websocket.DefaultDialer.Dial is not closed on the path through the return at line 255: .*; call conn.Close\(\) on that path too`
	if err != nil {
		return err
	}
	if err := conn.WriteJSON(map[string]string{"op": "subscribe", "topic": topic}); err != nil {
		return err
	}
	f.mu.Lock()
	f.conn = conn
	f.mu.Unlock()
	return nil
}

// Orders polls in a loop with a ticker and a shared client.
func (c *Client) Orders(ctx context.Context, every time.Duration, out chan<- []byte) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		data, err := c.callAPI(ctx, http.MethodGet, "/orders", nil)
		if err != nil {
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.Code == 429 {
				continue
			}
			return err
		}
		out <- data
	}
}
