package catalog

import "go/types"

// Twin suffixes, in the order a twin is looked for: X → XContext,
// XWithContext, XCtx.
var TwinSuffixes = []string{"Context", "WithContext", "Ctx"}

// DerivedTwin returns the context-taking twin of fn: a function of the same
// package (or a method of the same receiver) named fn's name plus one of
// TwinSuffixes whose parameters are a context.Context followed by exactly
// fn's parameters. The signature check keeps out look-alikes such as
// signal.Notify / signal.NotifyContext, which do different things.
func DerivedTwin(fn *types.Func) *types.Func {
	if fn.Pkg() == nil || Excluded(fn) {
		return nil
	}
	sig := fn.Signature()
	for _, suf := range TwinSuffixes {
		name := fn.Name() + suf
		var twin *types.Func
		if recv := sig.Recv(); recv != nil {
			obj, _, _ := types.LookupFieldOrMethod(recv.Type(), true, fn.Pkg(), name)
			twin, _ = obj.(*types.Func)
		} else {
			twin, _ = fn.Pkg().Scope().Lookup(name).(*types.Func)
		}
		if twin != nil && extendsWithContext(sig, twin.Signature()) {
			return twin
		}
	}
	return nil
}

// extendsWithContext reports whether twin's parameters are a context
// followed by base's.
func extendsWithContext(base, twin *types.Signature) bool {
	bp, tp := base.Params(), twin.Params()
	if tp.Len() != bp.Len()+1 || !IsContext(tp.At(0).Type()) || base.Variadic() != twin.Variadic() {
		return false
	}
	for i := 0; i < bp.Len(); i++ {
		if !types.Identical(bp.At(i).Type(), tp.At(i+1).Type()) {
			return false
		}
	}
	return true
}

// IsTwin reports whether fn is itself the context-taking twin of a sibling:
// such calls still block, which matters to //asynclint:nonblocking.
func IsTwin(fn *types.Func) bool {
	sig := fn.Signature()
	if sig.Params().Len() == 0 || !IsContext(sig.Params().At(0).Type()) || Excluded(fn) {
		return false
	}
	for _, suf := range TwinSuffixes {
		n := fn.Name()
		if len(n) <= len(suf) || n[len(n)-len(suf):] != suf {
			continue
		}
		base := n[:len(n)-len(suf)]
		var sib *types.Func
		if recv := sig.Recv(); recv != nil {
			obj, _, _ := types.LookupFieldOrMethod(recv.Type(), true, fn.Pkg(), base)
			sib, _ = obj.(*types.Func)
		} else if fn.Pkg() != nil {
			sib, _ = fn.Pkg().Scope().Lookup(base).(*types.Func)
		}
		if sib != nil && extendsWithContext(sib.Signature(), sig) {
			return true
		}
	}
	return false
}

// IsContext reports whether t is context.Context, or a type parameter
// constrained by it.
func IsContext(t types.Type) bool {
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		if isNamed(tp.Constraint(), "context", "Context") {
			return true
		}
		iface, ok := tp.Constraint().Underlying().(*types.Interface)
		if !ok {
			return false
		}
		for i := 0; i < iface.NumEmbeddeds(); i++ {
			if isNamed(iface.EmbeddedType(i), "context", "Context") {
				return true
			}
		}
		return false
	}
	return isNamed(t, "context", "Context")
}

func isNamed(t types.Type, path, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == path
}

// ContextSource says how a parameter of the given type makes a context
// available, and the expression that yields it ("" for a context itself).
// testing types count only from go1.24, where t.Context exists.
func ContextSource(t types.Type, goVersionAtLeast124 bool) (ok bool, accessor string) {
	if IsContext(t) {
		return true, ""
	}
	ptr, isPtr := types.Unalias(t).(*types.Pointer)
	if !isPtr {
		return false, ""
	}
	switch {
	case isNamed(ptr.Elem(), "net/http", "Request"):
		return true, ".Context()"
	case goVersionAtLeast124 && (isNamed(ptr.Elem(), "testing", "T") || isNamed(ptr.Elem(), "testing", "B") || isNamed(ptr.Elem(), "testing", "F")):
		return true, ".Context()"
	}
	return false, ""
}

// Background names the calls that make a root context that nothing cancels.
var Background = map[string]bool{
	"context.Background": true,
	"context.TODO":       true,
}

// Derivers maps functions that derive a context to the index of the parent
// argument: the result carries the parent's cancellation.
var Derivers = map[string]int{
	"context.WithCancel":        0,
	"context.WithCancelCause":   0,
	"context.WithTimeout":       0,
	"context.WithTimeoutCause":  0,
	"context.WithDeadline":      0,
	"context.WithDeadlineCause": 0,
	"context.WithValue":         0,
	"os/signal.NotifyContext":   0,
}

// Deadlines are the derivers that bound the derived context in time.
var Deadlines = map[string]bool{
	"context.WithTimeout":       true,
	"context.WithTimeoutCause":  true,
	"context.WithDeadline":      true,
	"context.WithDeadlineCause": true,
}

// Detachers derive a context that keeps the parent's values but not its
// cancellation, on purpose: passing one is not a propagation mistake.
var Detachers = map[string]bool{
	"context.WithoutCancel": true,
}

// Spawners run one of their function arguments on a new goroutine; the value
// is that argument's index.
var Spawners = map[string]int{
	"(*golang.org/x/sync/errgroup.Group).Go":    0,
	"(*golang.org/x/sync/errgroup.Group).TryGo": 0,
	"(*sync.WaitGroup).Go":                      0,
	"time.AfterFunc":                            1,
	"context.AfterFunc":                         1,
}

// Joined are the spawners whose goroutines the caller waits for (Wait):
// they do not outlive the function that starts them.
var Joined = map[string]bool{
	"(*golang.org/x/sync/errgroup.Group).Go":    true,
	"(*golang.org/x/sync/errgroup.Group).TryGo": true,
	"(*sync.WaitGroup).Go":                      true,
}

// AfterDone run one of their function arguments only once a context is
// done (or a test has ended): the value is that argument's index. Work
// there is cleanup, and the context in scope is already cancelled.
var AfterDone = map[string]int{
	"(*testing.common).Cleanup": 0,
	"context.AfterFunc":         1,
}

// ReleaseMethods name the methods that release what their receiver holds.
// They are expected to run to the end whatever context is in scope, so a
// wait inside one never makes its caller block without a context.
var ReleaseMethods = map[string]bool{
	"Close":                true,
	"CloseNow":             true,
	"CloseIdleConnections": true,
	"Stop":                 true,
	"Release":              true,
	"Rollback":             true,
	"Unlock":               true,
	"RUnlock":              true,
}

// Releases reports whether fn is a release method.
func Releases(fn *types.Func) bool {
	return fn.Signature().Recv() != nil && ReleaseMethods[fn.Name()]
}
