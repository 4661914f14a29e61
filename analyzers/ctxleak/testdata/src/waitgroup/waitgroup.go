// Package waitgroup holds the WaitGroup shapes ctxleak reports, each with
// its fixed twin that must stay quiet.
package waitgroup

import (
	"errors"
	"sync"
)

type Order struct{ ID string }

// Add inside the goroutine it counts.

func Fanout(orders []Order, send func(Order)) {
	var wg sync.WaitGroup
	for _, o := range orders {
		go func() {
			wg.Add(1) // want `wg.Add is called inside the goroutine it counts \(started at line 17\): wg.Wait can return before the goroutine is counted; call wg.Add before the go statement`
			defer wg.Done()
			send(o)
		}()
	}
	wg.Wait()
}

func FanoutFixed(orders []Order, send func(Order)) {
	var wg sync.WaitGroup
	for _, o := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			send(o)
		}()
	}
	wg.Wait()
}

// The Add need not be first.

func worker(wg *sync.WaitGroup, jobs <-chan Order, send func(Order)) {
	o := <-jobs
	wg.Add(1) // want `wg.Add is called inside the goroutine it counts`
	send(o)
	wg.Done()
}

func StartWorker(jobs <-chan Order, send func(Order)) {
	var wg sync.WaitGroup
	go worker(&wg, jobs, send)
	wg.Wait()
}

// A goroutine counted by its spawner that counts goroutines of its own.

func Nested(batches [][]Order, send func(Order)) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, b := range batches {
			for _, o := range b {
				wg.Add(1)
				go func() {
					defer wg.Done()
					send(o)
				}()
			}
		}
	}()
	wg.Wait()
}

// Done skipped on a path.

func Process(orders []Order, check func(Order) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(orders))
	for _, o := range orders {
		wg.Add(1)
		go func() {
			if err := check(o); err != nil {
				errs <- err
				return // want `wg.Done is skipped on the path through the return at line 83: wg.Wait never returns; defer wg.Done\(\) at the start of Process.func1`
			}
			wg.Done()
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func ProcessFixed(orders []Order, check func(Order) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(orders))
	for _, o := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := check(o); err != nil {
				errs <- err
				return
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// A return before the deferred Done.

func LateDefer(orders []Order, send func(Order)) {
	var wg sync.WaitGroup
	for _, o := range orders {
		wg.Add(1)
		go func() {
			if o.ID == "" {
				return // want `wg.Done is skipped on the path through the return`
			}
			defer wg.Done()
			send(o)
		}()
	}
	wg.Wait()
}

// Helpers that call Done for their caller.

func finish(wg *sync.WaitGroup) { // want finish:`done \[0\]`
	wg.Done()
}

func run(wg *sync.WaitGroup, f func() error) error { // want run:`done \[0\]`
	defer finish(wg)
	return f()
}

func Helpers(fs []func() error) {
	var wg sync.WaitGroup
	for _, f := range fs {
		wg.Add(1)
		go run(&wg, f)
	}
	wg.Wait()
}

func skipper(wg *sync.WaitGroup, o Order) error {
	if o.ID == "" {
		return errors.New("no id") // want `wg.Done is skipped on the path through the return at line 150`
	}
	finish(wg)
	return nil
}

func Skipping(orders []Order) {
	var wg sync.WaitGroup
	for _, o := range orders {
		wg.Add(1)
		go skipper(&wg, o)
	}
	wg.Wait()
}

// A loop that calls Done once per item is no one-shot Done.

func drain(wg *sync.WaitGroup, items <-chan Order, send func(Order)) {
	for o := range items {
		if o.ID == "" {
			continue
		}
		send(o)
		wg.Done()
	}
}

// Done on every exit of a select loop.

func loop(wg *sync.WaitGroup, stop <-chan struct{}, ticks <-chan int) { // want loop:`done \[0\]`
	for {
		select {
		case <-stop:
			wg.Done()
			return
		case <-ticks:
		}
	}
}

// Method values and generics.

type Pool[T any] struct {
	wg   sync.WaitGroup
	jobs chan T
}

func (p *Pool[T]) work(f func(T)) {
	for j := range p.jobs {
		f(j)
	}
	p.wg.Done()
}

func (p *Pool[T]) Start(n int, f func(T)) {
	for range n {
		p.wg.Add(1)
		go p.work(f)
	}
}

func (p *Pool[T]) StartBad(n int, f func(T)) {
	for range n {
		go func() {
			p.wg.Add(1) // want `p.wg.Add is called inside the goroutine it counts`
			defer p.wg.Done()
			for j := range p.jobs {
				f(j)
			}
		}()
	}
}

// A nil guard owes nothing when the receiver is nil.

type Stopper struct{ stop sync.WaitGroup }

func (s *Stopper) SetStopped() {
	if s != nil {
		s.stop.Done()
	}
}

// Wait inside the loop that starts what it waits for.
func initAll(plugins []string, start func(string)) {
	var group sync.WaitGroup
	group.Add(len(plugins))
	for _, p := range plugins {
		go func(p string) {
			defer group.Done()
			start(p)
		}(p)
		group.Wait() // want `Wait inside the loop at line \d+ waits for every goroutine counted by the Add at line \d+, but the loop has started only one so far`
	}
}

// One at a time, counted one at a time: quiet.
func initEach(plugins []string, start func(string)) {
	var group sync.WaitGroup
	for _, p := range plugins {
		group.Add(1)
		go func(p string) {
			defer group.Done()
			start(p)
		}(p)
		group.Wait()
	}
}

// Waited after the loop: quiet.
func initAllFixed(plugins []string, start func(string)) {
	var group sync.WaitGroup
	group.Add(len(plugins))
	for _, p := range plugins {
		go func(p string) {
			defer group.Done()
			start(p)
		}(p)
	}
	group.Wait()
}
