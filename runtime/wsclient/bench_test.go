package wsclient_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/asynclint/asynclint/runtime/wsclient"
)

// A feed is a WebSocket server on loopback that, for each connection,
// writes as many copies of one ticker update as it is told to on counts.
//
// It frames the messages itself and writes them to the socket in 64 KiB
// chunks. Written one message per write(2), as websocket.Conn.Write does,
// the stream would be paced by the server's syscalls, and a client that
// keeps up would do one read(2) per message as well: the benchmark would
// measure the kernel and the scheduler of a shared machine. In bulk, the
// client's read path is the bottleneck, which is what is being compared.
type feed struct {
	srv    *httptest.Server
	url    string
	counts chan int
	wg     sync.WaitGroup
	ctx    context.Context
	stop   context.CancelFunc
	paced  bool // one message per websocket.Conn.Write instead
}

// frame returns msg as an unmasked, unfragmented server text frame.
func frame(msg []byte) []byte {
	f := []byte{0x81}
	switch n := len(msg); {
	case n < 126:
		f = append(f, byte(n))
	case n <= 0xFFFF:
		f = append(f, 126, byte(n>>8), byte(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, msg...)
}

func newFeed(b *testing.B, paced bool) *feed {
	ctx, stop := context.WithCancel(context.WithoutCancel(b.Context()))
	f := &feed{counts: make(chan int), ctx: ctx, stop: stop, paced: paced}
	one := frame([]byte(ticker(67000)))
	chunk := bytes.Repeat(one, 64<<10/len(one))
	per := len(chunk) / len(one)
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.wg.Add(1)
		defer f.wg.Done()
		raw := r.Context().Value(rawConnKey{}).(net.Conn)
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		// Read, so that the client's pings and close are answered; the
		// library writes nothing else, so the raw writes below cannot
		// interleave with its own.
		ctx := ws.CloseRead(f.ctx)
		var n int
		select {
		case n = <-f.counts:
		case <-ctx.Done():
			return
		}
		msg := []byte(ticker(67000))
		for ; f.paced && n > 0; n-- {
			if ws.Write(ctx, websocket.MessageText, msg) != nil {
				return
			}
		}
		for n > 0 {
			k := min(n, per)
			if _, err := raw.Write(chunk[:k*len(one)]); err != nil {
				return
			}
			n -= k
		}
		<-ctx.Done()
	}))
	f.srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, rawConnKey{}, c)
	}
	f.srv.Start()
	f.url = "ws" + strings.TrimPrefix(f.srv.URL, "http")
	b.Cleanup(func() {
		f.stop()
		f.srv.Close()
		f.wg.Wait()
	})
	return f
}

// BenchmarkReadLoop compares a bare coder/websocket read loop (raw) with a
// Conn delivering the same stream of ~200-byte ticker updates to a handler
// (wsclient). floor is the fastest single-goroutine loop: what the Conn's
// reader does, without handing messages to another goroutine.
func BenchmarkReadLoop(b *testing.B) { benchmarkReadLoop(b, false) }

// BenchmarkReadLoopPaced is BenchmarkReadLoop with a server that writes one
// message per write(2): on a small machine, a measure of syscalls and
// scheduling more than of the client.
func BenchmarkReadLoopPaced(b *testing.B) { benchmarkReadLoop(b, true) }

