package track

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram is log-linear: values below 2<<subBits nanoseconds each have
// a bucket of their own, and every power of two above that is split into
// 1<<subBits equal buckets. A bucket's width is then at most 1/64 of its
// lower bound, so reporting its midpoint is off by at most 1/128 (0.8%) of
// the true value, at any scale, in a fixed array: no allocation, no locking
// and no rescaling when an outlier arrives.
const (
	subBits  = 6
	maxExp   = 40            // values are clamped below 1<<maxExp ns, about 18 minutes
	maxValue = 1<<maxExp - 1 // the largest value with a bucket of its own
	nBuckets = (maxExp - subBits + 1) << subBits
)

// MaxRelativeError bounds the relative error of the quantiles a Tracker
// reports, for durations below MaxTrackable. Count, mean and max are exact.
const MaxRelativeError = 1.0 / (2 << subBits)

// MaxTrackable is the longest duration the histograms resolve; longer
// operations are counted in the top bucket (their quantiles read as at most
// the exact maximum).
const MaxTrackable = time.Duration(maxValue)

// bucketOf returns the index of the bucket holding v nanoseconds.
func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	} else if v > maxValue {
		v = maxValue
	}
	u := uint64(v)
	shift := bits.Len64(u) - subBits - 1
	if shift <= 0 {
		return int(u)
	}
	return shift<<subBits + int(u>>shift)
}

// bucketRange returns the smallest value in bucket i and the bucket's width.
func bucketRange(i int) (lo, width int64) {
	if i < 2<<subBits {
		return int64(i), 1
	}
	shift := i>>subBits - 1
	mantissa := int64(i - shift<<subBits)
	return mantissa << shift, 1 << shift
}

// histogram is written with atomics only; a reader sees each bucket
// consistently but not all buckets at one instant, which is as good as a
// snapshot for a distribution that is being updated while it is read.
type histogram struct {
	counts [nBuckets]atomic.Uint64
}

func (h *histogram) record(ns int64) {
	h.counts[bucketOf(ns)].Add(1)
}

// load copies the counts into dst and returns their total.
func (h *histogram) load(dst *[nBuckets]uint64) uint64 {
	var n uint64
	for i := range h.counts {
		c := h.counts[i].Load()
		dst[i] = c
		n += c
	}
	return n
}

// quantiles fills out[i] with the qs[i] quantile (nearest rank) of counts,
// whose total is n, for qs in ascending order. Each estimate is the midpoint
// of the bucket holding that rank, never above max.
func quantiles(counts *[nBuckets]uint64, n uint64, max int64, qs []float64, out []time.Duration) {
	if n == 0 {
		clear(out)
		return
	}
	var cum uint64
	b := 0
	for j, q := range qs {
		rank := rankOf(q, n)
		for b < nBuckets-1 && cum+counts[b] < rank {
			cum += counts[b]
			b++
		}
		lo, w := bucketRange(b)
		v := lo + (w-1)/2
		if v > max {
			v = max
		}
		out[j] = time.Duration(v)
	}
}

// rankOf returns the 1-based nearest rank of quantile q among n values.
func rankOf(q float64, n uint64) uint64 {
	switch {
	case q <= 0:
		return 1
	case q >= 1:
		return n
	}
	r := uint64(q * float64(n))
	if float64(r) < q*float64(n) {
		r++
	}
	return max(r, 1)
}
