package sa

import "testing"

// TestFailNow calls t.FailNow from a goroutine (SA2002).
func TestFailNow(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.FailNow()
	}()
	<-done
}
