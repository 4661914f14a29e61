package ctxleak

import (
	"go/ast"
	"go/types"
	"reflect"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/stdlib"
)

// maxRounds bounds the summaries' fixed point: recursion through many
// functions may need a few rounds, and a summary that keeps changing after
// that is cut off rather than looped on.
const maxRounds = 8

// summarise computes every function's summary from its callees', round
// after round until nothing changes.
func (c *checker) summarise() {
	for round := 0; round < maxRounds; round++ {
		changed := false
		for _, fn := range c.prog.Funcs {
			s := c.summariseFunc(fn)
			if old, ok := c.sums[fn]; !ok || !reflect.DeepEqual(old, s) {
				c.sums[fn] = s
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

func (c *checker) summariseFunc(fn *ssa.Function) *Summary {
	s := &Summary{}
	s.Cancels = c.cancelledParams(fn)
	s.CancelResults = c.cancelResults(fn)
	s.Locks, s.Holds, s.Unlocks = c.lockEffects(fn)
	s.Done = c.doneParams(fn)
	s.Forever, s.Loop = c.neverReturns(fn)
	return s
}

// summaryOf returns what is known of fn: its summary when this package
// defines it, its fact when an analysed dependency does, nil otherwise.
func (c *checker) summaryOf(fn *ssa.Function) *Summary {
	if fn == nil {
		return nil
	}
	if o := fn.Origin(); o != nil {
		fn = o
	}
	if s, ok := c.sums[fn]; ok {
		return s
	}
	if fn.Pkg == nil || fn.Pkg == c.prog.Pkg {
		return nil
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok {
		return nil
	}
	var s Summary
	if c.pass.ImportObjectFact(obj, &s) {
		return &s
	}
	return nil
}

// exportFacts exports the summaries of the package's declared functions.
// Slices are sorted so that the encoded facts are the same on every run.
func (c *checker) exportFacts() {
	for _, fn := range c.prog.Funcs {
		s := c.sums[fn]
		obj, ok := fn.Object().(*types.Func)
		if s == nil || !ok || fn.Parent() != nil {
			continue
		}
		slices.Sort(s.Cancels)
		slices.Sort(s.CancelResults)
		slices.Sort(s.Done)
		for _, ls := range [][]Lock{s.Locks, s.Holds, s.Unlocks} {
			slices.SortFunc(ls, func(a, b Lock) int { return strings.Compare(a.String(), b.String()) })
		}
		exp := *s
		exp.Locks = exportedLocks(s.Locks)
		exp.Holds = exportedLocks(s.Holds)
		exp.Unlocks = exportedLocks(s.Unlocks)
		if !exp.empty() {
			c.pass.ExportObjectFact(obj, &exp)
		}
	}
}

// exportedLocks keeps the locks that callers can name.
func exportedLocks(ls []Lock) []Lock {
	var out []Lock
	for _, l := range ls {
		if exported(l.Path) {
			out = append(out, l)
		}
	}
	return out
}

// worthBuilding reports whether the package can hold anything ctxleak
// reports: it makes goroutines, channels or contexts, uses sync, or calls
// into packages whose functions carry ctxleak facts.
func worthBuilding(pass *analysis.Pass) bool {
	for _, imp := range pass.Pkg.Imports() {
		switch imp.Path() {
		case "context", "sync", "time", "os/signal":
			return true
		}
	}
	if len(pass.AllObjectFacts()) > 0 {
		return true
	}
	found := false
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt, *ast.ChanType, *ast.SendStmt:
				found = true
			case *ast.UnaryExpr:
				found = found || n.Op.String() == "<-"
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

// inStd reports whether fn belongs to the standard library.
func inStd(fn *ssa.Function) bool {
	return fn.Pkg != nil && stdlib.IsPath(fn.Pkg.Pkg.Path())
}
