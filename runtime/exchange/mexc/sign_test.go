package mexc

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// The venue's documented test vectors.
const (
	vectorKey    = "mx0aBYs33eIilxBWC5"
	vectorSecret = Secret("45d0b3c26f2644f19bfb98b07741b2f5")
)

func TestSignVectors(t *testing.T) {
	for _, tc := range []struct {
		name, query, body, want string
	}{
		{
			name:  "all in the query",
			query: "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087",
			want:  "fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a",
		},
		{
			name:  "query and body, no & between",
			query: "symbol=BTCUSDT&side=BUY&type=LIMIT",
			body:  "quantity=1&price=11&recvWindow=5000&timestamp=1644489390087",
			want:  "d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592",
		},
		{
			name:  "timestamp only",
			query: "recvWindow=5000&timestamp=1644489390087",
			want:  "1103ce19f47c037fc03b8b9d674e10ee76e53272851eb2a3b10321cd353fb9bf",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sign(vectorSecret, tc.query, tc.body); got != tc.want {
				t.Errorf("Sign = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestSignHook checks the request the client sends: its parameters in
// order, recvWindow and timestamp appended, the signature last.
func TestSignHook(t *testing.T) {
	c, err := New(Options{APIKey: vectorKey, Secret: vectorSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.now = func() time.Time { return time.UnixMilli(1644489390087) }
	var p params
	p.add("symbol", "BTCUSDT")
	p.add("side", "BUY")
	p.add("type", "LIMIT")
	p.add("quantity", "1")
	p.add("price", "11")
	req, err := http.NewRequest(http.MethodPost, "https://api.mexc.com/api/v3/order?"+p.encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(HeaderAPIKey, vectorKey)
	if err := c.sign(req); err != nil {
		t.Fatal(err)
	}
	want := "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087" +
		"&signature=fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
	if req.URL.RawQuery != want {
		t.Errorf("signed query\n got %s\nwant %s", req.URL.RawQuery, want)
	}

	// Unsigned requests (no API key header) are left alone.
	pub, _ := http.NewRequest(http.MethodGet, "https://api.mexc.com/api/v3/depth?symbol=BTCUSDT", nil)
	if err := c.sign(pub); err != nil || pub.URL.RawQuery != "symbol=BTCUSDT" {
		t.Errorf("public request signed: %q, %v", pub.URL.RawQuery, err)
	}
}

func TestEncodeUpperHex(t *testing.T) {
	var p params
	p.add("symbols", "BTCUSDT,ETHUSDT")
	if got, want := p.encode(), "symbols=BTCUSDT%2CETHUSDT"; got != want {
		t.Errorf("encode = %s, want %s", got, want)
	}
}

func TestRecvWindowValidation(t *testing.T) {
	for _, tc := range []struct {
		rw   time.Duration
		want string
		ok   bool
	}{
		{0, "5000", true},
		{60 * time.Second, "60000", true},
		{1500 * time.Millisecond, "1500", true},
		{60*time.Second + time.Millisecond, "", false},
		{-time.Second, "", false},
	} {
		c, err := New(Options{RecvWindow: tc.rw})
		if err != nil {
			if tc.ok {
				t.Errorf("New(RecvWindow: %v): %v", tc.rw, err)
			}
			continue
		}
		if !tc.ok {
			t.Errorf("New(RecvWindow: %v) accepted", tc.rw)
		} else if c.recvWindow != tc.want {
			t.Errorf("RecvWindow %v sent as %s, want %s", tc.rw, c.recvWindow, tc.want)
		}
		c.Close()
	}
	c, err := New(Options{RecvWindow: time.Minute + time.Second})
	if err == nil {
		c.Close()
	}
	if !errors.Is(err, ErrRecvWindow) {
		t.Errorf("error %v does not match ErrRecvWindow", err)
	}
}
