// Package app has findings of each analyzer, and findings that nolint
// comments suppress. (A comment line that starts with the directive itself
// would be a bare nolint for the whole file.)
package app

import (
	"context"
	"net/http"

	"example.com/lintme/feeds"
)

// Quote calls a function that blocks without a context while ctx is in scope.
func Quote(ctx context.Context, url string) int {
	p, _ := feeds.LastPrice(url) // want blockingcall
	return p
}

// Twice calls feeds.Slow, which blocks only by the settings' funcs.
func Twice(ctx context.Context) int {
	return feeds.Slow(1) // want blockingcall
}

// Status never closes the response body.
func Status(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req) // want closecheck
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// StatusNolint is Status with the finding suppressed on its line.
func StatusNolint(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req) //nolint:closecheck // the test suppresses it
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// StatusOtherNolint names another linter: the finding stays.
func StatusOtherNolint(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req) //nolint:blockingcall // want closecheck
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// StatusDeclNolint is suppressed by golangci-lint's //nolint on the whole
// declaration, which only golangci-lint knows about.
//
//nolint:closecheck // the test suppresses the whole function
func StatusDeclNolint(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// Watch starts a feed that leaks.
func Watch() *feeds.Feed {
	f := new(feeds.Feed)
	f.Start()
	return f
}

// Slow4 reports the same message four times: golangci-lint shows only three
// identical ones unless max-same-issues is 0.
func Slow4(ctx context.Context) int {
	return feeds.Slow(1) + // want blockingcall
		feeds.Slow(2) + // want blockingcall
		feeds.Slow(3) + // want blockingcall
		feeds.Slow(4) // want blockingcall
}

// Get has two findings on one line: golangci-lint shows only the first
// unless uniq-by-line is false.
func Get(ctx context.Context, url string) int {
	resp, err := http.Get(url) // want blockingcall closecheck
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
