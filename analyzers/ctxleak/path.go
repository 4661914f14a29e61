package ctxleak

import (
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A path names the object a pointer points to, by the way the function
// reaches it, so that two pointers with the same path are the same object
// wherever in the function they are taken:
//
//	"0.mu"        &recv.mu, the receiver (parameter 0) being a pointer
//	"1*.mu"       &(*p).mu for a parameter p of type **T
//	"0.conn*.mu"  &recv.conn.mu, conn being a pointer field
//	"f0*.mu"      &s.mu for a captured variable s (free variable 0)
//	"g:pkg.v.mu"  &v.mu for a package-level variable v
//	"@3"          a local variable; "%t4" another value of the function
//
// Paths that start with a parameter or a package-level variable mean the
// same thing to the function's callers, once the parameter is replaced by
// the argument: those are the ones facts carry.
func pathOf(v ssa.Value) (string, bool) {
	return pathDepth(v, 0)
}

func pathDepth(v ssa.Value, depth int) (string, bool) {
	if depth > 8 {
		return "", false
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		for i, p := range v.Parent().Params {
			if p == v {
				return strconv.Itoa(i), true
			}
		}
	case *ssa.FreeVar:
		for i, p := range v.Parent().FreeVars {
			if p == v {
				return "f" + strconv.Itoa(i), true
			}
		}
	case *ssa.Global:
		return "g:" + v.Pkg.Pkg.Path() + "." + v.Name(), true
	case *ssa.FieldAddr:
		base, ok := pathDepth(v.X, depth+1)
		if !ok {
			return "", false
		}
		st, ok := deref(v.X.Type()).Underlying().(*types.Struct)
		if !ok {
			return "", false
		}
		return base + "." + st.Field(v.Field).Name(), true
	case *ssa.UnOp:
		if v.Op != token.MUL {
			break
		}
		if a, ok := v.X.(*ssa.Alloc); ok {
			// A local variable assigned once is its value.
			if st := onlyStore(a); st != nil {
				return pathDepth(st.Val, depth+1)
			}
		}
		base, ok := pathDepth(v.X, depth+1)
		if !ok {
			return "", false
		}
		return base + "*", true
	case *ssa.ChangeType:
		return pathDepth(v.X, depth+1)
	case *ssa.Phi:
		var p string
		for i, e := range v.Edges {
			ep, ok := pathDepth(e, depth+1)
			if !ok || (i > 0 && ep != p) {
				return "", false
			}
			p = ep
		}
		if p != "" {
			return p, true
		}
	case *ssa.Alloc:
		if fn := v.Parent(); fn != nil {
			for i, l := range fn.Locals {
				if l == v {
					return "@" + strconv.Itoa(i), true
				}
			}
		}
		return "%" + v.Name(), true
	case *ssa.Call, *ssa.Extract, *ssa.MakeInterface, *ssa.TypeAssert, *ssa.Lookup:
		return "%" + v.Name(), true
	}
	return "", false
}

// onlyStore returns the single store into a local variable that is never
// otherwise written, or nil.
func onlyStore(a *ssa.Alloc) *ssa.Store {
	var st *ssa.Store
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr != a || st != nil {
				return nil
			}
			st = r
		case *ssa.UnOp:
		case *ssa.DebugRef:
		case *ssa.MakeClosure:
			// Captured: still assigned once if the closure never writes it.
			fn := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b == a && writes(fn.FreeVars[i]) {
					return nil
				}
			}
		default:
			return nil // its address taken
		}
	}
	return st
}

func writes(fv *ssa.FreeVar) bool {
	for _, r := range *fv.Referrers() {
		switch r := r.(type) {
		case *ssa.UnOp, *ssa.DebugRef:
		case *ssa.MakeClosure:
			for i, b := range r.Bindings {
				if b == fv && writes(r.Fn.(*ssa.Function).FreeVars[i]) {
					return true
				}
			}
		default:
			return true
		}
	}
	return false
}

// exported reports whether a path means the same to the function's callers.
func exported(path string) bool {
	return path != "" && (path[0] >= '0' && path[0] <= '9' || strings.HasPrefix(path, "g:"))
}

// rebase rewrites a callee's path in the caller's terms, given the paths
// of the arguments (params) and of the closure's bindings (free): "" when
// the path cannot be said in the caller's terms.
func rebase(path string, params, free []string) string {
	if strings.HasPrefix(path, "g:") {
		return path
	}
	end := strings.IndexAny(path, ".*")
	if end < 0 {
		end = len(path)
	}
	root, rest := path[:end], path[end:]
	var base string
	if strings.HasPrefix(root, "f") {
		i, err := strconv.Atoi(root[1:])
		if err != nil || i >= len(free) {
			return ""
		}
		base = free[i]
	} else {
		i, err := strconv.Atoi(root)
		if err != nil || i >= len(params) {
			return ""
		}
		base = params[i]
	}
	if base == "" {
		return ""
	}
	if strings.HasPrefix(base, "=") {
		// A variable assigned once, captured: its loads are its value.
		if !strings.HasPrefix(rest, "*") {
			return ""
		}
		base, rest = base[1:], rest[1:]
	}
	return base + rest
}

// argPaths returns the paths of a call's arguments and of the bindings of
// the closure it calls, "" for those without one.
func argPaths(common *ssa.CallCommon) (params, free []string) {
	for _, a := range common.Args {
		p, _ := pathOf(a)
		params = append(params, p)
	}
	if mc, ok := common.Value.(*ssa.MakeClosure); ok {
		for _, b := range mc.Bindings {
			p, _ := pathOf(b)
			if a, ok := b.(*ssa.Alloc); ok {
				if st := onlyStore(a); st != nil {
					if sp, ok := pathOf(st.Val); ok {
						p = "=" + sp
					}
				}
			}
			free = append(free, p)
		}
	}
	if common.IsInvoke() {
		// The receiver of an interface call is the interface value.
		p, _ := pathOf(common.Value)
		params = append([]string{p}, params...)
	}
	return params, free
}

// describe renders a path for messages, in the function's own names where
// it has them: "s.mu", "mu", "pkg.v.mu".
func describe(fn *ssa.Function, path string) string {
	if strings.HasPrefix(path, "g:") {
		p := path[2:]
		if i := strings.LastIndex(p[:strings.IndexByte(p+".", '.')], "/"); i >= 0 {
			p = p[i+1:]
		}
		return strings.ReplaceAll(p, "*", "")
	}
	end := strings.IndexAny(path, ".*")
	if end < 0 {
		end = len(path)
	}
	root, rest := path[:end], strings.ReplaceAll(path[end:], "*", "")
	name := root
	switch {
	case strings.HasPrefix(root, "f"):
		if i, err := strconv.Atoi(root[1:]); err == nil && i < len(fn.FreeVars) {
			name = fn.FreeVars[i].Name()
		}
	case strings.HasPrefix(root, "@"):
		if i, err := strconv.Atoi(root[1:]); err == nil && i < len(fn.Locals) {
			name = fn.Locals[i].Comment
		}
	case strings.HasPrefix(root, "%"):
		name = "the value"
	default:
		if i, err := strconv.Atoi(root); err == nil && i < len(fn.Params) {
			name = fn.Params[i].Name()
		}
	}
	if name == "" {
		name = "the variable"
	}
	return name + rest
}

func deref(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}
