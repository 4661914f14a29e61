// Package legacyrpc stands for a cgo or vendored client whose blocking the
// analyzer cannot see: users name its calls with -blockingcall.funcs.
package legacyrpc

type Client struct{}

func Call(method string) error               { return nil }
func (c *Client) Invoke(method string) error { return nil }
func (c *Client) Name() string               { return "rpc" }
