package main

import "time"

func tick() { // want tick:"never returns"
	for {
		time.Sleep(time.Second)
	}
}

// Goroutines started by main live as long as the process by design.
func main() {
	go tick()
	go func() {
		for {
			time.Sleep(time.Second)
		}
	}()
	select {}
}
