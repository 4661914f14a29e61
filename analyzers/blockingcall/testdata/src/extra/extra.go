package extra

import (
	"context"

	"legacyrpc"
)

func settle(ctx context.Context, c *legacyrpc.Client) {
	legacyrpc.Call("settle") // want `legacyrpc.Call blocks without a context while ctx is in scope`
	c.Invoke("settle")       // want `\(\*legacyrpc.Client\).Invoke blocks without a context while ctx is in scope`
	_ = c.Name()
}

func relay(c *legacyrpc.Client) { c.Invoke("relay") }

func worker(c *legacyrpc.Client) {
	go relay(c) // want `extra.relay blocks without a context \(extra.relay → \(\*legacyrpc.Client\).Invoke\) in the goroutine started here`
}
