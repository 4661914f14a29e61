//lint:file-ignore SA2002 a test of //lint:file-ignore

package ignored

import "testing"

func TestFailNow(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.FailNow()
	}()
	<-done
}
