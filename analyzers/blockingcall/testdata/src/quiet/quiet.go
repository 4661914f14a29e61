// Package quiet holds correct code in the shapes other linters get wrong:
// blockingcall must say nothing here.
package quiet

import (
	"context"
	"database/sql"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"time"

	"feeds"
)

func withContext(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// A request given its context before it is sent.
func attached(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req = req.WithContext(ctx)
	_, err = c.Do(req)
	return err
}

func cloned(ctx context.Context, c *http.Client, tmpl *http.Request) {
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	c.Do(req.Clone(ctx))
}

// A request served in-process never touches the network.
func served(ctx context.Context, h http.Handler) *httptest.ResponseRecorder {
	req, _ := http.NewRequest(http.MethodGet, "/healthz", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func queried(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "SELECT 1")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return tx.Commit()
}

// A context-taking helper in another package.
func helper(ctx context.Context, c *feeds.Client, req *http.Request) {
	c.Fetch(req.WithContext(ctx))
}

func derived(ctx context.Context, addr string) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var d net.Dialer
	return d.DialContext(dctx, "tcp", addr)
}

func resolved(ctx context.Context, host string) ([]string, error) {
	return net.DefaultResolver.LookupHost(ctx, host)
}

// Pure computation in a context-aware function.
func mid(ctx context.Context, bids, asks []float64) float64 {
	sort.Float64s(bids)
	sort.Slice(asks, func(i, j int) bool { return asks[i] < asks[j] })
	return (bids[len(bids)-1] + asks[0]) / 2
}

// Waiting on a timer and the context together is the right wait.
func pace(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func detachedAudit(ctx context.Context, log *slog.Logger) {
	audit := context.WithoutCancel(ctx)
	log.InfoContext(audit, "order sent")
	slog.Info("order sent")
}

// signal.NotifyContext is no twin of signal.Notify: the signatures differ.
func signals(ctx context.Context) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
}

// Built and handed back: the caller runs it, with its own context.
func command(ctx context.Context) *exec.Cmd { return exec.Command("true") }

// A server is started for the process lifetime and stopped with Shutdown.
func serve(ctx context.Context, srv *http.Server) {
	go srv.ListenAndServe()
	<-ctx.Done()
	srv.Shutdown(context.Background())
}

// Blocking in main with no goroutine is no async path.
func main() {
	http.Get("http://127.0.0.1:1/")
	time.Sleep(time.Second)
}

type Client struct{ http *http.Client }

// NewRequest returns the request: Do attaches the context (go-github's shape).
func (c *Client) NewRequest(method, url string) (*http.Request, error) { // want NewRequest:"bare request"
	return http.NewRequest(method, url, nil)
}

func (c *Client) Do(ctx context.Context, req *http.Request) (*http.Response, error) { // want Do:"blocks: .*; ctx inside"
	return c.http.Do(req.WithContext(ctx))
}

func (c *Client) Balance(ctx context.Context) error { // want Balance:"blocks: .*; ctx inside"
	req, err := c.NewRequest(http.MethodGet, "http://127.0.0.1:1/balance")
	if err != nil {
		return err
	}
	req.SetBasicAuth("k", "s")
	resp, err := c.Do(ctx, req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
