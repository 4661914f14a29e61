package ctxleak

import (
	"fmt"
	"go/constant"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/obligation"
	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// doneParams returns the *sync.WaitGroup parameters fn calls Done on, on
// every path to a return (directly, deferred, or through a callee or a
// goroutine that does), and that it does not Add to itself.
func (c *checker) doneParams(fn *ssa.Function) []int {
	var out []int
	for i, p := range fn.Params {
		if !isWaitGroupPtr(p.Type()) {
			continue
		}
		if c.doneAll(fn, strconv.Itoa(i), 0) {
			out = append(out, i)
		}
	}
	return out
}

func isWaitGroupPtr(t types.Type) bool {
	ptr, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	named, ok := ptr.Elem().(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "sync" && named.Obj().Name() == "WaitGroup"
}

// wgCall returns the WaitGroup method a call makes and the path of the
// WaitGroup.
func wgCall(common *ssa.CallCommon) (syncCall, string, bool) {
	sc, ok := syncMethod(common)
	if !ok || sc.typ != "WaitGroup" {
		return syncCall{}, "", false
	}
	p, ok := pathOf(sc.recv)
	return sc, p, ok
}

// isAdd reports whether sc is an Add that is not a Done in disguise
// (Add(-1)).
func isAdd(sc syncCall) bool {
	if sc.method != "Add" || len(sc.args) != 1 {
		return false
	}
	if k, ok := sc.args[0].(*ssa.Const); ok && k.Value != nil && k.Value.Kind() == constant.Int {
		return constant.Sign(k.Value) > 0
	}
	return true
}

func isDone(sc syncCall) bool {
	if sc.method == "Done" {
		return true
	}
	if sc.method == "Add" && len(sc.args) == 1 {
		if k, ok := sc.args[0].(*ssa.Const); ok && k.Value != nil && k.Value.Kind() == constant.Int {
			return constant.Sign(k.Value) < 0
		}
	}
	return false
}

// doneOn returns the predicate "this instruction calls Done on the
// WaitGroup at path, or will": a call, defer or go of Done, of a function
// whose summary says it calls Done on the argument, or of a closure that
// calls Done on the captured WaitGroup on every path.
func (c *checker) doneOn(path string, depth int) func(ssa.Instruction) bool {
	return func(instr ssa.Instruction) bool {
		ci, ok := instr.(ssa.CallInstruction)
		if !ok {
			return false
		}
		common := ci.Common()
		if sc, p, ok := wgCall(common); ok {
			return p == path && isDone(sc)
		}
		r, ok := c.resolve(common)
		if !ok {
			return false
		}
		for _, i := range r.sum.Done {
			if i < len(r.params) && r.params[i] == path {
				return true
			}
		}
		if r.fn.Parent() != nil && depth < 3 {
			for j, f := range r.free {
				if strings.TrimPrefix(f, "=") == path && c.doneAll(r.fn, "f"+strconv.Itoa(j), depth+1) {
					return true
				}
			}
		}
		return false
	}
}

// doneAll reports whether fn calls Done on the WaitGroup at path on every
// path to a return, at least once, and never Adds to it.
func (c *checker) doneAll(fn *ssa.Function, path string, depth int) bool {
	done := c.doneOn(path, depth)
	some := false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok {
				if sc, p, ok := wgCall(ci.Common()); ok && p == path && isAdd(sc) {
					return false
				}
			}
			if !some && done(instr) {
				some = true
			}
		}
	}
	return some && obligation.Unmet(obligation.Obligation{Fn: fn, Met: done}) == nil
}

// checkWaitGroups reports Add inside the goroutine it counts, and
// functions that call Done on some paths but not all.
func (c *checker) checkWaitGroups() {
	started := map[*ssa.Function]*ssa.Go{}
	for _, fn := range c.prog.Funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				body, _ := c.prog.Callee(g.Common())
				if body == nil {
					continue
				}
				if o := body.Origin(); o != nil {
					body = o
				}
				if _, ok := started[body]; !ok {
					started[body] = g
				}
				c.checkAddInside(fn, g, body)
			}
		}
	}
	for _, fn := range c.prog.Funcs {
		c.checkDoneSkipped(fn, started[fn])
	}
}

