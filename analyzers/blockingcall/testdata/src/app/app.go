package app

import (
	"context"
	"feeds"
	"net/http"
)

func Quote(ctx context.Context, sym string) string { // want Quote:"noctx: app.Quote → feeds.LastPrice → net/http.Get; blocks: app.Quote → feeds.LastPrice → net/http.Get; ctx inside"
	p, _ := feeds.LastPrice(sym) // want `feeds.LastPrice blocks without a context \(feeds.LastPrice → net/http.Get\) while ctx is in scope`
	return p
}

func Board(ctx context.Context) { // want Board:"noctx: app.Board → feeds.Snapshot → feeds.LastPrice → net/http.Get; .*ctx inside"
	feeds.Snapshot([]string{"BTC_USDT"}) // want `feeds.Snapshot blocks without a context \(feeds.Snapshot → feeds.LastPrice → net/http.Get\)`
	feeds.Ping(3)                        // want `feeds.Ping blocks without a context \(feeds.Ping → feeds.Pong → net/http.Head\)`
	_ = feeds.Depth(3)
}

// Fetch's request carries ctx: calling the helper is fine.
func Fetch(ctx context.Context, c *feeds.Client, url string) error { // want Fetch:`blocks: app.Fetch → \(\*feeds.Client\).Fetch → \(\*net/http.Client\).Do; ctx inside`
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Fetch(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// refresh is local and context-free: reported where it is called from an
// async path, with the chain through this package.
func refresh() { feeds.LastPrice("ETH_USDT") }

func Handler(w http.ResponseWriter, r *http.Request) { // want Handler:"noctx: app.Handler → app.refresh → .*; ctx inside"
	refresh() // want `app.refresh blocks without a context \(app.refresh → feeds.LastPrice → net/http.Get\) while r.Context\(\) is in scope`
}

func Start() {
	go refresh()     // want `app.refresh blocks without a context \(app.refresh → feeds.LastPrice → net/http.Get\) in the goroutine started here`
	go feeds.Ping(1) // want `feeds.Ping blocks without a context`
}

// Sync callers without a context are not async paths.
func Sync() { refresh(); feeds.Snapshot(nil) } // want Sync:"noctx: app.Sync → app.refresh → feeds.LastPrice → net/http.Get; blocks: .*"
