package ctxleak

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// The operations that wait for, or wake, another goroutine.
type opKind int

const (
	opSend opKind = iota
	opRecv
	opClose
	opWait
	opDone
	opAcquire  // Lock
	opRAcquire // RLock
)

// A syncOp is one operation on an object, where the package performs it.
type syncOp struct {
	kind  opKind
	obj   object
	instr ssa.Instruction
	pos   token.Pos
	// blocking: a send or receive outside a select, or in a select with
	// no other case and no default; a Wait.
	blocking bool
	deferred bool
}

func (o *syncOp) fn() *ssa.Function { return o.instr.Parent() }

// syncOps returns, once per run, the package's operations on objects,
// by object.
func (c *checker) syncOps() map[object][]*syncOp {
	if c.ops != nil {
		return c.ops
	}
	c.ops = map[object][]*syncOp{}
	c.opsAt = map[ssa.Instruction][]*syncOp{}
	add := func(op *syncOp) {
		if op.obj.valid() {
			c.ops[op.obj] = append(c.ops[op.obj], op)
			c.opsAt[op.instr] = append(c.opsAt[op.instr], op)
		}
	}
	for _, fn := range c.prog.Funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch instr := instr.(type) {
				case *ssa.Send:
					o := c.chanObject(instr.Chan)
					add(&syncOp{kind: opSend, obj: o, instr: instr, pos: instr.Pos(), blocking: true})
				case *ssa.UnOp:
					if instr.Op == token.ARROW {
						o := c.chanObject(instr.X)
						add(&syncOp{kind: opRecv, obj: o, instr: instr, pos: instr.Pos(), blocking: true})
					}
				case *ssa.Select:
					alone := instr.Blocking && len(instr.States) == 1
					for _, st := range instr.States {
						o := c.chanObject(st.Chan)
						k := opRecv
						if st.Dir == types.SendOnly {
							k = opSend
						}
						add(&syncOp{kind: k, obj: o, instr: instr, pos: st.Pos, blocking: alone})
					}
				case ssa.CallInstruction:
					if _, isGo := instr.(*ssa.Go); isGo {
						continue
					}
					_, deferred := instr.(*ssa.Defer)
					common := instr.Common()
					if bi, ok := common.Value.(*ssa.Builtin); ok && bi.Name() == "close" && len(common.Args) == 1 {
						o := c.chanObject(common.Args[0])
						add(&syncOp{kind: opClose, obj: o, instr: instr, pos: common.Pos(), deferred: deferred})
						continue
					}
					sc, ok := syncMethod(common)
					if !ok {
						continue
					}
					o, _ := objectOf(sc.recv)
					op := &syncOp{obj: o, instr: instr, pos: common.Pos(), deferred: deferred}
					switch {
					case sc.typ == "WaitGroup" && sc.method == "Wait":
						op.kind, op.blocking = opWait, !deferred
					case sc.typ == "WaitGroup" && isDone(sc):
						op.kind = opDone
					case sc.method == "Lock":
						op.kind = opAcquire
					case sc.method == "RLock":
						op.kind = opRAcquire
					default:
						continue
					}
					add(op)
				}
			}
		}
	}
	return c.ops
}

// chanObject returns the object a channel value refers to: objectOf's,
// or for a parameter of an unexported function that is only ever called
// (or started) directly, the object every call site passes, when they all
// pass the same one (go monitor(c, h.stop)).
func (c *checker) chanObject(v ssa.Value) object {
	if o, ok := objectOf(v); ok {
		return o
	}
	p, ok := v.(*ssa.Parameter)
	if !ok {
		return object{}
	}
	fn := p.Parent()
	if fn.Parent() != nil || fn.Object() == nil || fn.Object().Exported() || c.takenAsValue()[fn] {
		return object{}
	}
	idx := slices.Index(fn.Params, p)
	var o object
	n := 0
	for _, site := range c.sitesOf(fn) {
		args := site.Common().Args
		if idx < 0 || idx >= len(args) {
			return object{}
		}
		ao, ok := objectOf(args[idx])
		if !ok || n > 0 && ao != o {
			return object{}
		}
		o, n = ao, n+1
	}
	return o
}

// sitesOf returns the package's direct calls and go statements of fn.
func (c *checker) sitesOf(fn *ssa.Function) []ssa.CallInstruction {
	var out []ssa.CallInstruction
	for _, call := range c.callsOf(fn) {
		out = append(out, call)
	}
	for _, g := range c.funcUses().gos[fn] {
		out = append(out, g)
	}
	return out
}

// takenAsValue returns the package's functions used other than by being
// called or started directly: their callers are not all in sight.
func (c *checker) takenAsValue() map[*ssa.Function]bool {
	return c.funcUses().asValue
}

// funcUses is how the package's code refers to functions, indexed once
// per run.
type funcUses struct {
	// asValue: functions used other than as the callee of a call, go or
	// defer.
	asValue map[*ssa.Function]bool
	// direct: the calls, go and defer statements whose callee value is
	// the function itself, in source order.
	direct map[*ssa.Function][]ssa.CallInstruction
	// gos: the go statements, by static callee.
	gos map[*ssa.Function][]*ssa.Go
	// goStmts: every go statement, in source order.
	goStmts []*ssa.Go
}

func (c *checker) funcUses() *funcUses {
	if c.uses != nil {
		return c.uses
	}
	u := &funcUses{
		asValue: map[*ssa.Function]bool{},
		direct:  map[*ssa.Function][]ssa.CallInstruction{},
		gos:     map[*ssa.Function][]*ssa.Go{},
	}
	for _, f := range c.prog.Funcs {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				var callee ssa.Value
				if ci, ok := instr.(ssa.CallInstruction); ok {
					callee = ci.Common().Value
					if fn, ok := callee.(*ssa.Function); ok {
						u.direct[fn] = append(u.direct[fn], ci)
					}
				}
				if g, ok := instr.(*ssa.Go); ok {
					u.goStmts = append(u.goStmts, g)
					if fn := g.Call.StaticCallee(); fn != nil {
						u.gos[fn] = append(u.gos[fn], g)
					}
				}
				for _, op := range instr.Operands(nil) {
					if fn, ok := (*op).(*ssa.Function); ok && *op != callee {
						u.asValue[fn] = true
					}
				}
			}
		}
	}
	c.uses = u
	return u
}
