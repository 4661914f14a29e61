// Package clean passes every check: the context reaches each blocking call.
package clean

import (
	"context"
	"net/http"
)

// Fetch fetches url and stops when ctx is cancelled.
func Fetch(ctx context.Context, c *http.Client, url string) error {
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
