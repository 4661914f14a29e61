// Package fieldchan holds channels kept in fields that nothing completes.
package fieldchan

import "errors"

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
