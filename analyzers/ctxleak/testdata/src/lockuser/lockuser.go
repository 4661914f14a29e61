// Package lockuser calls lockfacts' helpers: their summaries cross the
// package boundary as facts.
package lockuser

import "lockfacts"

func Copy(s *lockfacts.Store, keys []string) map[string]string { // want Copy:`locks 0\.mu`
	s.Lock()
	defer s.Unlock()
	out := map[string]string{}
	for _, k := range keys {
		out[k] = s.GetLocked(k)
	}
	return out
}

func CopyBad(s *lockfacts.Store, keys []string) map[string]string { // want CopyBad:`locks 0\.mu`
	s.Lock()
	defer s.Unlock()
	out := map[string]string{}
	for _, k := range keys {
		out[k] = s.Get(k) // want `s.mu is locked again by \(\*lockfacts.Store\).Get while this goroutine already holds it \(locked at line 18\): CopyBad → \(\*lockfacts.Store\).Get → s.mu.Lock blocks forever`
	}
	return out
}

func First(s *lockfacts.Store, keys []string) string { // want First:`locks 0\.mu`
	s.Lock() // want `s.mu \(locked by \(\*lockfacts.Store\).Lock\) is not unlocked on the path through the return at line 30`
	if len(keys) == 0 {
		return ""
	}
	v := s.GetLocked(keys[0])
	s.Unlock()
	return v
}

func ResetTwice() { // want ResetTwice:`locks g:lockfacts\.Default\.mu`
	lockfacts.Default.Lock()
	defer lockfacts.Default.Unlock()
	lockfacts.Reset() // want `lockfacts.Default.mu is locked again by lockfacts.Reset while this goroutine already holds it \(locked at line 38\): ResetTwice → lockfacts.Reset → lockfacts.Default.mu.Lock blocks forever`
}
