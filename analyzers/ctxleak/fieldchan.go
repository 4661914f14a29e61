package ctxleak

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/program"

	"github.com/asynclint/asynclint/analyzers/internal/obligation"
)

// fieldChan is what the package does with a channel kept in a field.
type fieldChan struct {
	makes    []*ssa.MakeChan
	buffered bool // some make has a buffer, or one of unknown size
	escapes  bool // the channel goes where the package cannot follow it
	// recvOut: it leaves the package only receive-only (an exported
	// accessor returning <-chan T): others may receive from it, but
	// cannot send on or close it.
	recvOut bool
}

// checkFieldChannels reports operations on a channel field that can never
// complete: a receive when nothing in the package sends on or closes the
// field, a send when nothing receives from it and it has no buffer or
// runs in a loop (a buffer nothing drains fills up). Only
// unexported fields of the package's own types, whose channels never
// leave the package's sight (not passed to a function, returned from an
// exported one, stored elsewhere or made into an interface), and are
// always made in the package.
func (c *checker) checkFieldChannels() {
	for obj, ops := range c.syncOps() {
		fc := c.ownChanField(obj)
		if fc == nil {
			continue
		}
		counts := map[opKind]int{}
		for _, op := range ops {
			counts[op.kind]++
		}
		for _, op := range ops {
			if !op.blocking {
				continue
			}
			switch {
			case op.kind == opRecv && counts[opSend] == 0 && counts[opClose] == 0:
				c.reportNeverMatched(obj, op, fc, "receive from", "sends on or closes", "close it (or send on it) where what the receive waits for happens, or remove the receive")
			case op.kind == opSend && counts[opRecv] == 0 && !fc.recvOut && (!fc.buffered || c.repeats(op.instr)):
				c.reportNeverMatched(obj, op, fc, "send on", "receives from", "receive from it where the value is wanted, or remove the send")
			}
		}
	}
}

// ownChanField returns what the package does with the channel field
// obj, when it is an unexported channel field of the package's own types
// whose channels the package makes and keeps in sight; nil otherwise.
func (c *checker) ownChanField(obj object) *fieldChan {
	if obj.field == nil || obj.field.Exported() || obj.field.Pkg() != c.pass.Pkg {
		return nil
	}
	if _, ok := obj.field.Type().Underlying().(*types.Chan); !ok {
		return nil
	}
	fc := c.fieldChanOf(obj.field)
	if fc.escapes || len(fc.makes) == 0 {
		return nil
	}
	return fc
}

// repeats reports whether instr runs again and again: it is in a loop, or
// its function is called in one. A buffer that nothing drains fills up.
func (c *checker) repeats(instr ssa.Instruction) bool {
	if program.OnCycle(instr.Block()) {
		return true
	}
	for _, call := range c.callsOf(instr.Parent()) {
		if program.OnCycle(call.Block()) {
			return true
		}
	}
	return false
}

// fieldChanOf follows every use of the field's channels in the package.
func (c *checker) fieldChanOf(f *types.Var) *fieldChan {
	if fc, ok := c.fieldChans[f]; ok {
		return fc
	}
	fc := &fieldChan{}
	if c.fieldChans == nil {
		c.fieldChans = map[*types.Var]*fieldChan{}
	}
	c.fieldChans[f] = fc
	getters := map[*ssa.Function]bool{}
	for _, instr := range c.fieldAccesses() {
		switch instr := instr.(type) {
		case *ssa.FieldAddr:
			if o, ok := fieldObject(instr.X.Type(), instr.Field); !ok || o.field != f {
				continue
			}
			for _, r := range *instr.Referrers() {
				switch r := r.(type) {
				case *ssa.Store:
					c.assigned(fc, r.Val, f)
				case *ssa.UnOp:
					c.chanValueUses(fc, r, getters, 0)
				case *ssa.DebugRef:
				default:
					fc.escapes = true
				}
			}
		case *ssa.Field:
			if o, ok := fieldObject(instr.X.Type(), instr.Field); ok && o.field == f {
				c.chanValueUses(fc, instr, getters, 0)
			}
		}
	}
	return fc
}

