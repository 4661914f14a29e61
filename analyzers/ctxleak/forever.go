package ctxleak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// neverReturns reports whether fn loops forever: no return is reachable
// from its entry, and it has a loop (or calls a function that never
// returns). A function that ends only in a panic or os.Exit does not
// loop; one whose loop ends only in them does. The second result says
// where it loops, for messages in other packages.
func (c *checker) neverReturns(fn *ssa.Function) (bool, string) {
	pos, why := c.foreverLoop(fn)
	if !pos.IsValid() {
		return false, ""
	}
	p := c.pass.Fset.Position(pos)
	return true, fmt.Sprintf(why, fmt.Sprintf("%s:%d", shortFile(p.Filename), p.Line))
}

// foreverLoop returns where fn loops with no way out, and how (a format
// with a %s for where), or NoPos if a return is reachable.
func (c *checker) foreverLoop(fn *ssa.Function) (token.Pos, string) {
	if len(fn.Blocks) == 0 {
		return token.NoPos, ""
	}
	seen := make([]bool, len(fn.Blocks))
	var stuck *ssa.CallCommon // a call to a function that never returns
	var stuckIn *ssa.Function
	var tickerRange ssa.Instruction
	queue := []*ssa.BasicBlock{fn.Blocks[0]}
	seen[0] = true
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		goOn := true
		for _, instr := range b.Instrs {
			switch instr := instr.(type) {
			case *ssa.Return:
				return token.NoPos, ""
			case *ssa.Call:
				if callee, _ := c.prog.Callee(instr.Common()); callee != nil && callee != fn {
					if s := c.summaryOf(callee); s != nil && s.Forever {
						if stuck == nil {
							stuck, stuckIn = instr.Common(), callee
						}
						goOn = false
					}
				}
			}
			if !goOn {
				break
			}
		}
		if !goOn {
			continue
		}
		for i, s := range b.Succs {
			if i == 1 && rangesOverTicker(b) {
				if tickerRange == nil {
					tickerRange = b.Instrs[len(b.Instrs)-1]
				}
				continue
			}
			if !seen[s.Index] {
				seen[s.Index] = true
				queue = append(queue, s)
			}
		}
	}
	switch {
	case tickerRange != nil:
		pos := c.loopPos(fn, tickerRange.Pos())
		if !pos.IsValid() {
			pos = c.cyclePos(fn, seen)
		}
		return pos, "ranges at %s over a ticker's channel, which is never closed"
	case stuck != nil:
		return stuck.Pos(), "calls " + displayName(stuckIn) + " at %s, which never returns"
	}
	if pos := c.cyclePos(fn, seen); pos.IsValid() {
		return pos, "loops at %s with no return, no break and no receive that ends it"
	}
	return token.NoPos, ""
}

// rangesOverTicker reports whether b ends a `for range t.C` (or
// time.Tick) loop head: its false edge, taken when the channel is closed,
// is never taken.
func rangesOverTicker(b *ssa.BasicBlock) bool {
	recv := okTest(b)
	return recv != nil && neverClosed(recv.X)
}

// okTest returns the receive whose ok result the If ending b tests (the
// head of a range over a channel, or if v, ok := <-ch; ok): its false
// edge is taken only once the channel is closed. Nil if b ends otherwise.
func okTest(b *ssa.BasicBlock) *ssa.UnOp {
	ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil
	}
	ex, ok := ifi.Cond.(*ssa.Extract)
	if !ok || ex.Index != 1 {
		return nil
	}
	recv, ok := ex.Tuple.(*ssa.UnOp)
	if !ok || recv.Op != token.ARROW || !recv.CommaOk {
		return nil
	}
	return recv
}

// neverClosed reports whether ch is a channel the runtime never closes: a
// Ticker's or Timer's C, or time.Tick's result.
func neverClosed(ch ssa.Value) bool {
	switch v := ch.(type) {
	case *ssa.UnOp:
		if fa, ok := v.X.(*ssa.FieldAddr); ok && v.Op == token.MUL {
			t := deref(fa.X.Type())
			return isTimeType(t, "Ticker") || isTimeType(t, "Timer")
		}
	case *ssa.Call:
		if f, ok := v.Call.Value.(*ssa.Function); ok && f.Pkg != nil && f.Pkg.Pkg.Path() == "time" && f.Name() == "Tick" {
			return true
		}
	case *ssa.Phi:
		for _, e := range v.Edges {
			if !neverClosed(e) {
				return false
			}
		}
		return len(v.Edges) > 0
	}
	return false
}

func isTimeType(t types.Type, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == name
}

// cyclePos returns the position of the outermost loop statement of fn
// whose body holds a reachable block that lies on a cycle, or NoPos.
func (c *checker) cyclePos(fn *ssa.Function, reachable []bool) token.Pos {
	for _, b := range fn.Blocks {
		if !reachable[b.Index] || !program.OnCycle(b) {
			continue
		}
		for _, instr := range b.Instrs {
			if p := instr.Pos(); p.IsValid() {
				return c.loopPos(fn, p)
			}
		}
		for _, s := range b.Succs {
			for _, instr := range s.Instrs {
				if p := instr.Pos(); p.IsValid() {
					return c.loopPos(fn, p)
				}
			}
		}
	}
	return token.NoPos
}

