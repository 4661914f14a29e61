// Package locks holds the mutex shapes ctxleak reports, each with its
// fixed twin that must stay quiet.
package locks

import (
	"errors"
	"sync"
)

type Cache struct {
	mu    sync.Mutex
	items map[string]int
	open  bool
}

// Missing unlock: an early return between Lock and Unlock.

func (c *Cache) Get(k string) (int, bool) { // want Get:`locks 0\.mu`
	c.mu.Lock() // want `c.mu is not unlocked on the path through the return at line 22: the next Lock blocks forever; defer c.mu.Unlock\(\) right after Lock`
	v, ok := c.items[k]
	if !ok {
		return 0, false
	}
	c.mu.Unlock()
	return v, true
}

func (c *Cache) GetDeferred(k string) (int, bool) { // want GetDeferred:`locks 0\.mu`
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[k]
	if !ok {
		return 0, false
	}
	return v, true
}

func (c *Cache) GetEveryPath(k string) (int, bool) { // want GetEveryPath:`locks 0\.mu`
	c.mu.Lock()
	v, ok := c.items[k]
	if !ok {
		c.mu.Unlock()
		return 0, false
	}
	c.mu.Unlock()
	return v, true
}

// Embedded mutex, read lock.

type Book struct {
	sync.RWMutex
	bids map[float64]float64
}

func (b *Book) Best() (float64, error) { // want Best:`locks 0\.RWMutex \(read\)`
	b.RLock() // want `b is not read-unlocked on the path through the return at line 59: the next Lock blocks forever; defer b.RUnlock\(\) right after RLock`
	if len(b.bids) == 0 {
		return 0, errors.New("empty")
	}
	var best float64
	for p := range b.bids {
		best = max(best, p)
	}
	b.RUnlock()
	return best, nil
}

func (b *Book) BestFixed() (float64, error) { // want BestFixed:`locks 0\.RWMutex \(read\)`
	b.RLock()
	defer b.RUnlock()
	if len(b.bids) == 0 {
		return 0, errors.New("empty")
	}
	return 1, nil
}

// A lock taken under a condition and released under the same condition.

func (c *Cache) MaybeLocked(lock bool) int {
	if lock {
		c.mu.Lock()
	}
	n := len(c.items)
	if lock {
		c.mu.Unlock()
	}
	return n
}

// Lock helpers: lock() leaves it held, unlock() releases it.

func (c *Cache) lock()   { c.mu.Lock() }   // want lock:`holds 0.mu`
func (c *Cache) unlock() { c.mu.Unlock() } // want unlock:`unlocks 0.mu`

func (c *Cache) Len() int { // want Len:`locks 0\.mu`
	c.lock()
	defer c.unlock()
	return len(c.items)
}

func (c *Cache) Put(k string, v int) { // want Put:`locks 0\.mu`
	c.lock() // want `c.mu \(locked by \(\*Cache\).lock\) is not unlocked on the path through the return`
	if v < 0 {
		return
	}
	c.items[k] = v
	c.unlock()
}

// A loop that breaks out with the lock held, and one that continues.

func (c *Cache) WaitOpen() { // want WaitOpen:`holds 0\.mu`
	for {
		c.mu.Lock() // want `c.mu is not unlocked on the path through the end of`
		if c.open {
			break
		}
		c.mu.Unlock()
	}
}

func (c *Cache) Retry(try func() error) { // want Retry:`locks 0\.mu`
	for i := 0; i < 3; i++ {
		c.mu.Lock() // want `c.mu is not unlocked before the loop comes round to lock it again`
		if err := try(); err != nil {
			continue
		}
		if i == 0 {
			break
		}
	}
	c.mu.Unlock()
}

// TryLock: only the successful branch holds the lock.

func (c *Cache) TryLen() int {
	if !c.mu.TryLock() {
		return -1
	}
	defer c.mu.Unlock()
	return len(c.items)
}

// Double locking, directly and through a callee.

type Server struct {
	mu    sync.Mutex
	drain bool
}

