// Package app has findings that need lib's facts, and code whose
// findings must not depend on facts about the standard library (such as
// which of its functions never return).
package app

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync"

	"example.com/facts/lib"
)

// Handle calls lib.Quote, which blocks without a context.
func Handle(ctx context.Context, sym string) string { return lib.Quote(sym) }

// Connect drops the connection lib.Dial returns.
func Connect(ctx context.Context, addr string) error {
	c, err := lib.Dial(ctx, addr)
	if err != nil {
		return err
	}
	if addr == "" {
		return fmt.Errorf("no address")
	}
	return c.Close()
}

// Wait loses the cancel function of lib.Timeout.
func Wait(ctx context.Context) {
	ctx, _ = lib.Timeout(ctx)
	<-ctx.Done()
}

// Twice locks a counter twice.
func Twice(c *lib.Counter) {
	c.Lock()
	c.Inc()
	c.Unlock()
}

// Forever starts a goroutine that never stops.
func Forever() { go lib.Spin() }

// Mode cancels on every path that returns: log.Fatalf does not.
func Mode(ctx context.Context, mode string) error {
	ctx, cancel := context.WithCancel(ctx)
	switch mode {
	case "a":
		defer cancel()
		return run(ctx)
	default:
		log.Fatalf("unknown mode %q", mode)
	}
	return nil
}

// Exit unlocks on every path that returns: os.Exit does not.
func Exit(mu *sync.Mutex, code int) {
	mu.Lock()
	if code != 0 {
		os.Exit(code)
	} else {
		mu.Unlock()
	}
}

// Status closes the body on every path that returns: lib.Die does not.
func Status(ctx context.Context, c *http.Client, req *http.Request) int {
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		return 0
	}
	switch resp.StatusCode {
	case http.StatusOK:
		resp.Body.Close()
	default:
		lib.Die(resp.Status)
	}
	return resp.StatusCode
}

func run(ctx context.Context) error { return ctx.Err() }
