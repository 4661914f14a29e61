// A service loop started as the process starts serves until it ends.
package main

import (
	"context"
	"time"
)

type metrics struct{ incs chan int }

func (m *metrics) run(ctx context.Context) {
	total := 0
	for {
		select {
		case n := <-m.incs:
			total += n
		case <-ctx.Done():
			return
		}
	}
}

func (m *metrics) inc() { m.incs <- 1 }

func start() *metrics {
	m := &metrics{incs: make(chan int)}
	go m.run(context.Background())
	return m
}

func main() { // want main:"never returns"
	m := start()
	for {
		m.inc()
		time.Sleep(time.Second)
	}
}
