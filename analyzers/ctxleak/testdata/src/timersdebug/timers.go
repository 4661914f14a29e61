//go:debug asynctimerchan=1

// Package timersdebug asks for the timers of before Go 1.23.
package timersdebug

import "time"

func wait(in <-chan int) {
	for range in {
		<-time.After(time.Millisecond) // want `time.After in the loop at line 9 makes a timer per iteration`
	}
}
