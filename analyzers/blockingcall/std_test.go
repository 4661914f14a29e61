package blockingcall_test

import (
	"testing"

	"github.com/asynclint/asynclint/analyzers/blockingcall"
	"github.com/asynclint/asynclint/analyzers/internal/stdsweep"
)

// TestStandardLibrary runs the analyzer over all of std, whose blocking
// calls are otherwise taken from the catalog (ASYNCLINT_STD=1).
func TestStandardLibrary(t *testing.T) { stdsweep.Run(t, blockingcall.Analyzer) }
