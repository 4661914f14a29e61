// Package feeds is a dependency of app: its facts reach app's analysis.
package feeds

import (
	"net/http"
	"sync/atomic"
	"time"
)

// LastPrice blocks without a context: callers that have one are reported.
func LastPrice(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Slow blocks in a way the analysis cannot see; the settings name it.
func Slow(n int) int { return n * 2 }

// Feed polls forever once started.
type Feed struct{ n atomic.Int64 }

// Start starts a goroutine that never stops.
func (f *Feed) Start() {
	go f.poll() // want ctxleak
}

func (f *Feed) poll() {
	t := time.NewTicker(time.Second)
	for range t.C {
		f.n.Add(1)
	}
}
