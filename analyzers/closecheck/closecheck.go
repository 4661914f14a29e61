package closecheck

import (
	_ "embed"
	"flag"
	"fmt"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/analyzerdoc"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
	"github.com/asynclint/asynclint/analyzers/internal/program"
	"github.com/asynclint/asynclint/analyzers/internal/stdlib"
)

//go:embed doc.go
var doc string

const name = "closecheck"

var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       analyzerdoc.Text(doc, name),
	URL:       "https://pkg.go.dev/github.com/asynclint/asynclint/analyzers/closecheck",
	Run:       run,
	Requires:  []*analysis.Analyzer{program.Analyzer},
	FactTypes: []analysis.Fact{new(Ownership)},
	Flags:     flags(),
}

var checkStd bool

func flags() flag.FlagSet {
	var fs flag.FlagSet
	fs.BoolVar(&checkStd, "std", false, "also analyse standard-library packages (their resources are otherwise known from the catalog)")
	return fs
}

// Ownership is the summary closecheck exports for a function: what it does
// with the resources it is given, and which of its results are resources
// its callers must release. Parameters are numbered from 0, a method's
// receiver first.
type Ownership struct {
	// Releases lists the parameters the function releases (closes,
	// stops, commits or rolls back) or hands on on every path where they
	// are not nil.
	Releases []int
	// ReleasesOnError lists the parameters it releases on every path on
	// which it returns a non-nil error (and not on the others): its
	// callers owe nothing where that error is not nil.
	ReleasesOnError []int
	// Retains lists the parameters it keeps or hands on: stores, sends,
	// gives to a goroutine or to a function that keeps them.
	Retains []int
	// Passes lists the results that are one of the parameters, as a
	// Must-style wrapper returns its argument.
	Passes []Passed
	// Fresh lists the results that are resources acquired by the call.
	Fresh []Fresh
}

// Passed says that result Result is parameter Param.
type Passed struct{ Result, Param int }

// Fresh says that result Result is a fresh resource of the catalog kind
// Kind, or of its own type ("") when that type's Close releases what it
// holds.
type Fresh struct {
	Result int
	Kind   string
}

func (*Ownership) AFact() {}

func (o *Ownership) String() string {
	var parts []string
	if len(o.Releases) > 0 {
		parts = append(parts, fmt.Sprintf("releases %v", o.Releases))
	}
	if len(o.ReleasesOnError) > 0 {
		parts = append(parts, fmt.Sprintf("releases %v on error", o.ReleasesOnError))
	}
	if len(o.Retains) > 0 {
		parts = append(parts, fmt.Sprintf("retains %v", o.Retains))
	}
	for _, p := range o.Passes {
		parts = append(parts, fmt.Sprintf("result %d is param %d", p.Result, p.Param))
	}
	for _, f := range o.Fresh {
		kind := f.Kind
		if kind == "" {
			kind = "closer"
		}
		parts = append(parts, fmt.Sprintf("result %d is a fresh %s", f.Result, kind))
	}
	return strings.Join(parts, "; ")
}

func run(pass *analysis.Pass) (any, error) {
	if stdlib.IsPackage(pass) && !checkStd {
		return nil, nil
	}
	dirs := directive.Parse(pass.Fset, pass.Files)
	if !worthBuilding(pass) {
		reportDirectives(pass, dirs)
		return nil, nil
	}
	c := newChecker(pass, dirs, program.Of(pass))
	c.summarise()
	c.exportFacts()
	c.check()
	reportDirectives(pass, dirs)
	return nil, nil
}

// reportDirectives reports the misuse of closecheck's own directives: an
// //asynclint:owned or a closecheck-scoped ignore without a reason, and
// ignores that silenced no closecheck finding. An unscoped ignore may
// silence another analyzer's findings: closecheck reports it as
// "unused-ignore", which the driver keeps only when every analyzer did.
func reportDirectives(pass *analysis.Pass, dirs *directive.Set) {
	dirs.ReportMisuse(pass, name, false, directive.Owned)
}

// displayName names fn the way messages do: feeds.Open, (*feeds.Client).Get,
// feeds.Poll.func1.
func displayName(fn *ssa.Function) string {
	if p := fn.Parent(); p != nil {
		i := strings.LastIndex(fn.Name(), "$")
		return displayName(p) + ".func" + fn.Name()[i+1:]
	}
	return fn.Name()
}
