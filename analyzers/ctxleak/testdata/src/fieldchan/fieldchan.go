// Package fieldchan holds channels kept in fields that nothing completes.
package fieldchan

import (
	"context"
	"errors"
)

type watcher struct {
	results chan bool
	errs    chan error
	stop    chan struct{}
}

func newWatcher() *watcher {
	return &watcher{results: make(chan bool), errs: make(chan error), stop: make(chan struct{})}
}

// Nothing receives from results.
func (w *watcher) run() {
	select {
	case err := <-w.errs:
		w.results <- err == nil // want `send on field results of watcher blocks forever: nothing in this package receives from it`
	case <-w.stop:
	}
}

func (w *watcher) fail() {
	w.errs <- errors.New("boom")
}

func (w *watcher) Stop() { close(w.stop) }

type buffer struct {
	c chan []byte
}

func (b *buffer) get() <-chan []byte { return b.c }

func newBuffer() *buffer { return &buffer{c: make(chan []byte)} }

// Nothing sends on c, through its getter or otherwise.
func (b *buffer) read() []byte {
	select {
	case p := <-b.get(): // want `receive from field c of buffer blocks forever: nothing in this package sends on or closes it`
		return p
	}
}

// Handed to a function: given up on.
type relay struct{ out chan int }

func newRelay(sink func(chan int)) *relay {
	r := &relay{out: make(chan int)}
	sink(r.out)
	return r
}

func (r *relay) next() int { return <-r.out }

// Assigned from a parameter: someone else may use it.
type client struct{ in chan string }

func newClient(in chan string) *client { return &client{in: in} }

func (c *client) recv() string { return <-c.in }

// Buffered: a send does not wait.
type notifier struct{ kick chan struct{} }

func newNotifier() *notifier { return &notifier{kick: make(chan struct{}, 1)} }

func (n *notifier) notify() { n.kick <- struct{}{} }

// Sent and received: fine.
type pipe struct{ ch chan int }

func newPipe() *pipe { return &pipe{ch: make(chan int)} }

func (p *pipe) put(v int) { p.ch <- v }
func (p *pipe) take() int { return <-p.ch }

// Exported field: other packages may use it.
type Bus struct{ Events chan string }

func NewBus() *Bus { return &Bus{Events: make(chan string)} }

func (b *Bus) Wait() string { return <-b.Events }

// A receive in a select with another way out is not stuck.
type ticker struct {
	never chan int
	quit  chan struct{}
}

func newTicker() *ticker { return &ticker{never: make(chan int), quit: make(chan struct{})} }

func (t *ticker) loop() {
	select {
	case <-t.never:
	case <-t.quit:
	}
}

func (t *ticker) close() { close(t.quit) }

// A service goroutine that can stop; its callers wait on it alone.
type node struct {
	status chan chan int
	stop   chan struct{}
	done   chan struct{}
}

func newNode() *node {
	n := &node{status: make(chan chan int), stop: make(chan struct{}), done: make(chan struct{})}
	go n.run()
	return n
}

func (n *node) run() {
	for {
		select {
		case c := <-n.status:
			c <- 1
		case <-n.stop:
			close(n.done)
			return
		}
	}
}

func (n *node) Status() int {
	c := make(chan int, 1)
	n.status <- c // want `send on field status of node blocks forever once \(\*node\)\.run, the goroutine that receives it, has returned \(it can, at line \d+\)`
	return <-c
}

// The fixed twin watches done as well.
func (n *node) StatusFixed() (int, bool) {
	c := make(chan int, 1)
	select {
	case n.status <- c:
		return <-c, true
	case <-n.done:
		return 0, false
	}
}

func (n *node) Stop() { close(n.stop) }

// A loop that never returns serves for ever: sends are answered.
type server struct{ reqs chan int }

func newServer() *server {
	s := &server{reqs: make(chan int)}
	go s.serve()
	return s
}

func (s *server) serve() {
	for v := range s.reqs {
		_ = v
	}
}

func (s *server) submit(v int) { s.reqs <- v }

