package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// DoJSON sends req like Do and decodes the JSON response body into out,
// which may be nil to discard it. A 204 No Content response leaves out
// untouched. The body is read in full, up to Options.MaxResponseBytes,
// before decoding, so that trailing garbage and truncation are reported
// rather than half-decoded, and is always closed.
//
// req gets an Accept: application/json header unless it has one.
func (c *Client) DoJSON(ctx context.Context, req *http.Request, out any, opts ...CallOption) error {
	if req.Header.Get("Accept") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("Accept", "application/json")
	}
	cl := newCall(req, opts)
	resp, err := c.send(ctx, req, cl)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return fmt.Errorf("httpclient: %s: reading the response: %w", cl.op, err)
	}
	if int64(len(data)) > c.maxBody {
		return fmt.Errorf("httpclient: %s: response larger than %d bytes", cl.op, c.maxBody)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct == "" {
			ct = "untyped"
		}
		return fmt.Errorf("httpclient: %s: decoding the %s response (%d, %d bytes) into %T: %w",
			cl.op, ct, resp.StatusCode, len(data), out, err)
	}
	return nil
}

// GetJSON gets url and decodes the JSON response into out.
func (c *Client) GetJSON(ctx context.Context, url string, out any, opts ...CallOption) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("httpclient: %w", err)
	}
	return c.DoJSON(ctx, req, out, opts...)
}

// PostJSON posts in, encoded as JSON, to url and decodes the JSON response
// into out. A POST is retried only if the call is declared Idempotent.
func (c *Client) PostJSON(ctx context.Context, url string, in, out any, opts ...CallOption) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("httpclient: encoding the request: %w", err)
	}
	// A bytes.Reader body gives the request a GetBody, which makes it
	// replayable for retries.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("httpclient: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.DoJSON(ctx, req, out, opts...)
}