func (s *Server) Stop() { // want Stop:`locks 0\.mu`
	s.mu.Lock()
	if s.drain {
		s.mu.Lock() // want `s.mu is locked again while this goroutine already holds it \(locked at line 154\): Lock blocks forever`
		return
	}
	s.drain = true
	s.mu.Unlock()
}

func (s *Server) flush() { // want flush:`locks 0.mu`
	s.mu.Lock()
	defer s.mu.Unlock()
}

func (s *Server) Close() { // want Close:`locks 0\.mu`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flush() // want `s.mu is locked again by \(\*Server\).flush while this goroutine already holds it \(locked at line 169\): \(\*Server\).Close → \(\*Server\).flush → s.mu.Lock blocks forever`
}

func (s *Server) closeAndFlush() { // want closeAndFlush:`locks 0.mu`
	s.flush()
}

func (s *Server) Shutdown() { // want Shutdown:`locks 0\.mu`
	s.mu.Lock()
	s.drain = true
	s.mu.Unlock()
	s.closeAndFlush()
}

func (s *Server) ShutdownBad() { // want ShutdownBad:`locks 0\.mu`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeAndFlush() // want `\(\*Server\).ShutdownBad → \(\*Server\).closeAndFlush → \(\*Server\).flush → s.mu.Lock blocks forever`
}

// A function that releases the lock and takes it again is no double lock
// for its caller.

func (s *Server) waitUnlocked() { // want waitUnlocked:`holds 0.mu; unlocks 0.mu`
	s.mu.Unlock()
	s.mu.Lock()
}

func (s *Server) Drain() { // want Drain:`locks 0\.mu`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waitUnlocked()
	s.drain = true
}

// A flag that says the caller holds the lock.

