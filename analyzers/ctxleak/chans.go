package ctxleak

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"
)

// Rule 1: stranded senders and receivers.
//
// A channel made in a function is followed through every use: the
// variables that hold it, the closures that capture it, the goroutines and
// the same-package functions it is handed to. When one use is out of sight
// (stored in a field, returned, converted to an interface, passed to a
// function of another package, merged with another value) the channel is
// given up on. Otherwise its operations are sorted into the parent's (the
// function that made it, and what it calls) and each goroutine's, and two
// questions are asked:
//
//   - a goroutine sends, blocking, and only the parent receives: is there a
//     path on which the parent returns while a sender still has a value to
//     hand over? (the select-with-a-timeout shape, the return on the first
//     error among many senders, the break out of a range over the channel)
//   - a goroutine receives, blocking: does anything ever send or close? does
//     a range over the channel ever end?

// chanOpKind is what an operation does to the channel.
type chanOpKind int

const (
	chSend chanOpKind = iota
	chRecv
	chClose
)

// chanOp is one operation on the channel.
type chanOp struct {
	instr ssa.Instruction // *ssa.Send, *ssa.UnOp (<-), *ssa.Select, close call
	kind  chanOpKind
	state int     // the select case, for a *ssa.Select
	g     *ssa.Go // the go statement of the goroutine it runs in; nil: the parent
	// blocking: the operation waits for the other side with no way out (a
	// plain send or receive, or a select with no other case).
	blocking bool
}

func (o *chanOp) fn() *ssa.Function { return o.instr.Parent() }

// chanFlow is what the uses of one channel show.
type chanFlow struct {
	c      *checker
	mk     *ssa.MakeChan
	parent *ssa.Function
	ops    []*chanOp
	gos    []*ssa.Go // go statements of the parent handing the channel to a goroutine
	vals   map[ssa.Value]bool
	seen   map[chanFlowKey]bool
	lost   bool // some use is out of sight
	// siblings are the followed channels made in the same function.
	siblings []*chanFlow
}

type chanFlowKey struct {
	v ssa.Value
	g *ssa.Go
}

// maxChanFlow bounds how many values one channel's uses are followed through.
const maxChanFlow = 400

func (c *checker) checkChannels() {
	names := c.chanNames()
	for _, fn := range c.prog.Funcs {
		var flows []*chanFlow
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				mk, ok := instr.(*ssa.MakeChan)
				if !ok {
					continue
				}
				f := &chanFlow{c: c, mk: mk, parent: fn, vals: map[ssa.Value]bool{}, seen: map[chanFlowKey]bool{}}
				f.value(mk, nil)
				if !f.lost {
					flows = append(flows, f)
				}
			}
		}
		for _, f := range flows {
			f.siblings = flows
			name := names[f.mk.Pos()]
			if name == "" {
				name = "the channel"
			}
			c.strandedSenders(f, name)
			c.starvedReceivers(f, name)
		}
	}
}

// fedBy reports whether v is a channel of the parent's that goroutine g
// sends on or closes: a case receiving from it is g's answer, not a way
// out that strands g.
func (f *chanFlow) fedBy(v ssa.Value, g *ssa.Go) bool {
	for _, s := range f.siblings {
		if s == f || !s.vals[v] {
			continue
		}
		for _, op := range s.ops {
			if op.g == g && op.kind != chRecv {
				return true
			}
		}
	}
	return false
}

// value follows the uses of v, the channel, in goroutine g.
func (f *chanFlow) value(v ssa.Value, g *ssa.Go) {
	if !f.first(v, g) {
		return
	}
	if len(f.seen) > maxChanFlow {
		f.lost = true
		return
	}
	f.vals[v] = true
	refs := v.Referrers()
	if refs == nil {
		return
	}
	for _, r := range *refs {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Send:
			if r.X == v {
				f.lost = true
				return
			}
			f.ops = append(f.ops, &chanOp{instr: r, kind: chSend, g: g, blocking: true})
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				f.lost = true
				return
			}
			f.ops = append(f.ops, &chanOp{instr: r, kind: chRecv, g: g, blocking: true})
		case *ssa.Select:
			for i, st := range r.States {
				if st.Send == v {
					f.lost = true
					return
				}
				if st.Chan != v {
					continue
				}
				kind := chRecv
				if st.Dir == types.SendOnly {
					kind = chSend
				}
				f.ops = append(f.ops, &chanOp{instr: r, kind: kind, state: i, g: g,
					blocking: r.Blocking && len(r.States) == 1})
			}
		case *ssa.ChangeType:
			f.value(r, g)
		case *ssa.BinOp:
			// ch == nil
		case *ssa.Store:
			a, ok := r.Addr.(*ssa.Alloc)
			if !ok || r.Val != v || onlyStore(a) != r {
				f.lost = true
				return
			}
			f.cell(a, g)
		case *ssa.MakeClosure:
			for i, b := range r.Bindings {
				if b == v {
					f.closure(r, i, false, g)
				}
			}
		case ssa.CallInstruction:
			f.call(r, v, g)
		default:
			f.lost = true
			return
		}
	}
}

// first marks v as followed in goroutine g: false if it already was, or
// the channel is given up on.
func (f *chanFlow) first(v ssa.Value, g *ssa.Go) bool {
	k := chanFlowKey{v, g}
	if f.lost || f.seen[k] {
		return false
	}
	f.seen[k] = true
	return true
}

