package app

import (
	"net/http"
	"testing"
)

// TestGet closes the body on every path that returns: t.Fatalf does not.
func TestGet(t *testing.T) {
	resp, err := http.DefaultClient.Do(mustRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		resp.Body.Close()
	default:
		t.Fatalf("status %s", resp.Status)
	}
}

func mustRequest(t *testing.T) *http.Request {
	req, err := http.NewRequestWithContext(t.Context(), "GET", "http://127.0.0.1:1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
