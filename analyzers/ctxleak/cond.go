package ctxleak

import (
	"fmt"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// condCall recognises a call of a sync.Cond method: its name and the
// receiver (the *sync.Cond).
func condCall(common *ssa.CallCommon) (string, ssa.Value, bool) {
	if common.IsInvoke() || len(common.Args) == 0 {
		return "", nil, false
	}
	typ, method, ok := syncMethodOf(common.StaticCallee())
	if !ok || typ != "Cond" {
		return "", nil, false
	}
	return method, common.Args[0], true
}

// checkConds reports a sync.Cond.Wait on a condition variable kept in an
// unexported field of the package's types that nothing in the package
// ever signals or broadcasts, and whose condition variable the package
// never hands elsewhere: the waiter sleeps for good.
func (c *checker) checkConds() {
	waits := map[object][]*ssa.Call{}
	wakes := map[object]int{}
	for _, fn := range c.prog.Funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				name, recv, ok := condCall(ci.Common())
				if !ok {
					continue
				}
				o, ok := objectOf(recv)
				if !ok || o.field == nil {
					continue
				}
				switch name {
				case "Wait":
					if call, ok := instr.(*ssa.Call); ok {
						waits[o] = append(waits[o], call)
					}
				case "Signal", "Broadcast":
					wakes[o]++
				}
			}
		}
	}
	objs := make([]object, 0, len(waits))
	for o := range waits {
		objs = append(objs, o)
	}
	sort.Slice(objs, func(i, j int) bool { return waits[objs[i]][0].Pos() < waits[objs[j]][0].Pos() })
	for _, o := range objs {
		if wakes[o] > 0 || o.field.Exported() || o.field.Pkg() != c.pass.Pkg || c.condEscapes(o.field) {
			continue
		}
		for _, w := range waits[o] {
			c.report(analysis.Diagnostic{
				Pos:      w.Pos(),
				Category: catStranded,
				Message: fmt.Sprintf("Wait on %s blocks forever: nothing in this package calls Signal or Broadcast on it, and it goes nowhere else; "+
					"the goroutine waiting (%s) leaks; signal it where the condition changes", describeObject(o), displayName(w.Parent())),
			})
		}
	}
}

// condEscapes reports whether a condition-variable field's value goes
// anywhere but the receiver of its own methods and its L.
func (c *checker) condEscapes(f *types.Var) bool {
	uses := func(v ssa.Value) bool {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.FieldAddr: // .L
			case *ssa.Call:
				if _, recv, ok := condCall(r.Common()); !ok || recv != v {
					return true
				}
			default:
				return true
			}
		}
		return false
	}
	for _, fn := range c.prog.Funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				if o, ok := fieldObject(fa.X.Type(), fa.Field); !ok || o.field != f {
					continue
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.Store:
						if !isNewCond(r.Val) {
							return true
						}
					case *ssa.UnOp:
						if r.Op != token.MUL || uses(r) {
							return true
						}
					case *ssa.DebugRef:
					default:
						if uses(fa) {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

func isNewCond(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	fn := call.Call.StaticCallee()
	return fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "sync" && fn.Name() == "NewCond"
}
