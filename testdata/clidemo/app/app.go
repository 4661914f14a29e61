// Package app handles requests; it has the context that feeds lacks.
package app

import (
	"context"
	"fmt"
	"net/http"

	"example.com/clidemo/feeds"
)

// Handle reports the last price of sym.
func Handle(ctx context.Context, sym string) {
	price, err := feeds.LastPrice(sym)
	if err != nil {
		return
	}
	fmt.Println(sym, price)
}

// Fetch builds its request without ctx, so cancelling ctx does not stop it.
func Fetch(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// FetchQuiet threads ctx into the request and must not be reported.
func FetchQuiet(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
