package stall

import (
	"slices"
	"sync/atomic"
	"time"
)

// A Loop is a long-running loop watched by a Watchdog: a reader of a feed,
// the handler of a queue. The loop calls Progress each time round; if it is
// busy and does not call Progress for longer than its threshold, the
// Watchdog reports it stuck, and reports how long the gap was once it
// resumes. A loop about to wait for work calls Idle, so that a quiet feed
// does not look like a stuck handler.
//
// Progress and Idle are cheap (an atomic swap) and safe for concurrent use.
type Loop struct {
	w           *Watchdog
	name        string
	threshold   time.Duration
	observeName string

	last atomic.Int64 // the Watchdog's clock at the last progress; 0 while idle
	gap  atomic.Int64 // the longest gap above threshold not yet reported

	reported int64 // the value of last that was reported stuck; the sampler's own
}

// Loop registers a loop named name, stuck after threshold without progress;
// zero means Options.LoopThreshold. The loop counts as having just made
// progress. Close it when the loop ends.
func (w *Watchdog) Loop(name string, threshold time.Duration) *Loop {
	if threshold <= 0 {
		threshold = w.o.LoopThreshold
	}
	l := &Loop{w: w, name: name, threshold: threshold, observeName: ObserveLoopPrefix + name}
	l.last.Store(w.now())
	w.mu.Lock()
	w.loops = append(w.loops, l)
	w.mu.Unlock()
	return l
}

// Name returns the loop's name.
func (l *Loop) Name() string { return l.name }

// Progress records that the loop has made progress.
func (l *Loop) Progress() {
	l.mark(l.w.now())
}

// Idle records that the loop has made progress and is now waiting for work:
// it cannot be stuck until its next Progress.
func (l *Loop) Idle() {
	l.mark(0)
}

func (l *Loop) mark(next int64) {
	now := next
	if now == 0 {
		now = l.w.now()
	}
	prev := l.last.Swap(next)
	if prev == 0 {
		return
	}
	// The loop itself knows exactly how long it went without progress; the
	// Watchdog, sampling, would only know it to within an interval.
	if gap := now - prev; gap > int64(l.threshold) {
		for g := l.gap.Load(); gap > g && !l.gap.CompareAndSwap(g, gap); g = l.gap.Load() {
		}
	}
}

// Close stops watching the loop. It is idempotent.
func (l *Loop) Close() {
	w := l.w
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loops = slices.DeleteFunc(w.loops, func(x *Loop) bool { return x == l })
}
