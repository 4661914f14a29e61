// Package cond waits on condition variables.
package cond

import "sync"

type plugin struct {
	activate *sync.Cond
	active   bool
}

func newPlugin() *plugin { return &plugin{activate: sync.NewCond(&sync.Mutex{})} }

// Nothing ever signals activate.
func (p *plugin) waitActive() {
	p.activate.L.Lock()
	for !p.active {
		p.activate.Wait() // want `Wait on field activate of plugin blocks forever: nothing in this package calls Signal or Broadcast on it`
	}
	p.activate.L.Unlock()
}

// The fixed twin broadcasts when it changes.
type queue struct {
	mu    sync.Mutex
	ready sync.Cond
	items []int
}

func newQueue() *queue {
	q := &queue{}
	q.ready.L = &q.mu
	return q
}

func (q *queue) put(v int) { // want put:"locks 0.mu"
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.ready.Broadcast()
}

func (q *queue) take() int { // want take:"locks 0.mu"
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.ready.Wait()
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

// Handed to a function: it may signal it.
type gate struct{ open *sync.Cond }

func newGate(register func(*sync.Cond)) *gate {
	g := &gate{open: sync.NewCond(&sync.Mutex{})}
	register(g.open)
	return g
}

func (g *gate) wait() {
	g.open.L.Lock()
	g.open.Wait()
	g.open.L.Unlock()
}
