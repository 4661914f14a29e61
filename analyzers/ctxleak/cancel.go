package ctxleak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/obligation"
)

// cancelSources maps the functions that return a cancel function the
// caller must call to that result's index.
var cancelSources = map[string]int{
	"context.WithCancel":        1,
	"context.WithCancelCause":   1,
	"context.WithTimeout":       1,
	"context.WithTimeoutCause":  1,
	"context.WithDeadline":      1,
	"context.WithDeadlineCause": 1,
	"os/signal.NotifyContext":   1,
	"context.AfterFunc":         0,
}

// A cancel is an obligation to call a cancel function.
type cancel struct {
	call  *ssa.Call // the call that returns it
	from  string    // the callee, as messages name it
	value ssa.Value // the cancel function, nil when discarded
}

// cancelsIn returns the cancel functions fn obtains.
func (c *checker) cancelsIn(fn *ssa.Function) []cancel {
	var out []cancel
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			idx, from := c.cancelResult(call)
			if idx < 0 {
				continue
			}
			cn := cancel{call: call, from: from}
			if call.Call.Signature().Results().Len() == 1 {
				if len(*call.Referrers()) == 0 {
					continue // context.AfterFunc's stop, not wanted
				}
				cn.value = call
			} else {
				for _, r := range *call.Referrers() {
					if ex, ok := r.(*ssa.Extract); ok && ex.Index == idx && used(ex) {
						cn.value = ex
					}
				}
			}
			out = append(out, cn)
		}
	}
	return out
}

// cancelResult returns which result of call is a cancel function the
// caller owes a call, and the callee's name; -1 if none.
func (c *checker) cancelResult(call *ssa.Call) (int, string) {
	callee, obj := c.prog.Callee(&call.Call)
	if obj != nil {
		if i, ok := cancelSources[obj.FullName()]; ok {
			return i, obj.Pkg().Name() + "." + obj.Name()
		}
	}
	if s := c.summaryOf(callee); s != nil && len(s.CancelResults) > 0 {
		return s.CancelResults[0], c.name(callee)
	}
	return -1, ""
}

// used reports whether v is used other than by debug information.
func used(v ssa.Value) bool {
	for _, r := range *v.Referrers() {
		if _, ok := r.(*ssa.DebugRef); !ok {
			return true
		}
	}
	return false
}

// aliases returns the values that are v: v itself, φ-nodes it flows into,
// and loads of local variables it is stored in. It also returns the local
// variables, whose capture by a closure hands v on.
func aliases(v ssa.Value) (map[ssa.Value]bool, map[*ssa.Alloc]bool) {
	vals := map[ssa.Value]bool{}
	locals := map[*ssa.Alloc]bool{}
	var add func(ssa.Value)
	add = func(v ssa.Value) {
		if vals[v] {
			return
		}
		vals[v] = true
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.Phi:
				add(r)
			case *ssa.ChangeType:
				add(r)
			case *ssa.Store:
				if a, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v && !locals[a] {
					locals[a] = true
					for _, ar := range *a.Referrers() {
						if ld, ok := ar.(*ssa.UnOp); ok && ld.Op == token.MUL {
							add(ld)
						}
					}
				}
			}
		}
	}
	add(v)
	return vals, locals
}

