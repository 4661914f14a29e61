package closecheck_test

import (
	"os"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/asynclint/asynclint/analyzers/closecheck"
)

// TestStandardLibrary runs the analyzer over all of std, whose resources are
// otherwise known from the catalog, to show that no shape of real code makes
// it fail or report without a position. It takes a few minutes: set
// ASYNCLINT_STD=1 to run it (CI does).
func TestStandardLibrary(t *testing.T) {
	if os.Getenv("ASYNCLINT_STD") == "" {
		t.Skip("set ASYNCLINT_STD=1 to analyse all of std")
	}
	f := closecheck.Analyzer.Flags.Lookup("std")
	f.Value.Set("true")
	defer f.Value.Set("false")

	cfg := &packages.Config{Mode: packages.LoadAllSyntax}
	pkgs, err := packages.Load(cfg, "std")
	if err != nil {
		t.Fatal(err)
	}
	g, err := checker.Analyze([]*analysis.Analyzer{closecheck.Analyzer}, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var findings int
	for act := range g.All() {
		if act.Err != nil {
			t.Errorf("%s: %v", act, act.Err)
		}
		for _, d := range act.Diagnostics {
			findings++
			t.Logf("%s: %s", act.Package.Fset.Position(d.Pos), d.Message)
			if !d.Pos.IsValid() {
				t.Errorf("%s: diagnostic without a position: %s", act, d.Message)
			}
			for _, r := range d.Related {
				if !r.Pos.IsValid() {
					t.Errorf("%s: related information without a position: %s", act, r.Message)
				}
			}
		}
	}
	t.Logf("%d packages, %d findings", len(pkgs), findings)
}