// fieldAccesses returns, once per run, the package's FieldAddr and Field
// instructions in source order.
func (c *checker) fieldAccesses() []ssa.Instruction {
	if c.fields == nil {
		c.fields = []ssa.Instruction{}
		for _, fn := range c.prog.Funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					switch instr.(type) {
					case *ssa.FieldAddr, *ssa.Field:
						c.fields = append(c.fields, instr)
					}
				}
			}
		}
	}
	return c.fields
}

// assigned records a value stored into the field. A channel made for it
// and also used on its own (kept in a variable that is received from)
// is not the field's alone.
func (c *checker) assigned(fc *fieldChan, v ssa.Value, f *types.Var) {
	switch v := v.(type) {
	case *ssa.MakeChan:
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.Store:
				fa, ok := r.Addr.(*ssa.FieldAddr)
				if o, isField := fieldObject(fa.X.Type(), fa.Field); !ok || !isField || o.field != f || r.Val != v {
					fc.escapes = true
				}
			default:
				fc.escapes = true
			}
		}
		fc.makes = append(fc.makes, v)
		k, ok := v.Size.(*ssa.Const)
		if !ok || k.Value == nil || k.Value.Kind() != constant.Int || constant.Sign(k.Value) != 0 {
			fc.buffered = true
		}
	case *ssa.Const:
		if !v.IsNil() {
			fc.escapes = true
		}
	default:
		fc.escapes = true // a channel from elsewhere
	}
}

// chanValueUses checks the uses of a channel read from the field: sends,
// receives, selects, close, len, cap and nil tests are seen; so is the
// result of an unexported function of the package that returns it.
func (c *checker) chanValueUses(fc *fieldChan, v ssa.Value, getters map[*ssa.Function]bool, depth int) {
	if depth > 3 {
		fc.escapes = true
		return
	}
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.Send:
			if r.X == v {
				fc.escapes = true
			}
		case *ssa.UnOp, *ssa.Select, *ssa.DebugRef, *ssa.BinOp:
		case *ssa.ChangeType:
			c.chanValueUses(fc, r, getters, depth+1)
		case ssa.CallInstruction:
			bi, ok := r.Common().Value.(*ssa.Builtin)
			if !ok || (bi.Name() != "close" && bi.Name() != "len" && bi.Name() != "cap") {
				fc.escapes = true
			}
		case *ssa.Return:
			fn := r.Parent()
			if fn.Parent() != nil || fn.Object() == nil || len(r.Results) != 1 {
				fc.escapes = true
				continue
			}
			if fn.Object().Exported() {
				if ch, ok := r.Results[0].Type().Underlying().(*types.Chan); ok && ch.Dir() == types.RecvOnly {
					fc.recvOut = true
				} else {
					fc.escapes = true
					continue
				}
			}
			if getters[fn] {
				continue
			}
			getters[fn] = true
			c.getterUses(fc, fn, getters, depth)
		default:
			fc.escapes = true
		}
	}
}

// getterUses follows the results of the calls of a getter; taken as a
// value, it hands the channel to who knows whom.
func (c *checker) getterUses(fc *fieldChan, getter *ssa.Function, getters map[*ssa.Function]bool, depth int) {
	u := c.funcUses()
	if u.asValue[getter] {
		fc.escapes = true
	}
	for _, site := range u.direct[getter] {
		if call, ok := site.(*ssa.Call); ok {
			c.chanValueUses(fc, call, getters, depth+1)
		} else {
			fc.escapes = true // started or deferred: its result is dropped
		}
	}
}

func (c *checker) reportNeverMatched(obj object, op *syncOp, fc *fieldChan, what, missing, fix string) {
	c.report(analysis.Diagnostic{
		Pos:      op.pos,
		Category: catStranded,
		Message: fmt.Sprintf("%s %s blocks forever: nothing in this package %s it, and its channel goes nowhere else; "+
			"the goroutine doing it (%s) leaks; %s", what, describeObject(obj), missing, displayName(op.fn()), fix),
		Related: []analysis.RelatedInformation{{Pos: fc.makes[0].Pos(), Message: "the channel is made here"}},
	})
}

