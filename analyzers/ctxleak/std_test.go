package ctxleak_test

import (
	"testing"

	"github.com/asynclint/asynclint/analyzers/ctxleak"
	"github.com/asynclint/asynclint/analyzers/internal/stdsweep"
)

// TestStandardLibrary runs the analyzer over all of std (ASYNCLINT_STD=1):
// no panic, and every finding has a position.
func TestStandardLibrary(t *testing.T) { stdsweep.Run(t, ctxleak.Analyzer) }
