package ctxleak

import (
	"fmt"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// checkWaitInLoop reports a WaitGroup.Wait inside the loop that starts the
// goroutines it waits for, when the whole count was added before the loop
// (wg.Add(len(items)); for … { go …Done…; wg.Wait() }): the first Wait
// waits for every goroutine while only one has been started, and blocks
// for good as soon as there are two.
func (c *checker) checkWaitInLoop() {
	ops := c.syncOps()
	for _, fn := range c.prog.Funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || !program.OnCycle(b) {
					continue
				}
				sc, ok := syncMethod(call.Common())
				if !ok || sc.typ != "WaitGroup" || sc.method != "Wait" {
					continue
				}
				wg, ok := objectOf(sc.recv)
				if !ok {
					continue
				}
				if g, add := c.startedInLoopAddedBefore(fn, call, wg, ops[wg]); g != nil {
					c.reportWaitInLoop(fn, call, g, add)
				}
			}
		}
	}
}

// startedInLoopAddedBefore returns the go statement in wait's loop whose
// goroutine calls Done on wg, and the Add before the loop that counted it,
// when every Add of wg in fn is before the loop.
func (c *checker) startedInLoopAddedBefore(fn *ssa.Function, wait *ssa.Call, wg object, ops []*syncOp) (*ssa.Go, *ssa.Call) {
	var add *ssa.Call
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			sc, ok := syncMethod(call.Common())
			if !ok || sc.typ != "WaitGroup" || !isAdd(sc) {
				continue
			}
			if o, ok := objectOf(sc.recv); !ok || o != wg {
				continue
			}
			if instrReaches(wait, call) {
				return nil, nil // an Add in the loop: Wait counts what was started
			}
			if instrReaches(call, wait) {
				add = call
			}
		}
	}
	if add == nil {
		return nil, nil
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			g, ok := instr.(*ssa.Go)
			if !ok || !instrReaches(g, wait) || !instrReaches(wait, g) {
				continue
			}
			body, _ := c.spawned(g)
			if body != nil && donesIn(body, ops) {
				return g, add
			}
		}
	}
	return nil, nil
}

// donesIn reports whether fn itself calls Done among ops.
func donesIn(fn *ssa.Function, ops []*syncOp) bool {
	for _, op := range ops {
		if op.kind == opDone && op.fn() == fn {
			return true
		}
	}
	return false
}

func (c *checker) reportWaitInLoop(fn *ssa.Function, wait *ssa.Call, g *ssa.Go, add *ssa.Call) {
	loop := c.loopPos(fn, wait.Pos())
	c.report(analysis.Diagnostic{
		Pos:      wait.Pos(),
		Category: catWaitGroup,
		Message: fmt.Sprintf("Wait inside the loop at line %d waits for every goroutine counted by the Add at line %d, but the loop has started only one so far: "+
			"it blocks for good on the first iteration when there are two or more; wait after the loop", c.line(loop), c.line(add.Pos())),
		Related: []analysis.RelatedInformation{
			{Pos: add.Pos(), Message: "the whole count is added here, before the loop"},
			{Pos: g.Pos(), Message: "one goroutine per iteration is started here"},
		},
	})
}