// loopPos returns the position of the outermost for or range statement of
// fn's own body (not of a nested function literal) enclosing pos, or pos.
func (c *checker) loopPos(fn *ssa.Function, pos token.Pos) token.Pos {
	if !pos.IsValid() {
		return pos
	}
	var body *ast.BlockStmt
	switch s := fn.Syntax().(type) {
	case *ast.FuncDecl:
		body = s.Body
	case *ast.FuncLit:
		body = s.Body
	}
	if body == nil {
		return pos
	}
	found := token.NoPos
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil || found.IsValid() {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if pos < n.Pos() || pos >= n.End() {
			return false
		}
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			found = n.Pos()
			return false
		}
		return true
	})
	if found.IsValid() {
		return found
	}
	return pos
}

// checkGoroutines reports goroutines that can never stop: started with go
// (or a spawner such as errgroup's Go) on a function that never returns,
// outside main and init, and not marked //asynclint:daemon.
func (c *checker) checkGoroutines() {
	c.indexGoroutines()
	for _, sp := range c.spawns {
		fn := sp.instr.Parent()
		if c.startup(fn) || c.runOnce(fn) || c.daemon(sp.at, sp.body) {
			continue
		}
		if s := c.summaryOf(sp.body); s != nil && s.Forever {
			c.reportForever(sp.at, sp.body, s)
		} else if g, ok := sp.instr.(*ssa.Go); ok {
			c.checkBackgroundLoop(g, sp.body)
		}
	}
	// Functions handed to a runner that calls them on a goroutine.
	for _, rc := range c.runnerCalls {
		caller := rc.call.Parent()
		if c.startup(caller) || c.runOnce(caller) || c.daemon(rc.call.Pos(), rc.body) {
			continue
		}
		if s := c.summaryOf(rc.body); s != nil && s.Forever {
			c.reportForever(rc.call.Pos(), rc.body, s)
		}
	}
}

// checkBackgroundLoop reports a goroutine whose loop returns only once a
// context parameter is done, started with context.Background() (or TODO)
// for it: a context that never is.
func (c *checker) checkBackgroundLoop(g *ssa.Go, body *ssa.Function) {
	if body.Pkg != c.prog.Pkg || len(g.Call.Args) != len(body.Params) {
		return
	}
	bg := backgroundArgs(g)
	if len(bg) == 0 || returnsUnless(body, func(b *ssa.BasicBlock, succ int) bool { return neverDoneEdge(b, succ, bg) }) {
		return
	}
	loop := c.cyclePos(body, reachableBlocks(body))
	if !loop.IsValid() {
		return
	}
	what := "the goroutine"
	if body.Parent() == nil {
		what = displayName(body)
	}
	c.report(analysis.Diagnostic{
		Pos:      g.Pos(),
		Category: catForever,
		Message: fmt.Sprintf("goroutine never stops: %s returns only once its context is done, and this go statement gives it context.Background(), which never is; "+
			"pass a context that is cancelled when the goroutine must stop", what),
		Related: []analysis.RelatedInformation{{Pos: loop, Message: "it never leaves this loop"}},
	})
}

// reachableBlocks marks the blocks reachable from fn's entry.
func reachableBlocks(fn *ssa.Function) []bool {
	seen := make([]bool, len(fn.Blocks))
	if len(fn.Blocks) == 0 {
		return seen
	}
	stack := []*ssa.BasicBlock{fn.Blocks[0]}
	seen[0] = true
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range b.Succs {
			if !seen[s.Index] {
				seen[s.Index] = true
				stack = append(stack, s)
			}
		}
	}
	return seen
}

// spawned returns the function a go statement or a spawner call runs on a
// new goroutine, and the position of the statement.
func (c *checker) spawned(instr ssa.Instruction) (*ssa.Function, token.Pos) {
	switch instr := instr.(type) {
	case *ssa.Go:
		fn, _ := c.prog.Callee(instr.Common())
		return origin(fn), instr.Pos()
	case *ssa.Call:
		_, obj := c.prog.Callee(instr.Common())
		if obj == nil {
			return nil, token.NoPos
		}
		i, ok := catalog.Spawners[obj.FullName()]
		args := program.Args(instr.Common())
		if !ok || i >= len(args) {
			return nil, token.NoPos
		}
		if catalog.AfterDone[obj.FullName()] == i+1 || obj.FullName() == "time.AfterFunc" {
			return nil, token.NoPos // runs once, later: not a loop the caller waits on
		}
		switch f := args[i].(type) {
		case *ssa.Function:
			return origin(f), instr.Pos()
		case *ssa.MakeClosure:
			return f.Fn.(*ssa.Function), instr.Pos()
		}
	}
	return nil, token.NoPos
}