// cell follows the loads of a variable (or captured variable) that holds
// the channel and is never written again.
func (f *chanFlow) cell(p ssa.Value, g *ssa.Go) {
	if !f.first(p, g) {
		return
	}
	for _, r := range *p.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if _, ok := p.(*ssa.Alloc); !ok || r.Addr != p {
				f.lost = true
				return
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				f.lost = true
				return
			}
			f.value(r, g)
		case *ssa.MakeClosure:
			for i, b := range r.Bindings {
				if b == p {
					f.closure(r, i, true, g)
				}
			}
		default:
			f.lost = true
			return
		}
	}
}

// closure follows the channel into the closure mc captures it in (as its
// i-th free variable; ptr: by reference), in every goroutine it runs in.
func (f *chanFlow) closure(mc *ssa.MakeClosure, i int, ptr bool, g *ssa.Go) {
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok || i >= len(fn.FreeVars) {
		f.lost = true
		return
	}
	fv := fn.FreeVars[i]
	for _, r := range *mc.Referrers() {
		var rg *ssa.Go
		switch r := r.(type) {
		case *ssa.DebugRef:
			continue
		case *ssa.Call, *ssa.Defer:
			if r.(ssa.CallInstruction).Common().Value != mc {
				f.lost = true // handed to a function: called who knows where
				return
			}
			rg = g
		case *ssa.Go:
			if r.Call.Value != mc || !f.spawn(r, g) {
				f.lost = true
				return
			}
			rg = r
		default:
			f.lost = true
			return
		}
		if ptr {
			f.cell(fv, rg)
		} else {
			f.value(fv, rg)
		}
	}
}

// spawn records a go statement that hands the channel to a goroutine: only
// goroutines the parent starts itself are followed.
func (f *chanFlow) spawn(gs *ssa.Go, g *ssa.Go) bool {
	if g != nil || gs.Parent() != f.parent {
		return false
	}
	for _, x := range f.gos {
		if x == gs {
			return true
		}
	}
	f.gos = append(f.gos, gs)
	return true
}

// call follows the channel v into a call, go or defer that takes it as an
// argument.
func (f *chanFlow) call(ci ssa.CallInstruction, v ssa.Value, g *ssa.Go) {
	common := ci.Common()
	if b, ok := common.Value.(*ssa.Builtin); ok {
		switch b.Name() {
		case "close":
			f.ops = append(f.ops, &chanOp{instr: ci, kind: chClose, g: g})
		case "len", "cap":
		default:
			f.lost = true
		}
		return
	}
	if common.IsInvoke() || common.Value == v {
		f.lost = true
		return
	}
	callee := common.StaticCallee()
	// Only this package's functions are followed, and synthetic ones
	// that belong to no package.
	if callee == nil || len(callee.Blocks) == 0 ||
		callee.Pkg != f.c.prog.Pkg && (callee.Synthetic == "" || callee.Pkg != nil) {
		f.lost = true
		return
	}
	ng := g
	if gs, ok := ci.(*ssa.Go); ok {
		if !f.spawn(gs, g) {
			f.lost = true
			return
		}
		ng = gs
	}
	for i, a := range common.Args {
		if a == v {
			if i >= len(callee.Params) {
				f.lost = true
				return
			}
			f.value(callee.Params[i], ng)
		}
	}
}

// chanNames maps the Lparen of each make call to the variable it is
// assigned to.
func (c *checker) chanNames() map[token.Pos]string {
	names := map[token.Pos]string{}
	for _, file := range c.pass.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			var lhs []ast.Expr
			var rhs []ast.Expr
			switch n := n.(type) {
			case *ast.AssignStmt:
				lhs, rhs = n.Lhs, n.Rhs
			case *ast.ValueSpec:
				for _, id := range n.Names {
					lhs = append(lhs, id)
				}
				rhs = n.Values
			default:
				return true
			}
			if len(lhs) != len(rhs) {
				return true
			}
			for i, r := range rhs {
				call, ok := ast.Unparen(r).(*ast.CallExpr)
				if !ok {
					continue
				}
				switch l := lhs[i].(type) {
				case *ast.Ident:
					names[call.Lparen] = l.Name
				case *ast.SelectorExpr:
					names[call.Lparen] = l.Sel.Name
				}
			}
			return true
		})
	}
	return names
}

// chanMakeCall returns the make call at pos.
func (c *checker) chanMakeCall(pos token.Pos) *ast.CallExpr {
	for _, n := range c.pathAt(pos) {
		if call, ok := n.(*ast.CallExpr); ok && call.Lparen == pos {
			return call
		}
	}
	return nil
}

// pathAt returns the syntax nodes that enclose the token at pos, innermost
// first.
func (c *checker) pathAt(pos token.Pos) []ast.Node {
	file := c.fileOf(pos)
	if file == nil || !pos.IsValid() {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(file, pos, pos)
	return path
}

// chanCap returns the channel's buffer size when it is a constant.
func chanCap(mk *ssa.MakeChan) (int64, bool) {
	k, ok := mk.Size.(*ssa.Const)
	if !ok || k.Value == nil {
		return 0, false
	}
	n, ok := constant.Int64Val(constant.ToInt(k.Value))
	return n, ok
}
