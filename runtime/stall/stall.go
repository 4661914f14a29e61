package stall

import (
	"fmt"
	"time"
)

// A Kind is a kind of stall.
type Kind uint8

const (
	// SchedLatency: over one interval, the 99th percentile of the time
	// goroutines waited to run was above Options.SchedLatency.
	SchedLatency Kind = iota + 1
	// TimerLateness: the heartbeat timer fired later than
	// Options.TimerLateness after it was due.
	TimerLateness
	// Runnable: more goroutines were runnable than Options.RunnablePerProc
	// per GOMAXPROCS.
	Runnable
	// LoopStuck: a busy loop has made no progress for longer than its
	// threshold. It is reported once per stall.
	LoopStuck
	// LoopResumed: a loop made progress after a gap longer than its
	// threshold, whether or not it had been reported stuck.
	LoopResumed
)

var kindNames = [...]string{
	SchedLatency:  "sched_latency",
	TimerLateness: "timer_lateness",
	Runnable:      "runnable",
	LoopStuck:     "loop_stuck",
	LoopResumed:   "loop_resumed",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// A Stall is one report of a Watchdog.
type Stall struct {
	Kind Kind
	At   time.Time // when the Watchdog noticed

	// Duration is the 99th percentile wait (SchedLatency), how late the
	// timer fired (TimerLateness), or how long the loop has gone, or went,
	// without progress (LoopStuck, LoopResumed).
	Duration time.Duration
	// Max is the longest wait of the interval (SchedLatency).
	Max time.Duration
	// Threshold is the limit that Duration crossed.
	Threshold time.Duration

	// Runnable goroutines, Procs (GOMAXPROCS) and the Limit they crossed
	// (Runnable).
	Runnable, Procs, Limit int

	// Loop is the name of the loop (LoopStuck, LoopResumed).
	Loop string
}

func (s Stall) String() string {
	switch s.Kind {
	case SchedLatency:
		return fmt.Sprintf("%v: goroutines waited %v to run at p99 (max %v), above %v", s.Kind, s.Duration, s.Max, s.Threshold)
	case TimerLateness:
		return fmt.Sprintf("%v: timer fired %v late, above %v", s.Kind, s.Duration, s.Threshold)
	case Runnable:
		return fmt.Sprintf("%v: %d runnable goroutines on %d Ps, above %d", s.Kind, s.Runnable, s.Procs, s.Limit)
	case LoopStuck:
		return fmt.Sprintf("%v: loop %s has made no progress for %v, above %v", s.Kind, s.Loop, s.Duration, s.Threshold)
	case LoopResumed:
		return fmt.Sprintf("%v: loop %s resumed after %v without progress, above %v", s.Kind, s.Loop, s.Duration, s.Threshold)
	}
	return s.Kind.String()
}