// origin returns the generic function an instance was made from, whose
// body is the one built.
func origin(fn *ssa.Function) *ssa.Function {
	if fn != nil && fn.Origin() != nil {
		return fn.Origin()
	}
	return fn
}

// daemon reports whether the goroutine at pos running body is marked as
// living for the process: on the go statement's line, the enclosing
// function, or body's own declaration or literal.
func (c *checker) daemon(at token.Pos, body *ssa.Function) bool {
	if c.dirs.Applies(at, directive.Daemon) != nil {
		return true
	}
	if body.Pkg != c.prog.Pkg {
		return false
	}
	decl, lit := program.Syntax(body)
	return c.dirs.OnFunc(decl, lit, directive.Daemon) != nil
}

func (c *checker) reportForever(at token.Pos, body *ssa.Function, s *Summary) {
	what := "the goroutine"
	if body.Parent() == nil {
		what = displayName(body)
	}
	var related []analysis.RelatedInformation
	how := s.Loop
	if body.Pkg == c.prog.Pkg {
		if pos, why := c.foreverLoop(body); pos.IsValid() {
			how = fmt.Sprintf(why, fmt.Sprintf("line %d", c.line(pos)))
			related = append(related, analysis.RelatedInformation{Pos: pos, Message: "it never leaves this loop"})
		}
	}
	starter := "everything that started it"
	if c.inTest(at) {
		starter = "the test that started it"
	}
	c.report(analysis.Diagnostic{
		Pos:      at,
		Category: catForever,
		Message: fmt.Sprintf("goroutine never stops: %s %s, so it outlives %s (goleak reports it); "+
			"return when a context is done or a quit channel is closed, or mark a process-lifetime goroutine //asynclint:daemon <reason>",
			what, how, starter),
		Related: related,
	})
}

// processLifetime reports whether goroutines started in fn live as long as
// the process by design: fn is main.main or an init function, or a
// function literal inside one.
func processLifetime(fn *ssa.Function) bool {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	if fn.Signature.Recv() != nil || fn.Pkg == nil {
		return false
	}
	if fn.Name() == "init" || strings.HasPrefix(fn.Name(), "init#") {
		return true
	}
	return fn.Name() == "main" && fn.Pkg.Pkg.Name() == "main"
}

// startup reports whether fn runs once, as the process starts: it is
// main.main or an init function (or a literal inside one), or, in a main
// package, a function called only from such functions and never taken as
// a value — startFeeds() called from main starts process-lifetime
// goroutines as main itself would.
func (c *checker) startup(fn *ssa.Function) bool {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	if processLifetime(fn) {
		return true
	}
	if c.prog.Pkg.Pkg.Name() != "main" || fn.Signature.Recv() != nil {
		return false
	}
	if c.startupOnly == nil {
		c.startupOnly = c.startupFuncs()
	}
	return c.startupOnly[fn]
}

// startupFuncs returns the package-level functions of a main package
// that only main, init and other such functions call.
func (c *checker) startupFuncs() map[*ssa.Function]bool {
	u := c.funcUses()
	out := map[*ssa.Function]bool{}
	for changed := true; changed; {
		changed = false
		for _, fn := range c.prog.Funcs {
			if fn.Parent() != nil || out[fn] || u.asValue[fn] || fn.Signature.Recv() != nil || !c.onlyCalledAtStartup(fn, out) {
				continue
			}
			out[fn] = true
			changed = true
		}
	}
	return out
}

// onlyCalledAtStartup reports whether fn has callers and all are direct
// calls from functions that run at startup (process-lifetime ones, or
// those found so far): a go or defer of fn hands it on as a value would.
func (c *checker) onlyCalledAtStartup(fn *ssa.Function, startup map[*ssa.Function]bool) bool {
	sites := c.funcUses().direct[fn]
	for _, site := range sites {
		if _, ok := site.(*ssa.Call); !ok {
			return false
		}
		caller := site.Parent()
		for caller.Parent() != nil {
			caller = caller.Parent()
		}
		if !processLifetime(caller) && !startup[caller] {
			return false
		}
	}
	return len(sites) > 0
}

// onceRunners run their function argument at most once per process (per
// Once value): a goroutine started there is a singleton, started lazily
// for the life of the process, as os/signal starts its loop.
var onceRunners = map[string]bool{
	"(*sync.Once).Do": true,
	"sync.OnceFunc":   true,
	"sync.OnceValue":  true,
	"sync.OnceValues": true,
}

// runOnce reports whether fn is a function literal handed to a Once.
func (c *checker) runOnce(fn *ssa.Function) bool {
	parent := fn.Parent()
	if parent == nil {
		return false
	}
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			_, obj := c.prog.Callee(call.Common())
			if obj == nil || !onceRunners[obj.Origin().FullName()] {
				continue
			}
			for _, a := range call.Call.Args {
				if a == fn {
					return true
				}
				if mc, ok := a.(*ssa.MakeClosure); ok && mc.Fn == fn {
					return true
				}
			}
		}
	}
	return false
}

func shortFile(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}
