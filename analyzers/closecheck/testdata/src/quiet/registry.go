package quiet

import (
	"container/list"
	"context"
	"net"
	"sync"
	"sync/atomic"
)

type ctxKey struct{}

// Registries of the standard library own the connections put in them.
type Registry struct {
	conns sync.Map
	last  atomic.Pointer[net.Conn]
	any   atomic.Value
	queue list.List
}

func (r *Registry) Add(id string, l net.Listener) error {
	c, err := l.Accept()
	if err != nil {
		return err
	}
	r.conns.Store(id, c)
	return nil
}

func (r *Registry) AddOnce(id string, l net.Listener) error {
	c, err := l.Accept()
	if err != nil {
		return err
	}
	r.conns.LoadOrStore(id, c)
	return nil
}

func (r *Registry) Latest(l net.Listener) error {
	c, err := l.Accept()
	if err != nil {
		return err
	}
	r.last.Store(&c)
	return nil
}

func (r *Registry) Value(l net.Listener) error {
	c, err := l.Accept()
	if err != nil {
		return err
	}
	r.any.Store(c)
	return nil
}

func (r *Registry) Queue(l net.Listener) error {
	c, err := l.Accept()
	if err != nil {
		return err
	}
	r.queue.PushBack(c)
	return nil
}

func WithConn(ctx context.Context, l net.Listener) (context.Context, error) { // want WithConn:"result 0 is param 0"
	c, err := l.Accept()
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, ctxKey{}, c), nil
}
