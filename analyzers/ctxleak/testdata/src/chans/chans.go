// Package chans holds the stranded sender and receiver shapes and their
// fixed twins.
package chans

import (
	"context"
	"errors"
	"time"
)

func fetch() (int, error) { return 1, nil }

// The single sender, the parent selecting with ctx.Done().
func timeout(ctx context.Context) (int, error) {
	results := make(chan int)
	go func() {
		v, _ := fetch()
		results <- v // want `send on results blocks forever when timeout returns through ctx\.Done\(\) at line 22 first: the goroutine started at line 16 leaks; make results buffered \(make\(chan int, 1\)\) or send in a select with ctx\.Done\(\)`
	}()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case v := <-results:
		return v, nil
	}
}

// Fixed: a buffer of one.
func timeoutBuffered(ctx context.Context) (int, error) {
	results := make(chan int, 1)
	go func() {
		v, _ := fetch()
		results <- v
	}()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case v := <-results:
		return v, nil
	}
}

// Fixed: the send gives up with the parent.
func timeoutSelectSend(ctx context.Context) (int, error) {
	results := make(chan int)
	go func() {
		v, _ := fetch()
		select {
		case results <- v:
		case <-ctx.Done():
		}
	}()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case v := <-results:
		return v, nil
	}
}

// Two channels, one per outcome, and time.After.
func finish(timeout time.Duration, fn func() error) {
	ch := make(chan bool)
	errCh := make(chan error)
	go func() {
		if err := fn(); err != nil {
			errCh <- err // want `send on errCh blocks forever when finish returns through time\.After\(timeout\) at line 77 first: the goroutine started at line 65 leaks; make errCh buffered \(make\(chan error, 1\)\) or send in a select with a done channel`
		} else {
			ch <- true // want `send on ch blocks forever when finish returns through time\.After\(timeout\) at line 77 first: the goroutine started at line 65 leaks; make ch buffered \(make\(chan bool, 1\)\) or send in a select with a done channel`
		}
	}()
	select {
	case <-ch:
	case <-errCh:
	case <-time.After(timeout):
	}
}

// A named function started as the goroutine, the channel its argument.
func worker(out chan<- error) {
	out <- errors.New("done") // want `send on done blocks forever when named returns through ctx.Done\(\)`
}

