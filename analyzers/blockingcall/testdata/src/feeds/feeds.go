// Package feeds is a price-feed helper written before contexts were threaded
// through: its functions block without one.
package feeds

import (
	"io"
	"net/http"
)

func LastPrice(symbol string) (string, error) {
	resp, err := http.Get("http://127.0.0.1:1/price?s=" + symbol)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Snapshot reaches the network through LastPrice.
func Snapshot(symbols []string) map[string]string {
	out := map[string]string{}
	for _, s := range symbols {
		p, _ := LastPrice(s)
		out[s] = p
	}
	return out
}

// PriceCtx does it right.
func PriceCtx(ctx interface{ Done() <-chan struct{} }, symbol string) {}

type Client struct{ HTTP *http.Client }

// Fetch builds its request with a context: no chain starts here.
func (c *Client) Fetch(req *http.Request) (*http.Response, error) { return c.HTTP.Do(req) }

// Depth is recursive with no blocking: the fixpoint must end.
func Depth(n int) int {
	if n == 0 {
		return 0
	}
	return Depth(n-1) + 1
}

// Ping and Pong block through mutual recursion.
func Ping(n int) {
	if n > 0 {
		Pong(n - 1)
	}
}

func Pong(n int) {
	if n == 0 {
		http.Head("http://127.0.0.1:1/")
		return
	}
	Ping(n - 1)
}
