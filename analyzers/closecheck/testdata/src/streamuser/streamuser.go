// Package streamuser uses streams: its obligations come from streams' facts.
package streamuser

import (
	"context"
	"io"
	"net/http"
	"os"

	"streams"
)

// A stream from a helper in another package, never closed.
func copyFeed(ctx context.Context, url string) error {
	rc, err := streams.Open(ctx, url) // want `response body from streams.Open is never closed: .*; defer rc.Close\(\) after the error check`
	if err != nil {
		return err
	}
	_, err = io.Copy(os.Stdout, rc)
	return err
}

func status(ctx context.Context, c *http.Client, url string) (int, error) {
	resp, err := streams.Get(ctx, c, url) // want `response body from streams.Get is never closed`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

func client(ctx context.Context, addr string) error {
	c, err := streams.Dial(ctx, addr) // want `\*streams.Client from streams.Dial is never closed: whatever it holds stays open; defer c.Close\(\) after the error check`
	if err != nil {
		return err
	}
	return c.Send("hello")
}

// Quiet: released or kept by helpers in the other package.
func drained(ctx context.Context, c *http.Client, url string) error {
	resp, err := streams.Get(ctx, c, url)
	if err != nil {
		return err
	}
	defer streams.Drain(resp)
	return nil
}

func quietly(ctx context.Context, url string) error {
	rc, err := streams.Open(ctx, url)
	if err != nil {
		return err
	}
	defer streams.CloseQuietly(rc)
	_, err = io.Copy(io.Discard, rc)
	return err
}

func must(ctx context.Context, url string) {
	rc := streams.Must(streams.Open(ctx, url))
	defer rc.Close()
	io.Copy(io.Discard, rc)
}

func mustLeak(ctx context.Context, url string) {
	rc := streams.Must(streams.Open(ctx, url)) // want `response body from streams.Open is never closed`
	io.Copy(io.Discard, rc)
}

func kept(ctx context.Context, c *http.Client, addr string) error {
	cl, err := streams.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer cl.Close()
	return nil
}

func shared() {
	conn := streams.Shared("feed")
	_ = conn
}

func pooled(ctx context.Context, addr string) error {
	conn, err := streams.Pooled(ctx, addr)
	if err != nil {
		return err
	}
	_ = conn
	return nil
}

// The body of a failed response is closed by streams.CheckStatus; the
// caller closes the others.
func checked(ctx context.Context, c *http.Client, url string) error {
	resp, err := streams.Get(ctx, c, url)
	if err != nil {
		return err
	}
	if err := streams.CheckStatus(resp); err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func checkedLeak(ctx context.Context, c *http.Client, url string) (int, error) {
	resp, err := streams.Get(ctx, c, url) // want `response body from streams.Get is not closed on the path through the return at line 116`
	if err != nil {
		return 0, err
	}
	if err := streams.CheckStatus(resp); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}
