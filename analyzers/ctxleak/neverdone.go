package ctxleak

import (
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
)

// backgroundArgs returns, for a go statement starting fn, which of fn's
// parameters it binds to context.Background() or context.TODO(): contexts
// that are never done.
func backgroundArgs(g *ssa.Go) map[int]bool {
	out := map[int]bool{}
	for i, a := range g.Call.Args {
		if isBackground(a) {
			out[i] = true
		}
	}
	return out
}

func isBackground(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	fn, ok := call.Call.Value.(*ssa.Function)
	return ok && fn.Pkg != nil && catalog.Background[fn.Pkg.Pkg.Path()+"."+fn.Name()]
}

// neverDoneEdge reports whether the edge from b to its succ-th successor
// is the case of a select that receives from ctx.Done() for a context
// parameter of b's function that bg says is never done.
func neverDoneEdge(b *ssa.BasicBlock, succ int, bg map[int]bool) bool {
	if succ != 0 || len(bg) == 0 {
		return false
	}
	sel, k, ok := chanSelectEdge(b)
	if !ok || k < 0 || k >= len(sel.States) {
		return false
	}
	done, ok := sel.States[k].Chan.(*ssa.Call)
	if !ok || !done.Call.IsInvoke() || done.Call.Method.Name() != "Done" || !catalog.IsContext(done.Call.Value.Type()) {
		return false
	}
	p, ok := done.Call.Value.(*ssa.Parameter)
	if !ok {
		return false
	}
	for i, q := range b.Parent().Params {
		if q == p {
			return bg[i]
		}
	}
	return false
}

// returnsUnless reports whether a return of fn is reachable from its entry
// without taking an edge skip says is never taken.
func returnsUnless(fn *ssa.Function, skip func(*ssa.BasicBlock, int) bool) bool {
	return len(fn.Blocks) == 0 || returnFrom(fn.Blocks[0], skip) != nil
}

// returnFrom returns a return reachable from start without taking an
// edge skip says is never taken, or nil.
func returnFrom(start *ssa.BasicBlock, skip func(*ssa.BasicBlock, int) bool) *ssa.Return {
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{start}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			return ret
		}
		for i, s := range b.Succs {
			if !skip(b, i) {
				stack = append(stack, s)
			}
		}
	}
	return nil
}
