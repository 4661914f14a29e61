// Package lockcond locks and unlocks under the same test, written twice.
package lockcond

import "sync"

var cache struct {
	sync.Mutex
	table []int
}

func divisors(b, k int) []int {
	var table []int
	if b == 10 {
		cache.Lock()
		table = cache.table
	} else {
		table = make([]int, k)
	}
	for i := range table {
		table[i] = i * b
	}
	if b == 10 {
		cache.Unlock()
	}
	return table
}

type box struct {
	mu sync.Mutex
	on bool
	n  int
}

// A field read twice may change in between: no correlation, a finding.
func (x *box) bump() { // want bump:"locks 0.mu"
	if x.on {
		x.mu.Lock() // want `x.mu is not unlocked on the path through`
	}
	x.n++
	if x.on {
		x.mu.Unlock()
	}
}
