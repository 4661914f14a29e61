// Package lockfacts exports lock summaries: helpers that leave a mutex
// held, release it, or take it, for callers in other packages.
package lockfacts

import "sync"

type Store struct {
	mu   sync.Mutex
	data map[string]string
}

// Lock and Unlock let callers hold the store across several calls.
func (s *Store) Lock()   { s.mu.Lock() }   // want Lock:`holds 0.mu`
func (s *Store) Unlock() { s.mu.Unlock() } // want Unlock:`unlocks 0.mu`

// Get takes the lock itself.
func (s *Store) Get(k string) string { // want Get:`locks 0.mu`
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data[k]
}

// GetLocked expects the lock held.
func (s *Store) GetLocked(k string) string { return s.data[k] }

// Default is the package's store.
var Default Store

// Reset takes the package's store lock.
func Reset() { // want Reset:`locks g:lockfacts.Default.mu`
	Default.mu.Lock()
	clear(Default.data)
	Default.mu.Unlock()
}
