// Package app calls feeds on an async path.
package app

import (
	"context"

	"example.com/mod/feeds"
)

func Quote(ctx context.Context) string {
	p, _ := feeds.LastPrice("BTC")
	return p
}

func Send() error {
	c := feeds.Connect()
	_ = c.Addr
	return c.Send(nil)
}
