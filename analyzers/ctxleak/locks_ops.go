package ctxleak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A syncCall is a call of a method of sync.Mutex, sync.RWMutex or
// sync.WaitGroup, made directly, through an embedded field (SSA selects
// the field first), or through a method value (s.mu.Unlock bound and
// called later).
type syncCall struct {
	typ    string // "Mutex", "RWMutex", "WaitGroup"
	method string // "Lock", "RUnlock", "Done", ...
	recv   ssa.Value
	args   []ssa.Value // the arguments after the receiver
}

// syncMethod recognises a call of a sync method, ok false otherwise.
func syncMethod(common *ssa.CallCommon) (syncCall, bool) {
	if common.IsInvoke() {
		return syncCall{}, false
	}
	fn := common.StaticCallee()
	typ, method, ok := syncMethodOf(fn)
	if !ok {
		return syncCall{}, false
	}
	sc := syncCall{typ: typ, method: method}
	switch sc.typ {
	case "Mutex", "RWMutex", "WaitGroup":
	default:
		return syncCall{}, false
	}
	if _, recv, ok := boundMethod(common.Value); ok {
		sc.recv, sc.args = recv, common.Args
		return sc, true
	}
	if len(common.Args) == 0 {
		return syncCall{}, false
	}
	sc.recv, sc.args = common.Args[0], common.Args[1:]
	return sc, true
}

// boundMethod returns the method a bound method value (s.mu.Unlock, not
// called yet) stands for and the receiver bound to it; ok false when v
// is no such value.
func boundMethod(v ssa.Value) (*types.Func, ssa.Value, bool) {
	mc, ok := v.(*ssa.MakeClosure)
	if !ok || len(mc.Bindings) != 1 {
		return nil, nil, false
	}
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok || !strings.HasPrefix(fn.Synthetic, "bound method wrapper") {
		return nil, nil, false
	}
	obj, ok := fn.Object().(*types.Func)
	return obj, mc.Bindings[0], ok
}

// syncMethodOf returns the type ("Mutex", "Cond", ...) and the name of
// the method of package sync that fn is (or wraps), ok false when it is
// none.
func syncMethodOf(fn *ssa.Function) (typ, method string, ok bool) {
	if fn == nil {
		return "", "", false
	}
	obj, ok := fn.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || obj.Pkg().Path() != "sync" {
		return "", "", false
	}
	recv := obj.Signature().Recv()
	if recv == nil {
		return "", "", false
	}
	named, ok := deref(recv.Type()).(*types.Named)
	if !ok {
		return "", "", false
	}
	return named.Obj().Name(), obj.Name(), true
}

// Mutex operations.
type lockKind int

const (
	notLockOp lockKind = iota
	opLock
	opRLock
	opUnlock
	opRUnlock
	opTryLock
	opTryRLock
)

// lockOp returns the mutex operation a call makes and the path of the
// mutex ("" when it has none the analysis can name).
func lockOp(common *ssa.CallCommon) (lockKind, string) {
	sc, ok := syncMethod(common)
	if !ok || (sc.typ != "Mutex" && sc.typ != "RWMutex") {
		return notLockOp, ""
	}
	var k lockKind
	switch sc.method {
	case "Lock":
		k = opLock
	case "RLock":
		k = opRLock
	case "Unlock":
		k = opUnlock
	case "RUnlock":
		k = opRUnlock
	case "TryLock":
		k = opTryLock
	case "TryRLock":
		k = opTryRLock
	default:
		return notLockOp, ""
	}
	p, ok := pathOf(sc.recv)
	if !ok {
		return notLockOp, ""
	}
	return k, p
}

// resolved is what a call reaches, with the paths of its arguments in the
// caller's terms: a bound method value is its method with the bound
// receiver first.
type resolved struct {
	fn           *ssa.Function
	sum          *Summary
	params, free []string
}

func (c *checker) resolve(common *ssa.CallCommon) (resolved, bool) {
	fn, _ := c.prog.Callee(common)
	if fn == nil {
		return resolved{}, false
	}
	params, free := argPaths(common)
	if obj, recv, ok := boundMethod(common.Value); ok {
		m := fn.Prog.FuncValue(obj)
		if m == nil {
			return resolved{}, false
		}
		p, _ := pathOf(recv)
		fn, params, free = m, append([]string{p}, params...), nil
	}
	s := c.summaryOf(fn)
	if s == nil {
		return resolved{}, false
	}
	return resolved{fn: fn, sum: s, params: params, free: free}, true
}

// rebaseAll rewrites a callee's locks in the caller's terms, dropping
// those it cannot name.
func rebaseAll(ls []Lock, params, free []string) []Lock {
	var out []Lock
	for _, l := range ls {
		if p := rebase(l.Path, params, free); p != "" {
			out = append(out, Lock{Path: p, Read: l.Read, Chain: l.Chain})
		}
	}
	return out
}

// under reports whether path is p or reached through it.
func under(path, p string) bool {
	return path == p || strings.HasPrefix(path, p) && (path[len(p)] == '.' || path[len(p)] == '*')
}

// lockExpr spells a lock operation for messages: s.mu.Lock.
func lockExpr(fn *ssa.Function, path string, read bool) string {
	if read {
		return mutexName(fn, path) + ".RLock"
	}
	return mutexName(fn, path) + ".Lock"
}

// mutexName renders a mutex's path as the source spells it: an embedded
// sync.Mutex or RWMutex is locked through its holder, devices.Lock().
func mutexName(fn *ssa.Function, path string) string {
	d := describe(fn, path)
	for _, embedded := range []string{".Mutex", ".RWMutex"} {
		if strings.HasSuffix(d, embedded) {
			return strings.TrimSuffix(d, embedded)
		}
	}
	return d
}

// enclosingLoop returns the position of the innermost for or range
// statement around pos in fn's syntax, NoPos if none.
func enclosingLoop(fn *ssa.Function, pos token.Pos) token.Pos {
	syn := fn.Syntax()
	if syn == nil {
		return token.NoPos
	}
	loop := token.NoPos
	ast.Inspect(syn, func(n ast.Node) bool {
		if n == nil || pos < n.Pos() || pos >= n.End() {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok && n != syn {
			return false
		}
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			loop = n.Pos()
		}
		return true
	})
	return loop
}

// reaches reports whether some instruction reachable from instr (after it,
// round loops included) satisfies pred.
func reaches(from ssa.Instruction, pred func(ssa.Instruction) bool) bool {
	b := from.Block()
	i := 0
	for j, in := range b.Instrs {
		if in == from {
			i = j + 1
		}
	}
	for _, in := range b.Instrs[i:] {
		if pred(in) {
			return true
		}
	}
	seen := map[*ssa.BasicBlock]bool{}
	queue := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if seen[x] {
			continue
		}
		seen[x] = true
		for _, in := range x.Instrs {
			if pred(in) {
				return true
			}
		}
		queue = append(queue, x.Succs...)
	}
	return false
}

// calleeName names a callee in a chain: a generic instance by its origin,
// a function of another package with its package's name.
func (c *checker) calleeName(fn *ssa.Function) string {
	if o := fn.Origin(); o != nil {
		fn = o
	}
	if fn.Pkg == nil {
		return fn.Name()
	}
	if fn.Pkg == c.prog.Pkg || fn.Parent() != nil {
		return displayName(fn)
	}
	if recv := fn.Signature.Recv(); recv != nil {
		return fmt.Sprintf("(%s).%s", types.TypeString(recv.Type(), types.RelativeTo(c.pass.Pkg)), fn.Name())
	}
	return fn.Pkg.Pkg.Name() + "." + fn.Name()
}
