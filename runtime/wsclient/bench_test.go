package wsclient_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
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
	rawServer
	counts chan int
	paced  bool // one message per websocket.Conn.Write instead
}

// A rawServer is a loopback WebSocket server whose handler also gets the
// accepted connection's net.Conn, to write to or close behind the library's
// back. Its context ends, and its handlers are waited for, at cleanup.
type rawServer struct {
	srv  *httptest.Server
	url  string
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
}

func (s *rawServer) start(b *testing.B, serve func(raw net.Conn, ws *websocket.Conn)) {
	s.ctx, s.stop = context.WithCancel(context.WithoutCancel(b.Context()))
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.wg.Add(1)
		defer s.wg.Done()
		raw := r.Context().Value(rawConnKey{}).(net.Conn)
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		serve(raw, ws)
	}))
	s.srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, rawConnKey{}, c)
	}
	s.srv.Start()
	s.url = "ws" + strings.TrimPrefix(s.srv.URL, "http")
	b.Cleanup(func() {
		s.stop()
		s.srv.Close()
		s.wg.Wait()
	})
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
	f := &feed{counts: make(chan int), paced: paced}
	one := frame([]byte(ticker(67000)))
	chunk := bytes.Repeat(one, 64<<10/len(one))
	per := len(chunk) / len(one)
	f.start(b, func(raw net.Conn, ws *websocket.Conn) {
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
// and notes when each connection's first subscription arrived and when it
// was dropped: the venue's own view of the client's uptime.
type flaky struct {
	rawServer
	period time.Duration
	events chan struct{} // one per subscription or drop

	mu         sync.Mutex
	subscribed []time.Time
	dropped    []time.Time
}

func newFlaky(b *testing.B, period time.Duration) *flaky {
	v := &flaky{period: period, events: make(chan struct{}, 1)}
	v.start(b, v.serve)
	return v
}

func (v *flaky) serve(raw net.Conn, ws *websocket.Conn) {
	t := time.NewTimer(v.period)
	defer t.Stop()

	v.wg.Go(func() {
		first := true
		for {
			_, data, err := ws.Read(v.ctx)
			if err != nil {
				return
			}
			if first && strings.Contains(string(data), `"event":"subscribe"`) {
				first = false
				v.note(&v.subscribed)
			}
		}
	})
	select {
	case <-t.C:
	case <-v.ctx.Done():
		return
	}
	v.note(&v.dropped)
	raw.Close()
}

func (v *flaky) note(times *[]time.Time) {
	now := time.Now()
	v.mu.Lock()
	*times = append(*times, now)
	v.mu.Unlock()
	notify(v.events)
}

// wait waits until the venue has seen subs subscriptions and drops drops.
func (v *flaky) wait(ctx context.Context, subs, drops int) error {
	for {
		v.mu.Lock()
		ok := len(v.subscribed) >= subs && len(v.dropped) >= drops
		v.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-v.events:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// uptime returns, over the first n cycles of a connection subscribed and
// then dropped, the share of the time the client was subscribed and the
// mean time from a drop to the next subscription.
func (v *flaky) uptime(n int) (ratio float64, recovery time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var up time.Duration
	for i := range n {
		up += v.dropped[i].Sub(v.subscribed[i])
		recovery += v.subscribed[i+1].Sub(v.dropped[i])
	}
	total := v.subscribed[n].Sub(v.subscribed[0])
	return float64(up) / float64(total), recovery / time.Duration(n)
}

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

var uptimePeriod = flag.Duration("uptime.period", 2*time.Second,
	"how long BenchmarkReconnectUptime's venue keeps each connection")

// BenchmarkReconnectUptime runs a client against a venue that drops it
// abruptly every -uptime.period (default 2 s), one drop and recovery per
// iteration, and reports the share of the time it was subscribed, as the
// venue saw it, and the mean recovery: from the drop to the venue receiving
// the first subscription on the next connection.
//
// Since uptime ≈ 1 − recovery/period, the recovery is what carries over to
// other periods, and a shorter period does not make the client better or
// worse, only the ratio smaller. StableAfter is scaled with the period, so
// that every drop is followed by an immediate attempt.
func BenchmarkReconnectUptime(b *testing.B) {
	period := *uptimePeriod
	v := newFlaky(b, period)
	ctx := b.Context()
	c, err := wsclient.Dial(ctx, v.url, &wsclient.Options{StableAfter: period / 4})
	if err != nil {
		b.Fatal(err)
	}
	for _, pair := range []string{"BTC_USDT", "ETH_USDT", "SOL_USDT"} {
		c.Subscribe(ctx, "tickers "+pair, subscribeTickers(pair))
	}
	runErr := make(chan error, 1)
	go func() { runErr <- c.Run(ctx) }()
	b.ResetTimer()
	if err := v.wait(ctx, b.N+1, b.N); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if err := c.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if err := <-runErr; err != nil {
		b.Fatal(err)
	}
	ratio, recovery := v.uptime(b.N)
	b.ReportMetric(ratio, "uptime-ratio")
	b.ReportMetric(float64(recovery.Microseconds()), "recovery-µs")
}
