// Package feeds fetches prices over HTTP without a context, so every caller
// inherits a call that cannot be cancelled.
package feeds

import (
	"io"
	"net/http"
)

// LastPrice returns the last traded price of symbol.
func LastPrice(symbol string) (string, error) {
	resp, err := http.Get("http://127.0.0.1:1/price?s=" + symbol)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
