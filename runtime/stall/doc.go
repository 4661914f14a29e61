// Package stall detects the Go analogue of a blocked event loop: goroutines
// that are ready to run but wait for a processor, timers that fire late, and
// loops that stop making progress.
//
// A Go program has no single event loop to block, but it fails in the same
// way when CPU-bound work, a GOMAXPROCS set too low, or long stop-the-world
// pauses leave goroutines waiting: heartbeats go out late, reads fall behind
// the feed, deadlines pass. A Watchdog measures that from three sides:
//
//   - the scheduler: every interval it reads the runtime/metrics histogram
//     /sched/latencies:seconds (how long goroutines were runnable before
//     they ran), takes the difference from the previous reading, and
//     reports a stall when the 99th percentile of that interval is above
//     Options.SchedLatency; it also reports more runnable goroutines
//     (/sched/goroutines/runnable:goroutines) than Options.RunnablePerProc
//     per GOMAXPROCS;
//   - a heartbeat: a goroutine asks for a timer every interval and reports
//     when one fires more than Options.TimerLateness after it was due, the
//     direct counterpart of event-loop lag;
//   - registered loops: a loop calls Progress each time round and Idle
//     before it waits for work; a loop busy for longer than its threshold
//     without progress is reported stuck, and again with the length of its
//     gap when it resumes.
//
// A loop reading a feed, for instance:
//
//	l := w.Loop("gateio-reader", 0)
//	defer l.Close()
//	for {
//		l.Idle()
//		msg, err := conn.Read(ctx)
//		if err != nil {
//			return err
//		}
//		l.Progress()
//		handle(msg)
//	}
//
// Reports go to Options.OnStall and, with the measurements of the checks
// that are on, to a track.Recorder:
// Observe(ObserveTimerLateness, lateness, outcome) at every heartbeat,
// Observe(ObserveSchedLatency, p99, outcome) for every interval in which
// goroutines were scheduled, with outcome track.OutcomeSlow above the
// threshold and track.OutcomeOK otherwise; Observe(ObserveLoopPrefix+name,
// gap, track.OutcomeSlow) when a loop resumes after a stall; and
// Count(CountPrefix+kind, 1) for every stall reported, kind being
// "sched_latency", "timer_lateness", "runnable" or "loop_stuck".
//
// Each interval that crosses a threshold is reported: a scheduler that stays
// overloaded produces a report per interval, the rate at which the
// measurement is taken. A stuck loop is reported once per stall.
//
// The scheduler's histogram has buckets up to a quarter as wide as their
// value; the percentiles reported are the lower bounds of their buckets, so
// they understate rather than invent a stall.
package stall
