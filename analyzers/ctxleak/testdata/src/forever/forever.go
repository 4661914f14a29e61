// Package forever holds goroutines that never stop, and ones that do.
package forever

import (
	"context"
	"log"
	"net"
	"sync"
	"time"
)

type Feed struct {
	mu     sync.Mutex
	prices map[string]float64
	quit   chan struct{}
	conn   net.Conn
}

func (f *Feed) refresh() {}

// A library constructor that starts a goroutine nothing can stop.
func NewFeed() *Feed {
	f := &Feed{prices: map[string]float64{}}
	go func() { // want `goroutine never stops: the goroutine loops at line 25 with no return, no break and no receive that ends it, so it outlives everything that started it`
		for {
			time.Sleep(time.Second)
			f.refresh()
		}
	}()
	return f
}

func (f *Feed) poll() { // want poll:"never returns"
	t := time.NewTicker(time.Second)
	for range t.C {
		f.refresh()
	}
}

func (f *Feed) Start() {
	go f.poll() // want `goroutine never stops: \(\*Feed\)\.poll ranges at line 35 over a ticker.s channel, which is never closed`
}

// The fixed twin: it returns when the context is done.
func (f *Feed) pollCtx(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.refresh()
		}
	}
}

func (f *Feed) StartCtx(ctx context.Context) {
	go f.pollCtx(ctx)
}

// A quit channel works as well as a context.
func (f *Feed) StartQuit() {
	go func() {
		for {
			select {
			case <-f.quit:
				return
			default:
				f.refresh()
			}
		}
	}()
}

// An accept loop that never stops, not even once the listener is closed.
func serve(l net.Listener, handle func(net.Conn)) { // want serve:"never returns"
	for {
		c, err := l.Accept()
		if err != nil {
			log.Print(err)
			continue
		}
		go handle(c)
	}
}

func Serve(l net.Listener) {
	go serve(l, func(c net.Conn) { c.Close() }) // want `goroutine never stops: serve loops at line 78 with no return, no break and no receive that ends it`
}

// It calls a function that never returns.
func run(f *Feed) { // want run:"never returns"
	f.poll()
}

func StartRun(f *Feed) {
	go run(f) // want `goroutine never stops: run calls \(\*Feed\)\.poll at line 94, which never returns`
}

// A process-lifetime goroutine, marked as such.
func StartDaemon(f *Feed) {
	//asynclint:daemon the price cache lives as long as the process
	go f.poll()
}

// A function declared a daemon.
//
//asynclint:daemon metrics flush for the life of the process
func flusher() { // want flusher:"never returns"
	for {
		time.Sleep(time.Second)
	}
}

func StartFlusher() {
	go flusher()
}

// A goroutine that ends on a read error stops when the connection closes.
func (f *Feed) reader(buf []byte) {
	for {
		if _, err := f.conn.Read(buf); err != nil {
			return
		}
	}
}

func (f *Feed) StartReader() {
	go f.reader(make([]byte, 512))
}

// Ranging over a channel ends when the channel is closed.
func consume(in <-chan int, out func(int)) {
	for v := range in {
		out(v)
	}
}

func StartConsume(in <-chan int) {
	go consume(in, func(int) {})
}

// Exits only by killing the process: still a goroutine that never stops.
func watchdog(check func() bool) { // want watchdog:"never returns"
	for {
		if !check() {
			log.Fatal("stalled")
		}
		time.Sleep(time.Second)
	}
}

func StartWatchdog(check func() bool) {
	go watchdog(check) // want `goroutine never stops: watchdog loops`
}

// A panic alone is not a loop.
func fail() {
	panic("unreachable")
}

func StartFail() {
	go fail()
}

// Generic workers are checked too.
func spin[T any](v T, f func(T)) { // want spin:"never returns"
	for {
		f(v)
	}
}

func StartSpin() {
	go spin(1, func(int) {}) // want `goroutine never stops: spin loops`
}

var startOnce sync.Once

// A singleton started lazily once per process.
func Lazy(f *Feed) {
	startOnce.Do(func() {
		go f.poll()
	})
}

// Stops only when its context is done, and is given one that never is.
func (f *Feed) pollUntil(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
			f.refresh()
		}
	}
}

func (f *Feed) StartBackground() {
	go f.pollUntil(context.Background()) // want `goroutine never stops: \(\*Feed\)\.pollUntil returns only once its context is done, and this go statement gives it context.Background\(\), which never is`
}

func (f *Feed) StartWith(ctx context.Context) {
	go f.pollUntil(ctx)
}

// A runner: it calls the function it is given on a goroutine.
type stopper struct{ stop chan struct{} }

func (s *stopper) runWorker(f func()) { // want runWorker:"cancels \\[1\\]"
	go func() {
		f()
	}()
}

func StartWorkers(s *stopper, f *Feed) {
	s.runWorker(func() { // want `goroutine never stops: the goroutine loops at line \d+ with no return, no break and no receive that ends it`
		for {
			f.refresh()
			time.Sleep(time.Second)
		}
	})
	s.runWorker(func() {
		for {
			select {
			case <-s.stop:
				return
			case <-time.After(time.Second):
				f.refresh()
			}
		}
	})
}
