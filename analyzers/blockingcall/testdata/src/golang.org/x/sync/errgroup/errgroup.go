// Package errgroup mimics golang.org/x/sync/errgroup's API.
package errgroup

import "sync"

type Group struct{ wg sync.WaitGroup }

func (g *Group) Go(f func() error) {
	g.wg.Add(1)
	go func() { defer g.wg.Done(); f() }()
}

func (g *Group) Wait() error { g.wg.Wait(); return nil }