func benchmarkReadLoop(b *testing.B, paced bool) {
	size := int64(len(ticker(67000)))
	b.Run("raw", func(b *testing.B) {
		f := newFeed(b, paced)
		ctx := b.Context()
		ws, _, err := websocket.Dial(ctx, f.url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.CloseNow()
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		f.counts <- b.N
		for range b.N {
			if _, _, err := ws.Read(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		ws.Close(websocket.StatusNormalClosure, "")
	})
	b.Run("floor", func(b *testing.B) {
		f := newFeed(b, paced)
		ws, _, err := websocket.Dial(b.Context(), f.url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.CloseNow()
		ctx := context.WithoutCancel(b.Context())
		buf := make([]byte, 1024)
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		f.counts <- b.N
		for range b.N {
			_, r, err := ws.Reader(ctx)
			if err != nil {
				b.Fatal(err)
			}
			for err == nil {
				_, err = r.Read(buf)
			}
			if err != io.EOF {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		ws.Close(websocket.StatusNormalClosure, "")
	})
	b.Run("wsclient", func(b *testing.B) {
		f := newFeed(b, paced)
		ctx := b.Context()
		var (
			n    int
			want = b.N
			done = make(chan struct{})
		)
		c, err := wsclient.Dial(ctx, f.url, &wsclient.Options{
			Handler: func(ctx context.Context, m wsclient.Message) error {
				if n++; n == want {
					close(done)
				}
				return nil
			},
		})
		if err != nil {
			b.Fatal(err)
		}
		runErr := make(chan error, 1)
		go func() { runErr <- c.Run(ctx) }()
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		f.counts <- b.N
		select {
		case <-done:
		case err := <-runErr:
			b.Fatalf("Run: %v", err)
		}
		b.StopTimer()
		if err := c.Close(ctx); err != nil {
			b.Fatal(err)
		}
		if err := <-runErr; err != nil {
			b.Fatal(err)
		}
	})
}

// A flaky venue drops every connection abruptly, period after accepting it,
// and keeps, for each, when its subscription arrived and when it was
// dropped: the venue's own view of the client's uptime.
type flaky struct {
	srv    *httptest.Server
	url    string
	period time.Duration
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	drops  chan struct{}

	mu    sync.Mutex
	spans []span
}

type span struct{ subscribed, dropped time.Time }

func newFlaky(b *testing.B, period time.Duration) *flaky {
	ctx, stop := context.WithCancel(context.WithoutCancel(b.Context()))
	v := &flaky{period: period, ctx: ctx, stop: stop, drops: make(chan struct{}, 1024)}
	v.srv = httptest.NewUnstartedServer(http.HandlerFunc(v.serve))
	v.srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, rawConnKey{}, c)
	}
	v.srv.Start()
	v.url = "ws" + strings.TrimPrefix(v.srv.URL, "http")
	b.Cleanup(func() {
		v.stop()
		v.srv.Close()
		v.wg.Wait()
	})
	return v
}

func (v *flaky) serve(w http.ResponseWriter, r *http.Request) {
	v.wg.Add(1)
	defer v.wg.Done()
	raw := r.Context().Value(rawConnKey{}).(net.Conn)
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	t := time.NewTimer(v.period)
	defer t.Stop()

	subscribed := make(chan time.Time, 1)
	v.wg.Go(func() {
		for {
			_, data, err := ws.Read(v.ctx)
			if err != nil {
				return
			}
			if strings.Contains(string(data), `"event":"subscribe"`) {
				select {
				case subscribed <- time.Now():
				default:
				}
			}
		}
	})
	var s span
	select {
	case s.subscribed = <-subscribed:
	case <-v.ctx.Done():
		return
	}
	select {
	case <-t.C:
	case <-v.ctx.Done():
		return
	}
	raw.Close()
	s.dropped = time.Now()
	v.mu.Lock()
	v.spans = append(v.spans, s)
	v.mu.Unlock()
	v.drops <- struct{}{}
}

// uptime returns the fraction of the time from the first subscription to
// the last drop during which the client was subscribed, and the mean time
// from a drop to the next subscription.
func (v *flaky) uptime() (ratio float64, recovery time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var up time.Duration
	for i, s := range v.spans {
		up += s.dropped.Sub(s.subscribed)
		if i > 0 {
			recovery += s.subscribed.Sub(v.spans[i-1].dropped)
		}
	}
	total := v.spans[len(v.spans)-1].dropped.Sub(v.spans[0].subscribed)
	if n := len(v.spans) - 1; n > 0 {
		recovery /= time.Duration(n)
	}
	return float64(up) / float64(total), recovery
}

// BenchmarkReconnectUptime runs a client against a venue that drops it
// every uptimePeriod, one drop per iteration, and reports the share of the
// time it was subscribed, as the venue saw it. The period is shorter than
// the ~2 s of a misbehaving venue so that a run takes seconds, not minutes;
// StableAfter is scaled with it.
func BenchmarkReconnectUptime(b *testing.B) {
	const uptimePeriod = 250 * time.Millisecond
	v := newFlaky(b, uptimePeriod)
	ctx := b.Context()
	c, err := wsclient.Dial(ctx, v.url, &wsclient.Options{StableAfter: uptimePeriod / 4})
	if err != nil {
		b.Fatal(err)
	}
	for _, pair := range []string{"BTC_USDT", "ETH_USDT", "SOL_USDT"} {
		c.Subscribe(ctx, "tickers "+pair, subscribeTickers(pair))
	}
	runErr := make(chan error, 1)
	go func() { runErr <- c.Run(ctx) }()
	b.ResetTimer()
	for range b.N {
		select {
		case <-v.drops:
		case err := <-runErr:
			b.Fatalf("Run: %v", err)
		}
	}
	b.StopTimer()
	if err := c.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if err := <-runErr; err != nil {
		b.Fatal(err)
	}
	ratio, recovery := v.uptime()
	b.ReportMetric(ratio, "uptime-ratio")
	b.ReportMetric(float64(recovery.Microseconds()), "recovery-µs")
}
