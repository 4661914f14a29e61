// Package backoff holds the exponential bound shared by the runtime
// clients' retry and reconnect waits.
package backoff

import "time"

// Ceiling returns min(limit, base·2ⁿ⁻¹) for n ≥ 1, doubling no further
// than needed so that large n cannot overflow.
func Ceiling(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
