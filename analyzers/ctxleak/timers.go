package ctxleak

import (
	"fmt"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/program"

	"github.com/asynclint/asynclint/analyzers/internal/goversion"
)

// checkTimers reports the timers that cost memory only under the timer
// semantics before Go 1.23 (files built for an older Go, or
// //go:debug asynctimerchan=1): time.After in a loop, whose timers live
// until they fire, and time.Tick in a function that returns, whose ticker
// is never collected. From Go 1.23 both are collected once unreferenced,
// and ctxleak says nothing. (An unstopped time.NewTicker is closecheck's.)
func (c *checker) checkTimers() {
	for _, fn := range c.prog.Funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				f, ok := call.Call.Value.(*ssa.Function)
				if !ok || f.Pkg == nil || f.Pkg.Pkg.Path() != "time" || !goversion.OldTimers(c.pass, call.Pos()) {
					continue
				}
				switch {
				case f.Name() == "After" && program.OnCycle(b):
					loop := c.loopPos(fn, call.Pos())
					c.report(analysis.Diagnostic{
						Pos:      call.Pos(),
						Category: catTimer,
						Message: fmt.Sprintf("time.After in the loop at line %d makes a timer per iteration that is not freed until it fires (timers before Go 1.23): "+
							"under a busy loop they pile up; make one time.NewTimer before the loop and Reset it, or build with Go 1.23 or later", c.line(loop)),
						Related: []analysis.RelatedInformation{{Pos: loop, Message: "each iteration of this loop makes another timer"}},
					})
				case f.Name() == "Tick" && !c.startup(fn) && !c.sums[fn].Forever:
					c.report(analysis.Diagnostic{
						Pos:      call.Pos(),
						Category: catTimer,
						Message: "time.Tick's ticker can never be stopped and, before Go 1.23, is never collected: each call of this function that returns leaks one; " +
							"use time.NewTicker and defer its Stop, or build with Go 1.23 or later",
					})
				}
			}
		}
	}
}