// Nothing drains events: its buffer fills up in the loop.
type cacheWatcher struct {
	events chan int
	input  chan int
}

func newCacheWatcher(size int, initial []int) *cacheWatcher {
	w := &cacheWatcher{events: make(chan int, size), input: make(chan int, size)}
	go w.process(initial)
	return w
}

func (w *cacheWatcher) process(initial []int) {
	for _, e := range initial {
		w.send(e)
	}
	for range w.input {
	}
}

func (w *cacheWatcher) send(e int) {
	w.events <- e // want `send on field events of cacheWatcher blocks forever: nothing in this package receives from it`
}

func (w *cacheWatcher) add(e int) { w.input <- e }

func (w *cacheWatcher) stop() { close(w.input) }

// Buffered, sent once, never drained: a latch, quiet.
type latch struct{ fired chan struct{} }

func newLatch() *latch { return &latch{fired: make(chan struct{}, 1)} }

func (l *latch) fire() { l.fired <- struct{}{} }

// The reply channel is also kept in a variable and received from there.
type seqReq struct {
	symbol string
	out    chan uint64
}

type sequencer struct{ reqs chan seqReq }

func (s *sequencer) serve() { // want serve:"never returns"
	n := uint64(0)
	for {
		r := <-s.reqs
		n++
		r.out <- n
	}
}

func (s *sequencer) next(symbol string) uint64 {
	out := make(chan uint64, 1)
	s.reqs <- seqReq{symbol: symbol, out: out}
	return <-out
}

func newSequencer() *sequencer {
	s := &sequencer{reqs: make(chan seqReq)}
	//asynclint:daemon the sequencer numbers orders for the life of the process
	go s.serve()
	return s
}

// Handed out receive-only: others may wait on it, nobody else can close
// it, and nothing here does.
type stopper struct{ quiesce chan struct{} }

func newStopper() *stopper { return &stopper{quiesce: make(chan struct{})} }

func (s *stopper) ShouldQuiesce() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.quiesce
}

func (s *stopper) wait() {
	<-s.ShouldQuiesce() // want `receive from field quiesce of stopper blocks forever: nothing in this package sends on or closes it`
}

// Handed out receive-only, and closed here: quiet.
type closer struct{ done chan struct{} }

func newCloser() *closer { return &closer{done: make(chan struct{})} }

func (c *closer) Done() <-chan struct{} { return c.done }

func (c *closer) Close() { close(c.done) }

func (c *closer) wait() { <-c.Done() }

// Handed out receive-only with sends and no receiver here: others may
// receive, quiet.
type feed struct{ ticks chan int }

func newFeed() *feed { return &feed{ticks: make(chan int)} }

func (f *feed) Ticks() <-chan int { return f.ticks }

func (f *feed) publish(v int) { f.ticks <- v }

// A loop started through a runner that calls it on a goroutine.
type worker struct{ stop chan struct{} }

func (w *worker) start(run func(stop <-chan struct{})) {
	go func() {
		run(w.stop)
	}()
}

type strategy struct {
	resets chan struct{}
	w      *worker
}

func newStrategy() *strategy {
	s := &strategy{resets: make(chan struct{}), w: &worker{stop: make(chan struct{})}}
	s.w.start(func(stop <-chan struct{}) {
		for {
			select {
			case <-s.resets:
			case <-stop:
				return
			}
		}
	})
	return s
}

func (s *strategy) onChange() {
	s.resets <- struct{}{} // want `send on field resets of strategy blocks forever once newStrategy.func1, the goroutine that receives it, has returned`
}

// A service loop whose only way out is a context that is never done.
type counter struct{ incs chan int }

func (c *counter) run(ctx context.Context) {
	n := 0
	for {
		select {
		case v := <-c.incs:
			n += v
		case <-ctx.Done():
			return
		}
	}
}

func newCounter() *counter {
	c := &counter{incs: make(chan int)}
	//asynclint:daemon counts for the life of the process
	go c.run(context.Background())
	return c
}

func (c *counter) inc() { c.incs <- 1 }