// handsOn reports whether instr calls the function held in vals or hands
// it on: passes it to a function that calls it or to one whose code is
// not known, returns it, stores it outside the function's own variables,
// sends it, or lets a closure capture it.
func (c *checker) handsOn(instr ssa.Instruction, vals map[ssa.Value]bool, locals map[*ssa.Alloc]bool) bool {
	switch instr := instr.(type) {
	case ssa.CallInstruction:
		common := instr.Common()
		if vals[common.Value] {
			return true
		}
		// The address of a variable holding it: the callee may call it
		// or keep it (swap(&c.stop, &stop)).
		if slices.ContainsFunc(common.Args, func(a ssa.Value) bool { al, ok := a.(*ssa.Alloc); return ok && locals[al] }) {
			return true
		}
		if _, ok := instr.(*ssa.Go); ok && slices.ContainsFunc(common.Args, func(a ssa.Value) bool { return vals[a] }) {
			return true
		}
		for i, a := range common.Args {
			if !vals[a] {
				continue
			}
			callee, _ := c.prog.Callee(common)
			if callee == nil || callee.Pkg == nil || len(callee.Blocks) == 0 && callee.Pkg != c.prog.Pkg {
				if s := c.summaryOf(callee); s == nil || slices.Contains(s.Cancels, i) {
					return true
				}
				continue
			}
			if s := c.summaryOf(callee); s == nil || slices.Contains(s.Cancels, i) {
				return true
			}
		}
		if mc, ok := common.Value.(*ssa.MakeClosure); ok && capturesAny(mc, vals, locals) {
			return true
		}
	case *ssa.MakeClosure:
		return capturesAny(instr, vals, locals)
	case *ssa.Return:
		return slices.ContainsFunc(instr.Results, func(r ssa.Value) bool { return vals[r] })
	case *ssa.Store:
		if !vals[instr.Val] {
			return false
		}
		a, ok := instr.Addr.(*ssa.Alloc)
		return !ok || !locals[a]
	case *ssa.Send:
		return vals[instr.X]
	case *ssa.MakeInterface:
		return vals[instr.X]
	case *ssa.MapUpdate:
		return vals[instr.Value]
	}
	return false
}

func capturesAny(mc *ssa.MakeClosure, vals map[ssa.Value]bool, locals map[*ssa.Alloc]bool) bool {
	for _, b := range mc.Bindings {
		if a, ok := b.(*ssa.Alloc); ok && locals[a] || vals[b] {
			return true
		}
	}
	return false
}

// cancelledOnEveryPath returns the path on which the cancel function is
// neither called nor handed on, or nil.
// On the path where the call that returned it failed (its error result is
// not nil) nothing is owed.
func (c *checker) cancelledOnEveryPath(from ssa.Instruction, fn *ssa.Function, v ssa.Value) *obligation.Breach {
	vals, locals := aliases(v)
	failed := func(x ssa.Value) bool {
		ex, ok := x.(*ssa.Extract)
		return ok && from != nil && ex.Tuple == from.(ssa.Value) && types.Identical(ex.Type(), errorType)
	}
	return obligation.Unmet(obligation.Obligation{
		From: from,
		Fn:   fn,
		Met:  func(instr ssa.Instruction) bool { return c.handsOn(instr, vals, locals) },
		Void: obligation.NilPruner(func(x ssa.Value) bool { return vals[x] }, failed),
	})
}

var errorType = types.Universe.Lookup("error").Type()

// cancelledParams returns the parameters of function type that fn calls
// or hands on on every path.
func (c *checker) cancelledParams(fn *ssa.Function) []int {
	var out []int
	for i, p := range fn.Params {
		if !cancelShaped(p.Type()) || len(*p.Referrers()) == 0 {
			continue
		}
		if c.cancelledOnEveryPath(nil, fn, p) == nil {
			out = append(out, i)
		}
	}
	return out
}

// cancelShaped reports whether t can hold a cancel function: func() or
// func(error) (context.CancelCauseFunc).
func cancelShaped(t types.Type) bool {
	sig, ok := t.Underlying().(*types.Signature)
	if !ok || sig.Variadic() {
		return false
	}
	p, r := sig.Params(), sig.Results()
	switch {
	case p.Len() == 0 && r.Len() == 0:
		return true
	case p.Len() == 1 && r.Len() == 0:
		return types.Identical(p.At(0).Type(), errorType)
	}
	return false
}

