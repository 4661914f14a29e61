package blockingcall

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
)

// worthBuilding reports whether the package holds anything that could block
// or be reported: a call the catalog or the twin rule knows, a call of a
// function with a blocking fact, a goroutine, a channel operation, a
// context made from scratch or a directive. Packages with none of these are
// skipped before any SSA is built.
func worthBuilding(pass *analysis.Pass, dirs *directive.Set) bool {
	if dirs.Any() {
		return true
	}
	found := false
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			if found {
				return false
			}
			switch n := n.(type) {
			case *ast.GoStmt, *ast.SendStmt, *ast.SelectStmt:
				found = true
			case *ast.UnaryExpr:
				found = n.Op == token.ARROW
			case *ast.RangeStmt:
				if t := pass.TypesInfo.TypeOf(n.X); t != nil {
					_, found = t.Underlying().(*types.Chan)
				}
			case *ast.CallExpr:
				if fn, ok := typeutil.Callee(pass.TypesInfo, n).(*types.Func); ok {
					found = relevantCallee(pass, fn)
				}
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

func relevantCallee(pass *analysis.Pass, fn *types.Func) bool {
	name := catalog.Name(fn)
	if catalog.LookupNoContext(fn) != nil || catalog.BlocksWithContext(fn) || extraFuncs[name] || catalog.Background[name] {
		return true
	}
	if fn.Pkg() == pass.Pkg {
		// Calls within the package matter only through what they reach,
		// which the rest of the scan sees directly.
		return catalog.DerivedTwin(fn) != nil
	}
	if _, ok := catalog.Spawners[name]; ok {
		return true
	}
	if catalog.DerivedTwin(fn) != nil || catalog.IsTwin(fn) {
		return true
	}
	var f Blocks
	return fn.Pkg() != nil && pass.ImportObjectFact(fn, &f)
}
