package engine

import "sync"

// A mailbox holds the latest value put in it until it is taken: a producer
// that must not wait hands a consumer that may be busy only the newest
// state, never a backlog.
type mailbox[T any] struct {
	ready chan struct{} // has a token while a value waits

	mu  sync.Mutex
	v   T
	has bool
}

func newMailbox[T any]() *mailbox[T] {
	return &mailbox[T]{ready: make(chan struct{}, 1)}
}

// put replaces the waiting value, if any, with v. It never blocks.
func (m *mailbox[T]) put(v T) {
	m.mu.Lock()
	m.v, m.has = v, true
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default: // a token is waiting already
	}
}

// take returns the waiting value, and false if there is none.
func (m *mailbox[T]) take() (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.v, m.has
	var zero T
	m.v, m.has = zero, false
	return v, ok
}