// cancelResults returns the results of fn that are cancel functions it
// obtained and hands to its caller.
func (c *checker) cancelResults(fn *ssa.Function) []int {
	var out []int
	for _, cn := range c.cancelsIn(fn) {
		if cn.value == nil {
			continue
		}
		vals, _ := aliases(cn.value)
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok {
				continue
			}
			for i, r := range ret.Results {
				if vals[r] && !slices.Contains(out, i) {
					out = append(out, i)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// checkCancels reports cancel functions not called on every path, and
// those kept in a field that nothing calls.
func (c *checker) checkCancels() {
	for _, fn := range c.prog.Funcs {
		for _, cn := range c.cancelsIn(fn) {
			if cn.value == nil {
				c.reportDiscarded(fn, cn)
				continue
			}
			if br := c.cancelledOnEveryPath(cn.call, fn, cn.value); br != nil {
				c.reportLostCancel(fn, cn, br)
				continue
			}
			if st := c.storedInDeadField(cn.value); st != nil {
				c.reportDeadField(cn, st)
			}
		}
	}
}

// storedInDeadField returns the store that keeps the cancel function in
// an unexported field of one of the package's types that no code of the
// package ever reads back (to call it, or to hand it on): the struct's
// Close was meant to call it and does not. Nil if there is none.
func (c *checker) storedInDeadField(v ssa.Value) *ssa.Store {
	vals, _ := aliases(v)
	for x := range vals {
		for _, r := range *x.Referrers() {
			st, ok := r.(*ssa.Store)
			if !ok || !vals[st.Val] {
				continue
			}
			fa, ok := st.Addr.(*ssa.FieldAddr)
			if !ok {
				continue
			}
			f := fieldOf(fa.X.Type(), fa.Field)
			if f == nil || f.Exported() || f.Pkg() != c.pass.Pkg || c.readFields()[f] {
				continue
			}
			return st
		}
	}
	return nil
}

// readFields returns the fields of this package's types whose values some
// function of the package reads for anything but a nil test.
func (c *checker) readFields() map[*types.Var]bool {
	if c.fieldsRead != nil {
		return c.fieldsRead
	}
	c.fieldsRead = map[*types.Var]bool{}
	for _, instr := range c.fieldAccesses() {
		switch instr := instr.(type) {
		case *ssa.FieldAddr:
			f := fieldOf(instr.X.Type(), instr.Field)
			for _, r := range *instr.Referrers() {
				if ld, ok := r.(*ssa.UnOp); ok && ld.Op == token.MUL && readBeyondNilTest(ld) {
					c.fieldsRead[f] = true
				}
			}
		case *ssa.Field:
			if readBeyondNilTest(instr) {
				c.fieldsRead[fieldOf(instr.X.Type(), instr.Field)] = true
			}
		}
	}
	return c.fieldsRead
}

func readBeyondNilTest(v ssa.Value) bool {
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.BinOp:
			if !isNilConst(r.X) && !isNilConst(r.Y) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

func isNilConst(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.IsNil()
}

// fieldOf returns field i of the struct t points to (or is).
func fieldOf(t types.Type, i int) *types.Var {
	st, ok := deref(t).Underlying().(*types.Struct)
	if !ok || i >= st.NumFields() {
		return nil
	}
	return st.Field(i)
}

func (c *checker) reportDeadField(cn cancel, st *ssa.Store) {
	fa := st.Addr.(*ssa.FieldAddr)
	f := fieldOf(fa.X.Type(), fa.Field)
	typ := types.TypeString(deref(fa.X.Type()), types.RelativeTo(c.pass.Pkg))
	c.report(analysis.Diagnostic{
		Pos:      cn.call.Pos(),
		Category: catLostCancel,
		Message: fmt.Sprintf("the cancel function returned by %s is stored in field %s of %s, which nothing in this package calls: "+
			"the context lives until its parent is cancelled; call it where %s is closed or stopped", cn.from, f.Name(), typ, typ),
		Related: []analysis.RelatedInformation{{Pos: st.Pos(), Message: "stored here"}},
	})
}

func (c *checker) reportDiscarded(fn *ssa.Function, cn cancel) {
	c.report(analysis.Diagnostic{
		Pos:      cn.call.Pos(),
		Category: catLostCancel,
		Message: fmt.Sprintf("the cancel function returned by %s is discarded: the context and its resources live until the parent is cancelled; "+
			"keep it and defer cancel()", cn.from),
	})
}

func (c *checker) reportLostCancel(fn *ssa.Function, cn cancel, br *obligation.Breach) {
	var where string
	var related analysis.RelatedInformation
	if br.Again {
		loop := c.loopPos(fn, cn.call.Pos())
		where = fmt.Sprintf("when the loop at line %d comes round and obtains another", c.line(loop))
		related = analysis.RelatedInformation{Pos: loop, Message: "the previous cancel function is lost when this loop comes round"}
	} else {
		exit := obligation.ExitPos(br.Exit)
		where = fmt.Sprintf("on the path through the return at line %d", c.line(exit))
		related = analysis.RelatedInformation{Pos: exit, Message: "this return does not cancel the context"}
	}
	d := analysis.Diagnostic{
		Pos:      cn.call.Pos(),
		Category: catLostCancel,
		Message: fmt.Sprintf("the cancel function returned by %s is not called %s: the context, its timer and its place in the parent live until the parent is cancelled; "+
			"call it on every path (defer cancel() after this line) or hand it on", cn.from, where),
		Related: []analysis.RelatedInformation{related},
	}
	if fix := c.deferCancelFix(fn, cn); fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.report(d)
}

// deferCancelFix inserts `defer cancel()` after `ctx, cancel := f(...)`
// when that statement sits directly in the function's body (not in a loop
// or a branch, where a defer would run too late or not at all) and the
// function does nothing with cancel but call it: calling it once more at
// the end is then harmless, where cancelling a context handed on is not.
func (c *checker) deferCancelFix(fn *ssa.Function, cn cancel) *analysis.SuggestedFix {
	file := c.fileOf(cn.call.Pos())
	if file == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(file, cn.call.Pos(), cn.call.Pos())
	var assign *ast.AssignStmt
	for i, n := range path {
		if a, ok := n.(*ast.AssignStmt); ok {
			assign = a
			if i+2 >= len(path) {
				return nil
			}
			if _, ok := path[i+1].(*ast.BlockStmt); !ok {
				return nil
			}
			switch path[i+2].(type) {
			case *ast.FuncDecl, *ast.FuncLit:
			default:
				return nil
			}
			break
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return nil
		}
	}
	if assign == nil || len(assign.Rhs) != 1 {
		return nil
	}
	idx, _ := c.cancelResult(cn.call)
	if idx >= len(assign.Lhs) {
		return nil
	}
	id, ok := assign.Lhs[idx].(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	if !onlyCalled(cn.value) {
		return nil
	}
	indent := c.pass.Fset.Position(assign.Pos()).Column - 1
	text := "\n" + strings.Repeat("\t", indent) + "defer " + id.Name + "()"
	// After the line, past any comment that ends it.
	at := assign.End()
	if tf := c.pass.Fset.File(at); tf != nil {
		if line := tf.Line(at); line < tf.LineCount() {
			at = tf.LineStart(line+1) - 1
		}
	}
	return &analysis.SuggestedFix{
		Message:   "defer " + id.Name + "()",
		TextEdits: []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(text)}},
	}
}

// onlyCalled reports whether the function held in v is only ever called.
func onlyCalled(v ssa.Value) bool {
	vals, locals := aliases(v)
	for a := range locals {
		for _, r := range *a.Referrers() {
			switch r := r.(type) {
			case *ssa.Store:
				if !vals[r.Val] {
					return false
				}
			case *ssa.UnOp, *ssa.DebugRef:
			default:
				return false
			}
		}
	}
	for x := range vals {
		for _, r := range *x.Referrers() {
			switch r := r.(type) {
			case ssa.CallInstruction:
				if r.Common().Value != x || slices.Contains(r.Common().Args, x) {
					return false
				}
			case *ssa.Phi, *ssa.ChangeType, *ssa.DebugRef:
			case *ssa.Store:
				if a, ok := r.Addr.(*ssa.Alloc); !ok || !locals[a] {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

func (c *checker) fileOf(pos token.Pos) *ast.File {
	for _, f := range c.pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}
