package engine

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine the engine, its clients and the fake venues start must
// be gone once the tests are done.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
