package legacy

import (
	"net/http"
	"testing"
)

// From go1.24 a test has t.Context(): a test that blocks without it keeps
// running after the test has failed or timed out.
func checkQuote(t *testing.T, url string) {
	resp, err := http.Get(url) // want `http.Get blocks without a context while t.Context\(\) is in scope`
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
