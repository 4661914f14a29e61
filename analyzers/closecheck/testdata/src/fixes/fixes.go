package fixes

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/coder/websocket"
)

func never(url string) (int, error) {
	resp, err := http.Get(url) // want `response body from http.Get is never closed`
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// The deferred close moves up to the error check.
func onlyOnSuccess(url string) ([]byte, error) {
	resp, err := http.Get(url) // want `response body from http.Get is not closed on the path through the return at line 30`
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func rollback(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil) // want `transaction from db.BeginTx is not committed or rolled back`
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return err
	}
	return tx.Commit()
}

func ws(ctx context.Context, url string) error {
	c, _, err := websocket.Dial(ctx, url, nil) // want `websocket connection from websocket.Dial is never closed`
	if err != nil {
		return err
	}
	_, _, err = c.Read(ctx)
	return err
}

func server(h http.Handler) (*http.Response, error) {
	srv := httptest.NewServer(h) // want `test server from httptest.NewServer is never closed`
	return http.Get(srv.URL)
}

// No fix: the file is handed on on one path, so a deferred close would be
// wrong.
func handedOn(path string, keep bool) (*os.File, error) {
	f, err := os.Open(path) // want `file from os.Open is not closed on the path through the return at line 71`
	if err != nil {
		return nil, err
	}
	if keep {
		return f, nil
	}
	return nil, nil
}

// No fix: acquired in a loop.
func loop(urls []string) {
	for _, u := range urls {
		resp, err := http.Get(u) // want `response body from http.Get is not closed on the path that goes round the loop`
		if err != nil {
			continue
		}
		_ = resp.StatusCode
	}
}

// Held in an io.Writer: there is no Close to defer, so no fix.
func narrow(p string) error {
	var out io.Writer
	out, err := os.Create(p) // want `file from os.Create is never closed`
	if err != nil {
		return err
	}
	_, err = out.Write([]byte("x"))
	return err
}

// One variable for two responses: the later defer stays, it releases the
// second one.
func twice(c *http.Client, a, b string) error {
	resp, err := c.Get(a) // want `response body from c.Get is never closed`
	if err != nil {
		return err
	}
	fmt.Println(resp.Status)
	resp, err = c.Get(b)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return nil
}