func (s *Server) state(locked bool) bool {
	if !locked {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	return s.drain
}

func (s *Server) Toggle() { // want Toggle:`locks 0\.mu`
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drain = !s.state(true)
}

// RWMutex: recursive read locks and upgrades.

type Registry struct {
	mu   sync.RWMutex
	subs map[string]int
}

func (r *Registry) String() string { // want String:`locks 0.mu \(read\)`
	r.mu.RLock()
	defer r.mu.RUnlock()
	return "registry"
}

func (r *Registry) Dump() string { // want Dump:`locks 0\.mu \(read\)`
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.String() // want `r.mu is read-locked again by \(\*Registry\).String while this goroutine already holds a read lock on it`
}

func (r *Registry) Upgrade(k string) { // want Upgrade:`locks 0\.mu; locks 0\.mu \(read\)`
	r.mu.RLock()
	if _, ok := r.subs[k]; ok {
		r.mu.RUnlock()
		return
	}
	r.mu.Lock() // want `r.mu is locked while this goroutine holds a read lock on it \(read-locked at line 242\)`
	r.subs[k] = 1
	r.mu.Unlock()
	r.mu.RUnlock()
}

func (r *Registry) UpgradeFixed(k string) { // want UpgradeFixed:`locks 0\.mu \(read\)`
	r.mu.RLock()
	_, ok := r.subs[k]
	r.mu.RUnlock()
	if ok {
		return
	}
	r.mu.Lock()
	r.subs[k] = 1
	r.mu.Unlock()
}

func (r *Registry) clear() { // want clear:`locks 0.mu`
	r.mu.Lock()
	clear(r.subs)
	r.mu.Unlock()
}

func (r *Registry) Reset() { // want Reset:`locks 0\.mu; locks 0\.mu \(read\)`
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notify() // want `r.mu is read-locked by \(\*Registry\).notify while this goroutine holds its write lock`
}

func (r *Registry) notify() { // want notify:`locks 0.mu \(read\)`
	r.mu.RLock()
	r.mu.RUnlock()
}

func (r *Registry) Rebuild() { // want Rebuild:`locks 0\.mu \(read\)`
	r.mu.RLock()
	n := len(r.subs)
	r.mu.RUnlock()
	if n > 10 {
		r.clear()
	}
}

// Mutexes of unknown identity: slice and map elements.

type Shards struct {
	locks []sync.Mutex
	byKey map[string]*sync.Mutex
}

func (s *Shards) Both(i, j int) {
	s.locks[i].Lock()
	s.locks[j].Lock()
	s.locks[j].Unlock()
	s.locks[i].Unlock()
}

func (s *Shards) Key(k string) {
	m := s.byKey[k]
	m.Lock()
	if k == "" {
		return
	}
	m.Unlock()
}

// Closures see their bindings; method values are their methods.

func (c *Cache) Closure() { // want Closure:`locks 0\.mu`
	c.mu.Lock()
	defer func() { c.mu.Unlock() }()
	c.items = nil
}

func (c *Cache) ClosureBad(k string) { // want ClosureBad:`locks 0\.mu`
	c.mu.Lock()
	func() {
		c.mu.Lock()
		c.items[k] = 1
	}() // want `c.mu is locked again by \(\*Cache\).ClosureBad.func1 while this goroutine already holds it`
	c.mu.Unlock()
}

func (c *Cache) MethodValue() { // want MethodValue:`locks 0\.mu`
	unlock := c.mu.Unlock
	c.mu.Lock()
	defer unlock()
	c.items = nil
}

func (c *Cache) BoundHelper() { // want BoundHelper:`locks 0\.mu`
	lock, unlock := c.lock, c.unlock
	lock()
	defer unlock()
	c.items = nil
}

// Generics.

type Locked[T any] struct {
	mu sync.Mutex
	v  T
}

func (l *Locked[T]) Get() T { // want Get:`locks 0.mu`
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.v
}

func (l *Locked[T]) Swap(v T) T { // want Swap:`locks 0\.mu`
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.Get() // want `l.mu is locked again by \(\*Locked\[T\]\).Get`
	l.v = v
	return old
}

func (l *Locked[T]) Set(v T, ok bool) { // want Set:`locks 0\.mu`
	l.mu.Lock() // want `l.mu is not unlocked`
	if !ok {
		return
	}
	l.v = v
	l.mu.Unlock()
}

// Conditional lock helper: locks on success, its caller unlocks.

func (c *Cache) lockIfOpen() bool { // want lockIfOpen:`locks 0\.mu`
	c.mu.Lock()
	if !c.open {
		c.mu.Unlock()
		return false
	}
	return true
}

func (c *Cache) Size() int { // want Size:`locks 0\.mu`
	if !c.lockIfOpen() {
		return 0
	}
	defer c.mu.Unlock()
	return len(c.items)
}

// Handing the lock to a goroutine that releases it.

func (c *Cache) Async() { // want Async:`locks 0\.mu`
	c.mu.Lock()
	go func() {
		defer c.mu.Unlock()
		c.items = nil
	}()
}

// A package-level mutex.

var regMu sync.Mutex

func register(m map[string]int, k string) error { // want register:`locks g:locks\.regMu`
	regMu.Lock() // want `regMu is not unlocked on the path through the return`
	if _, dup := m[k]; dup {
		return errors.New("duplicate")
	}
	m[k] = 1
	regMu.Unlock()
	return nil
}

func (c *Cache) AfterAsync() { // want AfterAsync:`locks 0\.mu`
	c.Async()
	c.mu.Lock()
	c.mu.Unlock()
}

// Returning the unlock hands it to the caller.

func (c *Cache) release() { c.mu.Unlock() } // want release:`unlocks 0\.mu`

func (c *Cache) Grab(k string) (int, func(), bool) { // want Grab:`locks 0\.mu`
	c.mu.Lock()
	v, ok := c.items[k]
	if !ok {
		c.mu.Unlock()
		return 0, nil, false
	}
	return v, c.release, true
}

func (c *Cache) GrabClosure(k string) (int, func()) { // want GrabClosure:`locks 0\.mu`
	c.mu.Lock()
	if k == "" {
		c.mu.Unlock()
		return 0, nil
	}
	return c.items[k], func() { c.mu.Unlock() }
}
