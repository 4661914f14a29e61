package httpclient_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"golang.org/x/time/rate"

	"github.com/asynclint/asynclint/runtime/httpclient"
)

func Example() {
	venue := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Signature") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"code":-2014,"msg":"API-key format invalid."}`)
			return
		}
		io.WriteString(w, `{"symbol":"BTCUSDT","bids":[["64000.10","0.5"]]}`)
	}))
	defer venue.Close()

	limits := new(httpclient.Limits)
	limits.Set("ip", rate.NewLimiter(20, 1200)) // 1200 weight a minute, in bursts
	c := httpclient.New(httpclient.Options{
		Limits: limits,
		Sign: func(req *http.Request) error {
			// A real signer adds a timestamp and an HMAC of the query.
			req.Header.Set("X-Signature", "hmac")
			return nil
		},
	})
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var depth struct {
		Symbol string      `json:"symbol"`
		Bids   [][2]string `json:"bids"`
	}
	err := c.GetJSON(ctx, venue.URL+"/api/v3/depth?symbol=BTCUSDT&limit=5", &depth,
		httpclient.Weight("ip", 5))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(depth.Symbol, depth.Bids[0][0])
	// Output: BTCUSDT 64000.10
}

func ExampleStatusError() {
	venue := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"code":-1121,"msg":"Invalid symbol."}`)
	}))
	defer venue.Close()
	c := httpclient.New(httpclient.Options{})
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.GetJSON(ctx, venue.URL+"/api/v3/ticker?symbol=NOPE", nil)
	var se *httpclient.StatusError
	if errors.As(err, &se) {
		fmt.Println(se.StatusCode, string(se.Body))
	}
	// Output: 400 {"code":-1121,"msg":"Invalid symbol."}
}