// checkAddInside reports an Add in the body of a goroutine on a WaitGroup
// the goroutine also calls Done on, when the go statement's function does
// not Add to it itself.
func (c *checker) checkAddInside(spawner *ssa.Function, g *ssa.Go, body *ssa.Function) {
	var adds []*ssa.Call
	var paths []string
	for _, b := range body.Blocks {
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Go:
				return // its Adds may count the goroutines it starts
			case *ssa.Call:
				if sc, p, ok := wgCall(instr.Common()); ok && isAdd(sc) && countedPath(p) {
					adds = append(adds, instr)
					paths = append(paths, p)
				}
			}
		}
	}
	if len(adds) == 0 {
		return
	}
	params, free := argPaths(g.Common())
	if _, recv, ok := boundMethod(g.Call.Value); ok {
		p, _ := pathOf(recv)
		params, free = append([]string{p}, params...), nil
	}
	for i, add := range adds {
		p := paths[i]
		done := c.doneOn(p, 0)
		hasDone := false
		for _, b := range body.Blocks {
			for _, instr := range b.Instrs {
				if done(instr) {
					hasDone = true
				}
			}
		}
		if !hasDone {
			continue
		}
		if outer := rebase(p, params, free); outer != "" && c.addsTo(spawner, strings.TrimPrefix(outer, "=")) {
			continue
		}
		name := describe(body, p)
		c.report(analysis.Diagnostic{
			Pos: add.Pos(), Category: catWaitGroup,
			Message: fmt.Sprintf("%s.Add is called inside the goroutine it counts (started at line %d): %s.Wait can return before the goroutine is counted; call %s.Add before the go statement",
				name, c.line(g.Pos()), name, name),
			Related: []analysis.RelatedInformation{{Pos: g.Pos(), Message: "the goroutine is started here"}},
		})
	}
}

// countedPath reports whether a WaitGroup path is one the function is
// given (a parameter, a captured variable, a package-level variable).
func countedPath(p string) bool {
	return exported(p) || strings.HasPrefix(p, "f")
}

func (c *checker) addsTo(fn *ssa.Function, path string) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				if sc, p, ok := wgCall(call.Common()); ok && p == path && isAdd(sc) {
					return true
				}
			}
		}
	}
	return false
}

// checkDoneSkipped reports a function that calls Done on a WaitGroup it
// is given on some paths but returns without it on another.
func (c *checker) checkDoneSkipped(fn *ssa.Function, g *ssa.Go) {
	// The WaitGroups it may owe a Done: those it is given and those it
	// calls Done on.
	// Only a goroutine body or a function given the WaitGroup owes it:
	// a method that guards its Done (if c.closed { return }) or a
	// callback that calls it in one case of several is doing so on
	// purpose.
	var candidates []string
	for i, p := range fn.Params {
		if isWaitGroupPtr(p.Type()) {
			candidates = append(candidates, strconv.Itoa(i))
		}
	}
	if g != nil {
		for i, fv := range fn.FreeVars {
			if isWaitGroupPtr(fv.Type()) {
				candidates = append(candidates, "f"+strconv.Itoa(i))
			}
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if ci, ok := instr.(ssa.CallInstruction); ok {
					if sc, p, ok := wgCall(ci.Common()); ok && isDone(sc) && countedPath(p) && !slices.Contains(candidates, p) {
						candidates = append(candidates, p)
					}
				}
			}
		}
	}
	first := map[string]ssa.Instruction{}
	var order []string
	for _, p := range candidates {
		done := c.doneOn(p, 0)
	find:
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if _, isGo := instr.(*ssa.Go); !isGo && done(instr) {
					first[p] = instr
					order = append(order, p)
					break find
				}
			}
		}
	}
	for _, p := range order {
		if c.addsTo(fn, p) || c.doneInLoop(fn, p) {
			continue
		}
		// if s != nil { s.wg.Done() }: nothing is owed through a nil s.
		nilRoot := func(v ssa.Value) bool {
			pv, ok := pathOf(v)
			return ok && under(p, pv)
		}
		br := obligation.Unmet(obligation.Obligation{Fn: fn, Met: c.doneOn(p, 0), Void: obligation.NilPruner(nilRoot, nil)})
		if br == nil || br.Again {
			continue
		}
		exit := obligation.ExitPos(br.Exit)
		where := fmt.Sprintf("the return at line %d", c.line(exit))
		if !br.Exit.Pos().IsValid() {
			where = fmt.Sprintf("the end of %s", displayName(fn))
		}
		name := describe(fn, p)
		done := first[p]
		related := []analysis.RelatedInformation{{Pos: done.Pos(), Message: fmt.Sprintf("the %s.Done that path skips", name)}}
		if g != nil {
			related = append(related, analysis.RelatedInformation{Pos: g.Pos(), Message: "the goroutine is started here"})
		}
		c.report(analysis.Diagnostic{
			Pos: exit, Category: catWaitGroup,
			Message: fmt.Sprintf("%s.Done is skipped on the path through %s: %s.Wait never returns; defer %s.Done() at the start of %s",
				name, where, name, name, displayName(fn)),
			Related: related,
		})
	}
}

// doneInLoop reports whether a Done on path sits in a loop: it counts
// items, not the function's one call.
func (c *checker) doneInLoop(fn *ssa.Function, path string) bool {
	done := c.doneOn(path, 0)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if done(instr) && program.OnCycle(b) {
				return true
			}
		}
	}
	return false
}
