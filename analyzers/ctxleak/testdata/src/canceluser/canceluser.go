package canceluser

import (
	"context"

	"cancelfacts"
)

func a(ctx context.Context) {
	ctx, cancel := cancelfacts.Budget(ctx) // want `the cancel function returned by cancelfacts.Budget is discarded`
	<-ctx.Done()
	_ = cancel
}

func b(ctx context.Context) {
	ctx, cancel := cancelfacts.Budget(ctx)
	defer cancelfacts.Release(cancel)
	<-ctx.Done()
}

func c(ctx context.Context, k *cancelfacts.Keeper) {
	_, cancel := context.WithCancel(ctx)
	k.Keep(cancel)
}

func d(ctx context.Context) {
	_, cancel := context.WithCancel(ctx)
	cancelfacts.Log(cancel)
}