func named(ctx context.Context) error {
	done := make(chan error)
	go worker(done)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Many senders, the parent returning on the first error.
func fanOut(items []int) error {
	errc := make(chan error)
	for _, it := range items {
		go func() {
			_, err := fetchItem(it)
			errc <- err // want `send on errc blocks forever when fanOut returns at line 106 before receiving every value: the goroutines started at line 99 leak; receive every value before returning, buffer errc for every send or send in a select with a done channel`
		}()
	}
	for range items {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

func fetchItem(int) (int, error) { return 0, nil }

// Fixed: every result is received.
func fanOutDrain(items []int) error {
	errc := make(chan error)
	for _, it := range items {
		go func() {
			_, err := fetchItem(it)
			errc <- err
		}()
	}
	var first error
	for range items {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Fixed: a buffer for every sender (not a constant: quiet).
func fanOutBuffered(items []int) error {
	errc := make(chan error, len(items))
	for _, it := range items {
		go func() {
			_, err := fetchItem(it)
			errc <- err
		}()
	}
	for range items {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// The first answer wins, the others are stranded.
func first(servers []string) int {
	c := make(chan int)
	for _, s := range servers {
		go func() { c <- len(s) }() // want `send on c blocks forever when first returns at line 155 before receiving every value: the goroutines started at line 153 leak; receive every value before returning, buffer c for every send or send in a select with a done channel`
	}
	return <-c
}

// A consumer breaking out of a range while the producer still sends.
func consumer(items []int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, it := range items {
			ch <- it // want `send on ch blocks forever when consumer returns at line 174 before receiving every value: the goroutine started at line 161 leaks; receive every value before returning, buffer ch for every send or send in a select with a done channel`
		}
	}()
	sum := 0
	for v := range ch {
		if v < 0 {
			break
		}
		sum += v
	}
	return sum
}

// Fixed: the producer gives up when told to.
func consumerDone(items []int) int {
	ch := make(chan int)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(ch)
		for _, it := range items {
			select {
			case ch <- it:
			case <-done:
				return
			}
		}
	}()
	sum := 0
	for v := range ch {
		if v < 0 {
			break
		}
		sum += v
	}
	return sum
}

// Fixed: the consumer reads to the end.
func consumerAll(items []int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, it := range items {
			ch <- it
		}
	}()
	sum := 0
	for v := range ch {
		if v > 0 {
			sum += v
		}
	}
	return sum
}

// A goroutine waiting for a signal nothing sends.
func neverSignalled() {
	stop := make(chan struct{})
	go func() {
		<-stop // want `receive from stop blocks forever: nothing sends on or closes stop, so the goroutine started at line 223 leaks; close stop when the goroutine should stop`
	}()
}

// Fixed: defer close.
func signalled() {
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		<-stop
	}()
}

// A worker ranging over jobs nobody closes.
func jobs(items []int) error {
	jobs := make(chan int)
	go func() {
		for j := range jobs { // want `range over jobs never ends: nothing closes jobs, so the goroutine started at line 240 blocks forever once jobs returns at line 248; close jobs after the last send`
			_ = j
		}
	}()
	for _, it := range items {
		jobs <- it
	}
	return nil
}

// Fixed: closed after the last send.
func jobsClosed(items []int) error {
	jobs := make(chan int)
	go func() {
		for j := range jobs {
			_ = j
		}
	}()
	for _, it := range items {
		jobs <- it
	}
	close(jobs)
	return nil
}

// Each round starts one sender and receives from it: paired.
func pairedRounds(n int) {
	c := make(chan bool)
	for i := 0; i < n; i++ {
		go func() { c <- true }()
		<-c
	}
}

// Three senders, three receives.
func counted() {
	done := make(chan bool)
	go func() { done <- true }()
	go func() { done <- true }()
	go func() { done <- true }()
	<-done
	<-done
	<-done
}

func consume(ch chan int) {}

// Handed to a function out of sight: quiet.
func unknownCallee(ctx context.Context, use func(chan int)) error {
	results := make(chan int)
	go func() { results <- 1 }()
	use(results)
	select {
	case <-results:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type holder struct{ ch chan int }

// Stored in a struct: quiet.
func stored(ctx context.Context, h *holder) error {
	results := make(chan int)
	h.ch = results
	go func() { results <- 1 }()
	select {
	case <-results:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Returned: quiet.
func returned() <-chan int {
	results := make(chan int)
	go func() { results <- 1 }()
	return results
}

// Generics: the element is a type parameter.
func firstOf[T any](ctx context.Context, get func() T) (T, error) {
	out := make(chan T)
	go func() {
		out <- get() // want `send on out blocks forever when firstOf returns through ctx.Done\(\) at line \d+ first`
	}()
	select {
	case v := <-out:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func useFirstOf(ctx context.Context) {
	_, _ = firstOf(ctx, func() int { return 1 })
}

type client struct{ n int }

func (c *client) produce(out chan<- int) {
	out <- c.n // want `send on out blocks forever when methodValue returns through ctx.Done\(\) at line \d+ first`
}

// A method value started as the goroutine.
func methodValue(ctx context.Context, c *client) error {
	out := make(chan int)
	f := c.produce
	go f(out)
	select {
	case <-out:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// A select with many cases, the result's among them.
func manyCases(ctx context.Context, a, b, d <-chan int, t *time.Ticker) int {
	res := make(chan int)
	go func() {
		res <- 1 // want `send on res blocks forever when manyCases returns through a at line \d+ first`
	}()
	n := 0
	for {
		select {
		case v := <-a:
			return v
		case <-b:
			n++
		case <-d:
			n--
		case <-t.C:
		case v := <-res:
			return v + n
		}
	}
}

// Fixed: the sender gives up with ctx in a select of many cases.
func manyCasesQuiet(ctx context.Context, a, b <-chan int) int {
	res := make(chan int)
	go func() {
		select {
		case res <- 1:
		case <-ctx.Done():
		case <-a:
		}
	}()
	select {
	case v := <-b:
		return v
	case v := <-res:
		return v
	case <-ctx.Done():
		return 0
	}
}

// Fixed: the timeout branch drains the result.
func drainOnTimeout(ctx context.Context) int {
	res := make(chan int)
	go func() { res <- 1 }()
	select {
	case v := <-res:
		return v
	case <-ctx.Done():
		<-res
		return 0
	}
}

// Workers started in a loop, fed and closed: quiet.
func pool(items []int) {
	jobs := make(chan int)
	for i := 0; i < 4; i++ {
		go func() {
			for j := range jobs {
				_ = j
			}
		}()
	}
	for _, it := range items {
		jobs <- it
	}
	close(jobs)
}

// A fresh channel and a sender each round, the round given up on stop.
func probe(stop chan bool, n int) {
	for i := 0; i < n; i++ {
		results := make(chan bool)
		go func() {
			results <- true // want `send on results blocks forever when probe returns through stop at line \d+ first: the goroutine started at line \d+ leaks; make results buffered`
		}()
		select {
		case <-stop:
			return
		case <-results:
		}
	}
}
