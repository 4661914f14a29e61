package closecheck_test

import (
	"testing"

	"github.com/asynclint/asynclint/analyzers/closecheck"
	"github.com/asynclint/asynclint/analyzers/internal/stdsweep"
)

// TestStandardLibrary runs the analyzer over all of std, whose resources
// are otherwise known from the catalog (ASYNCLINT_STD=1).
func TestStandardLibrary(t *testing.T) { stdsweep.Run(t, closecheck.Analyzer) }
