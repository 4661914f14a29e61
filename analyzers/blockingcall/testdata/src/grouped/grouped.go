package grouped

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"
)

type Maker struct{}

func (m *Maker) quote(ctx context.Context) error     { return nil }
func (m *Maker) cancelAll(ctx context.Context) error { return nil }

// Once Wait returns the group's context is cancelled: the cancel-all on the
// way out needs a fresh one.
func (m *Maker) Run(ctx context.Context) error { // want Run:"blocks: .*; ctx inside"
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return m.quote(gctx) })
	err := g.Wait()
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m.cancelAll(cctx)
	return err
}
