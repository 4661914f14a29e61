package main

import "time"

// Called only from main: its goroutines live as long as the process.
func startKeeper() {
	go func() {
		for {
			time.Sleep(time.Second)
		}
	}()
}

// Also called from a goroutine's handler: not startup-only.
func startWorker() {
	go func() { // want `goroutine never stops`
		for {
			time.Sleep(time.Second)
		}
	}()
}

func handler() {
	startWorker()
}

func init() {
	startKeeper()
	startWorker()
	_ = handler
}
