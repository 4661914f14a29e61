// Package lockorder takes mutexes in opposite orders.
package lockorder

import "sync"

type lease struct {
	mu sync.Mutex
	id int
}

type nameCache struct {
	mu     sync.Mutex
	tables map[int]*lease
}

// get holds the cache, then a lease.
func (c *nameCache) get(id int) { // want get:"locks 0.mu"
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.tables[id]
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
}

func (c *nameCache) remove(l *lease) { // want remove:"locks 0.mu"
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.tables, l.id)
}

// release holds a lease, then (through remove) the cache.
func release(c *nameCache, l *lease) { // want release:"locks 0.mu; locks 1.mu"
	l.mu.Lock()
	defer l.mu.Unlock()
	c.remove(l) // want `release locks field mu of nameCache \(through \(\*nameCache\)\.remove\) while holding field mu of lease \(locked at line 36\), but \(\*nameCache\)\.get locks them the other way round \(line 24\)`
}

// The same order everywhere: quiet.
type account struct {
	mu  sync.Mutex
	bal int
}

type ledger struct {
	mu      sync.Mutex
	entries []int
}

func post(l *ledger, a *account) { // want post:"locks 0.mu; locks 1.mu"
	l.mu.Lock()
	defer l.mu.Unlock()
	a.mu.Lock()
	a.bal++
	a.mu.Unlock()
}

func audit(l *ledger, a *account) { // want audit:"locks 0.mu; locks 1.mu"
	l.mu.Lock()
	a.mu.Lock()
	a.mu.Unlock()
	l.mu.Unlock()
}

// Two instances of one field: not two mutexes by this rule.
func transfer(from, to *account) { // want transfer:"locks 0.mu; locks 1.mu"
	from.mu.Lock()
	defer from.mu.Unlock()
	to.mu.Lock()
	defer to.mu.Unlock()
}

// Readers on both sides do not wait for each other.
type index struct {
	mu sync.RWMutex
}

type store struct {
	mu sync.RWMutex
}

func lookup(i *index, s *store) { // want lookup:"locks 0.mu \\(read\\); locks 1.mu \\(read\\)"
	i.mu.RLock()
	defer i.mu.RUnlock()
	s.mu.RLock()
	s.mu.RUnlock()
}

func scan(i *index, s *store) { // want scan:"locks 0.mu \\(read\\); locks 1.mu \\(read\\)"
	s.mu.RLock()
	defer s.mu.RUnlock()
	i.mu.RLock()
	i.mu.RUnlock()
}

// Both orders under one gate: they cannot interleave.
type gate struct{ mu sync.Mutex }

type left struct{ mu sync.Mutex }

type right struct{ mu sync.Mutex }

func lr(g *gate, l *left, r *right) { // want lr:"locks 0.mu; locks 1.mu; locks 2.mu"
	g.mu.Lock()
	defer g.mu.Unlock()
	l.mu.Lock()
	r.mu.Lock()
	r.mu.Unlock()
	l.mu.Unlock()
}

func rl(g *gate, l *left, r *right) { // want rl:"locks 0.mu; locks 1.mu; locks 2.mu"
	g.mu.Lock()
	defer g.mu.Unlock()
	r.mu.Lock()
	l.mu.Lock()
	l.mu.Unlock()
	r.mu.Unlock()
}

// Two halves of one type, each with its own mutex: in then handshake on
// one path, handshake then out on the other, no inversion.
type half struct {
	sync.Mutex
	buf []byte
}

type conn struct {
	in, out   half
	handshake sync.Mutex
}

func (h *half) flush() { // want flush:"locks 0.Mutex"
	h.Lock()
	h.buf = nil
	h.Unlock()
}

func (c *conn) read() { // want read:"locks 0.handshake; locks 0.in.Mutex"
	c.in.Lock()
	defer c.in.Unlock()
	c.renegotiate()
}

func (c *conn) renegotiate() { // want renegotiate:"locks 0.handshake"
	c.handshake.Lock()
	defer c.handshake.Unlock()
}

func (c *conn) handshakeNow() { // want handshakeNow:"locks 0.handshake; locks 0.out.Mutex"
	c.handshake.Lock()
	defer c.handshake.Unlock()
	c.out.Lock()
	c.out.Unlock()
}
