package fixes

import (
	"context"
	"crypto/tls"
	"database/sql"
	"net"
	"net/http"
	"os/exec"
	"time"

	"github.com/gorilla/websocket"
)

func fetch(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil) // want `http.NewRequest blocks without a context`
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func query(ctx context.Context, db *sql.DB, id int) error {
	rows, err := db.Query("SELECT px FROM fills WHERE id = ?", id) // want `\(\*sql.DB\).Query blocks without a context`
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := db.Ping(); err != nil { // want `\(\*sql.DB\).Ping blocks without a context`
		return err
	}
	tx, err := db.Begin() // want `\(\*sql.DB\).Begin blocks without a context`
	if err != nil {
		return err
	}
	return tx.Rollback()
}

func restart(ctx context.Context, args []string) error {
	return exec.Command("systemctl", args...).Run() // want `exec.Command blocks without a context`
}

func dial(ctx context.Context, addr string) error {
	c, err := net.Dial("tcp", addr) // want `net.Dial blocks without a context`
	if err != nil {
		return err
	}
	c.Close()
	c, err = net.DialTimeout("tcp", addr, time.Second) // want `net.DialTimeout blocks without a context`
	if err != nil {
		return err
	}
	return c.Close()
}

func secure(ctx context.Context, addr string, cfg *tls.Config) error {
	c, err := tls.Dial("tcp", addr, cfg) // want `tls.Dial blocks without a context`
	if err != nil {
		return err
	}
	return c.Close()
}

func stream(ctx context.Context, d *websocket.Dialer, url string) error {
	_, _, err := d.Dial(url, nil) // want `\(\*websocket.Dialer\).Dial blocks without a context`
	return err
}

func lookup(w http.ResponseWriter, r *http.Request) {
	ips, _ := net.LookupIP("venue.example") // want `net.LookupIP blocks without a context`
	_ = ips
	l, err := net.Listen("tcp", "127.0.0.1:0") // want `net.Listen blocks without a context`
	if err == nil {
		l.Close()
	}
}

func background(ctx context.Context, c *http.Client, url string) {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil) // want `context.Background\(\) is passed to http.NewRequestWithContext`
	c.Do(req)
}

// In a goroutine with no context, nothing can be threaded: no fix.
func poll(url string) {
	go func() {
		http.Get(url) // want `http.Get blocks without a context in a goroutine`
	}()
}

type store struct{ db *sql.DB }

// The unlock must run even when ctx is cancelled: the fix keeps ctx's values
// but not its cancellation.
func (s *store) withLock(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "SELECT pg_advisory_lock(1)"); err != nil {
		return err
	}
	defer s.db.Exec("SELECT pg_advisory_unlock(1)") // want `\(\*sql.DB\).Exec blocks without a context`
	return nil
}

type limiter struct{}

// The limiter waits for a token; its twin also reports the context's end.
func (l *limiter) Take() { <-time.After(time.Millisecond) } // want Take:"blocks: .*"
func (l *limiter) TakeContext(ctx context.Context) error { // want TakeContext:"blocks: .*"
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Millisecond):
		return nil
	}
}

type venue struct{ lim *limiter }

func (v *venue) Ticker(sym string) string { v.lim.Take(); return sym } // want Ticker:"noctx: .*"
func (v *venue) TickerContext(ctx context.Context, sym string) string { // want TickerContext:"blocks: .*"
	v.lim.TakeContext(ctx)
	return sym
}

func noRewrite(ctx context.Context, v *venue) {
	v.lim.Take() // want `\(\*fixes.limiter\).Take blocks without a context`
	f := v.Ticker
	f("BTC")                  // want `\(\*fixes.venue\).Ticker blocks without a context`
	(*venue).Ticker(v, "ETH") // want `\(\*fixes.venue\).Ticker blocks without a context`
	v.Ticker("SOL")           // want `\(\*fixes.venue\).Ticker blocks without a context`
}

// A goroutine that outlives the handler must not inherit its cancellation.
func audit(w http.ResponseWriter, r *http.Request, db *sql.DB) {
	go func() {
		db.Exec("INSERT INTO audit VALUES (1)") // want `\(\*sql.DB\).Exec blocks without a context while r.Context\(\) is in scope`
	}()
	for _, r := range []string{"a", "b"} {
		db.Exec("INSERT INTO seen VALUES (?)", r) // want `\(\*sql.DB\).Exec blocks without a context`
	}
}

func shadowed(ctx context.Context, db *sql.DB, names []string) {
	for _, ctx := range names {
		db.Exec("DELETE FROM quotes WHERE sym = ?", ctx) // want `\(\*sql.DB\).Exec blocks without a context`
	}
	defer func() {
		db.Exec("UPDATE runs SET done = 1") // want `\(\*sql.DB\).Exec blocks without a context while ctx is in scope`
	}()
}
