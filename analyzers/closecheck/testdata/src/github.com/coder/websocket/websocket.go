// Package websocket mimics the parts of github.com/coder/websocket's API
// closecheck knows: Dial returns a connection to release and a handshake
// response that is none.
package websocket

import (
	"context"
	"net"
	"net/http"
)

type Conn struct{ rc net.Conn }

type DialOptions struct{ HTTPClient *http.Client }

type AcceptOptions struct{}

type MessageType int

func Dial(ctx context.Context, u string, opts *DialOptions) (*Conn, *http.Response, error) {
	resp := &http.Response{StatusCode: http.StatusSwitchingProtocols}
	return &Conn{}, resp, nil
}

func Accept(w http.ResponseWriter, r *http.Request, opts *AcceptOptions) (*Conn, error) {
	return &Conn{}, nil
}

func NetConn(ctx context.Context, c *Conn, typ MessageType) net.Conn { return nil }

func (c *Conn) Close(code int, reason string) error { return nil }

func (c *Conn) CloseNow() error { return nil }

func (c *Conn) Read(ctx context.Context) (MessageType, []byte, error) { return 0, nil, nil }
