// Package wire is a dependency of feeds that app reaches only through
// the API of feeds.
package wire

type Conn struct {
	Addr string
}

func (c *Conn) Send(b []byte) error { return nil }

func Dial(addr string) *Conn { return &Conn{Addr: addr} }

func helper() {}

const Version = 1

var Default = &Conn{}
