package blockingcall

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

const name = "blockingcall"

var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       analyzerdoc.Text(doc, name),
	URL:       "https://pkg.go.dev/github.com/asynclint/asynclint/analyzers/blockingcall",
	Run:       run,
	Requires:  []*analysis.Analyzer{program.Analyzer},
	FactTypes: []analysis.Fact{new(Blocks)},
	Flags:     flags(),
}

var (
	extraFuncs funcList
	checkStd   bool
)

func flags() flag.FlagSet {
	var fs flag.FlagSet
	fs.Var(&extraFuncs, "funcs", "comma-separated functions that block without a context, as pkg/path.Func or (*pkg/path.T).Method")
	fs.BoolVar(&checkStd, "std", false, "also analyse standard-library packages (their blocking calls are otherwise known from the catalog)")
	return fs
}

// Blocks is the summary blockingcall exports for a function: the chains by
// which it blocks without a context (NoCtx) and by which it blocks at all
// (Any), each starting with the function itself and ending at the blocking
// operation.
type Blocks struct {
	NoCtx []string
	Any   []string
	// CtxInside: the function has a context of its own, so its context-less
	// calls are reported inside it, where the fix goes, not at its callers.
	CtxInside bool
	// Bounded: the NoCtx chain ends in a background context with a
	// deadline. Callers with a context still cannot cancel it, but a
	// goroutine running it is not stuck for good.
	Bounded bool
	// BareRequest: the function returns an *http.Request built without a
	// context, which blocks without one wherever it is sent as is.
	BareRequest bool
}

func (*Blocks) AFact() {}

func (b *Blocks) String() string {
	var parts []string
	if b.NoCtx != nil {
		parts = append(parts, "noctx: "+strings.Join(b.NoCtx, " → "))
	}
	if b.Any != nil {
		parts = append(parts, "blocks: "+strings.Join(b.Any, " → "))
	}
	if b.CtxInside {
		parts = append(parts, "ctx inside")
	}
	if b.Bounded {
		parts = append(parts, "bounded")
	}
	if b.BareRequest {
		parts = append(parts, "bare request")
	}
	return strings.Join(parts, "; ")
}

func run(pass *analysis.Pass) (any, error) {
	if stdlib.IsPackage(pass) && !checkStd {
		return nil, nil
	}
	dirs := directive.Parse(pass.Fset, pass.Files)
	if !worthBuilding(pass, dirs) {
		reportDirectiveMisuse(pass, dirs)
		return nil, nil
	}
	c := &checker{
		pass:  pass,
		dirs:  dirs,
		prog:  program.Of(pass),
		sums:  map[*ssa.Function]*summary{},
		modes: map[*ssa.Function]*mode{},
	}
	c.summarise()
	c.exportFacts()
	c.assignModes()
	c.check()
	reportDirectiveMisuse(pass, dirs)
	return nil, nil
}

// reportDirectiveMisuse reports blockingcall's directives that give no
// reason — its scoped ignores, the unscoped ones (which blockingcall alone
// reports) and //asynclint:detached — and the ignores that suppressed
// nothing.
func reportDirectiveMisuse(pass *analysis.Pass, dirs *directive.Set) {
	dirs.ReportMisuse(pass, name, true, directive.Detached)
}

// funcList is a flag holding function names in catalog form.
type funcList map[string]bool

func (l *funcList) String() string {
	var names []string
	for n := range *l {
		names = append(names, n)
	}
	return strings.Join(names, ",")
}

// Set replaces the list, so that the last -blockingcall.funcs wins.
func (l *funcList) Set(s string) error {
	next := funcList{}
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			if !strings.Contains(n, ".") {
				return fmt.Errorf("%q: want pkg/path.Func or (*pkg/path.T).Method", n)
			}
			next[n] = true
		}
	}
	*l = next
	return nil
}
