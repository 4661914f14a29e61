// Package feeds fetches prices without a context.
package feeds

import (
	"io"
	"net/http"

	"example.com/mod/wire"
)

func LastPrice(sym string) (string, error) {
	resp, err := http.Get("http://127.0.0.1:1/price?s=" + sym)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Connect hands wire's types to importers of feeds.
func Connect() *wire.Conn { return wire.Dial(wire.Default.Addr) }