// checkServiceLoops reports sends that wait for a service goroutine which
// may already have returned: every receive of an unbuffered channel field
// is in a loop of a function run as a goroutine that can return (on a
// stop channel, a context, an error), and a send elsewhere waits on the
// channel alone. Once the loop has returned, the send blocks forever.
func (c *checker) checkServiceLoops() {
	for obj, ops := range c.syncOps() {
		fc := c.ownChanField(obj)
		if fc == nil || fc.recvOut || fc.buffered {
			continue
		}
		loops := map[*ssa.Function]*ssa.Return{}
		ok := true
		for _, op := range ops {
			switch op.kind {
			case opRecv:
				ret := c.serviceLoopExit(op)
				if ret == nil {
					ok = false
				}
				loops[op.fn()] = ret
			case opClose:
				ok = false // closed: its senders panic rather than wait
			}
		}
		if !ok || len(loops) == 0 {
			continue
		}
		for _, op := range ops {
			if op.kind != opSend || !op.blocking || loops[op.fn()] != nil || c.inTest(op.pos) {
				continue // a test orders its calls around the loop's life
			}
			c.reportServiceGone(obj, op, loops)
		}
	}
}

// alwaysBackground returns fn's parameters that every go statement of the
// package starting fn binds to a context that is never done.
func (c *checker) alwaysBackground(fn *ssa.Function) map[int]bool {
	var out map[int]bool
	starts := 0
	for _, g := range c.funcUses().goStmts {
		if callee, _ := c.prog.Callee(g.Common()); origin(callee) != fn {
			continue
		}
		starts++
		bg := backgroundArgs(g)
		if out == nil {
			out = bg
			continue
		}
		for i := range out {
			if !bg[i] {
				delete(out, i)
			}
		}
	}
	if c.startedAsGoroutine(fn); starts != len(c.goSpawners[fn]) {
		return nil // also started another way, with who knows what context
	}
	return out
}

func (c *checker) inTest(pos token.Pos) bool {
	return strings.HasSuffix(c.pass.Fset.Position(pos).Filename, "_test.go")
}

// serviceLoopExit returns a return through which the function receiving
// in op stops receiving: op is in a loop of a function started as a
// goroutine, and a return is reachable from it. Nil otherwise.
func (c *checker) serviceLoopExit(op *syncOp) *ssa.Return {
	fn := op.fn()
	if !program.OnCycle(op.instr.Block()) || !c.startedAsGoroutine(fn) {
		return nil
	}
	// Started only as the process starts, it serves until the process
	// ends, whatever its loop could do.
	if !slices.ContainsFunc(c.goSpawners[fn], func(s *ssa.Function) bool { return !c.startup(s) }) {
		return nil
	}
	// Paths that leave because the channel was closed do not count:
	// nothing closes it. Nor do those that leave once a context is done
	// that every go statement starting fn makes context.Background().
	bg := c.alwaysBackground(fn)
	// Nor does a return through the case that receives from the channel
	// itself: that is a stop signal, and its send is what is answered.
	sel, _ := op.instr.(*ssa.Select)
	own := -1
	if sel != nil {
		own = slices.IndexFunc(sel.States, func(st *ssa.SelectState) bool { return st.Pos == op.pos })
	}
	return returnFrom(op.instr.Block(), func(b *ssa.BasicBlock, i int) bool {
		if i == 1 && closedEdge(b, op.obj) || neverDoneEdge(b, i, bg) {
			return true
		}
		s, k, ok := chanSelectEdge(b)
		return ok && i == 0 && s == sel && k == own
	})
}

// closedEdge reports whether b ends in a test of a receive's ok from the
// object's channel: its false edge is taken only once the channel is
// closed.
func closedEdge(b *ssa.BasicBlock, obj object) bool {
	recv := okTest(b)
	if recv == nil {
		return false
	}
	o, ok := objectOf(recv.X)
	return ok && o == obj
}

// startedAsGoroutine reports whether some go statement of the package runs
// fn, directly or as what a goroutine's function literal calls
// (go func() { a.Run(ctx) }()).
func (c *checker) startedAsGoroutine(fn *ssa.Function) bool {
	c.indexGoroutines()
	return c.goBodies[fn]
}

