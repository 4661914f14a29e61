package forever

import (
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	go func() { // want `goroutine never stops: the goroutine loops with no return, no break and no receive that ends it at line 10, so it outlives everything of the test that started it`
		for {
			time.Sleep(time.Millisecond)
		}
	}()
}
