package exchange

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// A PriceFeed polls a ticker endpoint once a second and keeps the last
// answer. Nothing can stop it.
type PriceFeed struct {
	url  string
	mu   sync.Mutex
	last string
}

// NewPriceFeed starts polling url.
func NewPriceFeed(url string) *PriceFeed {
	f := &PriceFeed{url: url}
	go func() { // ANTIPATTERN: ctxleak
		for {
			resp, err := http.Get(url) // ANTIPATTERN: blockingcall
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				f.set(string(body))
			}
			time.Sleep(time.Second) // ANTIPATTERN: blockingcall
		}
	}()
	return f
}

// Last returns the last price received.
func (f *PriceFeed) Last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func (f *PriceFeed) set(price string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = price
}