// indexGoroutines records, once per run, which functions run on
// goroutines, who starts them, and where (spawns).
func (c *checker) indexGoroutines() {
	if c.goBodies == nil {
		c.goBodies = map[*ssa.Function]bool{}
		c.goSpawners = map[*ssa.Function][]*ssa.Function{}
		for _, f := range c.prog.Funcs {
			for _, b := range f.Blocks {
				for _, instr := range b.Instrs {
					body, at := c.spawned(instr)
					if body == nil {
						continue
					}
					c.spawns = append(c.spawns, spawn{instr, body, at})
					c.goBodies[body] = true
					c.goSpawners[body] = append(c.goSpawners[body], f)
					if body.Parent() == nil {
						continue
					}
					for _, bb := range body.Blocks {
						for _, in := range bb.Instrs {
							if call, ok := in.(*ssa.Call); ok {
								if callee, _ := c.prog.Callee(call.Common()); callee != nil && callee.Pkg == c.prog.Pkg {
									c.goBodies[origin(callee)] = true
									c.goSpawners[origin(callee)] = append(c.goSpawners[origin(callee)], f)
								} else if i := runnerParam(f, call.Call.Value); i >= 0 {
									c.runnerArgs(f, i)
								}
							}
						}
					}
				}
			}
		}
	}
}

// runnerParam returns the index of f's parameter that v, a function value
// called on a goroutine f starts, is: f is a runner such as
// RunWorker(ctx, fn) or Start(fn). -1 otherwise.
func runnerParam(f *ssa.Function, v ssa.Value) int {
	if ld, ok := v.(*ssa.UnOp); ok && ld.Op == token.MUL {
		if fv, ok := ld.X.(*ssa.FreeVar); ok {
			if a, ok := binding(fv).(*ssa.Alloc); ok {
				if st := onlyStore(a); st != nil {
					v = st.Val
				}
			}
		}
	}
	if fv, ok := v.(*ssa.FreeVar); ok {
		v = binding(fv)
	}
	if p, ok := v.(*ssa.Parameter); ok && p.Parent() == f {
		for i, q := range f.Params {
			if q == p {
				return i
			}
		}
	}
	return -1
}

// runnerArgs marks the functions passed as argument i to the runner f as
// run on goroutines.
func (c *checker) runnerArgs(f *ssa.Function, i int) {
	for _, call := range c.callsOf(f) {
		if i >= len(call.Call.Args) {
			continue
		}
		var fn *ssa.Function
		switch a := call.Call.Args[i].(type) {
		case *ssa.Function:
			fn = a
		case *ssa.MakeClosure:
			fn = a.Fn.(*ssa.Function)
		}
		if fn != nil {
			c.goBodies[fn] = true
			c.goSpawners[fn] = append(c.goSpawners[fn], call.Parent())
			c.runnerCalls = append(c.runnerCalls, runnerCall{call, fn})
		}
	}
}

// A spawn is a go statement or spawner call (at) that runs body on a new
// goroutine.
type spawn struct {
	instr ssa.Instruction
	body  *ssa.Function
	at    token.Pos
}

// A runnerCall hands body to a runner that calls it on a goroutine.
type runnerCall struct {
	call *ssa.Call
	body *ssa.Function
}

func (c *checker) reportServiceGone(obj object, op *syncOp, loops map[*ssa.Function]*ssa.Return) {
	var loop *ssa.Function
	for fn := range loops {
		if loop == nil || fn.Pos() < loop.Pos() {
			loop = fn
		}
	}
	ret := loops[loop]
	exit := obligation.ExitPos(ret)
	c.report(analysis.Diagnostic{
		Pos:      op.pos,
		Category: catStranded,
		Message: fmt.Sprintf("send on %s blocks forever once %s, the goroutine that receives it, has returned (it can, at line %d): "+
			"the goroutine sending leaks; send in a select that also watches what stops %s", describeObject(obj), displayName(loop),
			c.line(exit), displayName(loop)),
		Related: []analysis.RelatedInformation{{Pos: exit, Message: "the receiving loop returns here"}},
	})
}
