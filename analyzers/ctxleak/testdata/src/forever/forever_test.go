package forever

import (
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	go func() { // want `goroutine never stops: the goroutine loops at line 10 with no return, no break and no receive that ends it, so it outlives the test that started it`
		for {
			time.Sleep(time.Millisecond)
		}
	}()
}
