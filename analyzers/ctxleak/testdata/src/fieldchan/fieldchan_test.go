package fieldchan

import "testing"

// A test orders its calls around the loop's life.
func TestStatus(t *testing.T) {
	n := newNode()
	c := make(chan int, 1)
	n.status <- c
	<-c
	n.Stop()
}
