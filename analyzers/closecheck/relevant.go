package closecheck

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
)

// worthBuilding reports whether the package could acquire a resource or
// owes its importers a summary: it calls a function the catalog or a fact
// says acquires, a function value or interface method whose results the
// catalog knows, or one of its own functions that returns something that
// could be a resource; it builds an http.Transport; or it declares an
// exported function that takes or returns such a thing. Packages with none
// of these are skipped before any SSA is built.
func worthBuilding(pass *analysis.Pass) bool {
	r := relevance{pass: pass, memo: map[types.Type]bool{}}
	for _, f := range pass.Files {
		found := false
		ast.Inspect(f, func(n ast.Node) bool {
			if found {
				return false
			}
			switch n := n.(type) {
			case *ast.CallExpr:
				found = r.call(n)
			case *ast.CompositeLit:
				found = isTransport(pass.TypesInfo.TypeOf(n))
			case *ast.FuncDecl:
				found = n.Name.IsExported() && r.signature(pass.TypesInfo.Defs[n.Name])
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}

type relevance struct {
	pass *analysis.Pass
	memo map[types.Type]bool
}

func (r *relevance) call(call *ast.CallExpr) bool {
	info := r.pass.TypesInfo
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "new" {
		if _, builtin := info.Uses[id].(*types.Builtin); builtin && len(call.Args) == 1 {
			return isTransport(info.TypeOf(call.Args[0]))
		}
	}
	fn := calledFunc(info, call)
	if fn == nil {
		// A function value: what the catalog knows of its results.
		sig, ok := info.TypeOf(call.Fun).(*types.Signature)
		return ok && r.opaque(sig, nil)
	}
	if catalog.Acquired(fn) != nil {
		return true
	}
	if recv := fn.Signature().Recv(); recv != nil && types.IsInterface(recv.Type()) {
		return r.opaque(fn.Signature(), fn)
	}
	if fn.Pkg() == r.pass.Pkg {
		return r.results(fn.Signature())
	}
	var o Ownership
	return fn.Pkg() != nil && r.pass.ImportObjectFact(fn.Origin(), &o) && len(o.Fresh) > 0
}

func (r *relevance) opaque(sig *types.Signature, method *types.Func) bool {
	for i := 0; i < sig.Results().Len(); i++ {
		if catalog.OpaqueKind(sig, i, method) != "" {
			return true
		}
	}
	return false
}

// signature reports whether a declared function takes or returns what
// could be a resource.
func (r *relevance) signature(obj types.Object) bool {
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Signature()
	if recv := sig.Recv(); recv != nil && r.resource(recv.Type()) {
		return true
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if r.resource(sig.Params().At(i).Type()) {
			return true
		}
	}
	return r.results(sig)
}

func (r *relevance) results(sig *types.Signature) bool {
	for i := 0; i < sig.Results().Len(); i++ {
		if r.resource(sig.Results().At(i).Type()) {
			return true
		}
	}
	return false
}

// resource reports whether values of type t could be resources: the
// catalog knows the type, or it has a method that releases.
func (r *relevance) resource(t types.Type) bool {
	if _, basic := t.Underlying().(*types.Basic); basic {
		return false
	}
	key := t
	if n := namedOf(t); n != nil {
		key = n // t and *t alike: method sets are looked up on the pointer
	}
	if v, ok := r.memo[key]; ok {
		return v
	}
	result := catalog.Opaque[types.TypeString(t, nil)] != ""
	lookup := t
	if _, isPtr := t.Underlying().(*types.Pointer); !isPtr && !types.IsInterface(t) {
		lookup = types.NewPointer(t)
	}
	for _, m := range catalog.ReleaseNames() {
		if result {
			break
		}
		obj, _, _ := types.LookupFieldOrMethod(lookup, true, nil, m)
		_, result = obj.(*types.Func)
	}
	r.memo[key] = result
	return result
}

// calledFunc returns the function or method a call names, if it names one.
func calledFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	fun := ast.Unparen(call.Fun)
	if ix, ok := fun.(*ast.IndexExpr); ok {
		fun = ix.X
	}
	if ix, ok := fun.(*ast.IndexListExpr); ok {
		fun = ix.X
	}
	var id *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

func isTransport(t types.Type) bool {
	if t == nil {
		return false
	}
	n := namedOf(t)
	return n != nil && n.Obj().Name() == "Transport" && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "net/http"
}
