//go:build go1.23

package legacy

import (
	"net/http"
	"testing"
)

// Before go1.24 there is no t.Context(): nothing to thread.
func checkDepth(t *testing.T, url string) {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
