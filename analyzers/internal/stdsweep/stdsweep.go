// Package stdsweep runs an analyzer over all of the standard library, the
// largest body of real Go at hand, to show that no shape of code makes it
// fail or report without a position.
package stdsweep

import (
	"os"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// Run analyses std with a, whose boolean flag "std" must turn on the
// analysis of standard-library packages. It takes a few minutes: it runs
// only when ASYNCLINT_STD is set (CI sets it).
func Run(t *testing.T, a *analysis.Analyzer) {
	if os.Getenv("ASYNCLINT_STD") == "" {
		t.Skip("set ASYNCLINT_STD=1 to analyse all of std")
	}
	f := a.Flags.Lookup("std")
	if err := f.Value.Set("true"); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Value.Set("false") }()

	pkgs, err := packages.Load(&packages.Config{Mode: packages.LoadAllSyntax}, "std")
	if err != nil {
		t.Fatal(err)
	}
	g, err := checker.Analyze([]*analysis.Analyzer{a}, pkgs, nil)
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
