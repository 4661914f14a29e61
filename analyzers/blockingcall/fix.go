package blockingcall

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
)

// contextAt returns the expression naming the context in scope at pos in fn:
// the innermost context variable declared before pos that is not a fresh
// background context, else the context one of fn's (or an enclosing
// function's) parameters carries, as in r.Context(). "" if there is none,
// or if the name is shadowed at pos. outer reports whether that context
// comes from outside the given function literal.
func (c *checker) contextAt(fn *ssa.Function, pos token.Pos) (expr string, outer func(*ssa.Function) bool) {
	inner := c.pass.Pkg.Scope().Innermost(pos)
	visible := func(v *types.Var) bool {
		_, obj := inner.LookupParent(v.Name(), pos)
		return obj == v
	}
	for s := inner; s != nil && s != c.pass.Pkg.Scope(); s = s.Parent() {
		var best *types.Var
		for _, name := range s.Names() {
			v, ok := s.Lookup(name).(*types.Var)
			if !ok || name == "_" || v.Pos() >= pos || !catalog.IsContext(v.Type()) {
				continue
			}
			// A background context would not help; a group's context is
			// the right one only inside the group's goroutines.
			if o := c.originOf(v); o == fromBackground || o == fromGroup && fn.Parent() == nil {
				continue
			}
			if best == nil || v.Pos() > best.Pos() {
				best = v
			}
		}
		if best != nil {
			if !visible(best) {
				return "", func(*ssa.Function) bool { return false }
			}
			return best.Name(), func(lit *ssa.Function) bool { return best.Pos() < lit.Pos() }
		}
	}
	for f := fn; f != nil; f = f.Parent() {
		if expr, ok := c.contextParam(f); ok && expr != "" {
			name, _, _ := strings.Cut(expr, ".")
			if _, obj := inner.LookupParent(name, pos); !isParamOf(obj, f) {
				// The parameter's name means something else here.
				return "", func(*ssa.Function) bool { return false }
			}
			return expr, func(lit *ssa.Function) bool { return f.Pos() < lit.Pos() }
		}
	}
	return "", func(*ssa.Function) bool { return false }
}

func isParamOf(obj types.Object, f *ssa.Function) bool {
	params := f.Signature.Params()
	for i := 0; i < params.Len(); i++ {
		if params.At(i) == obj {
			return true
		}
	}
	return false
}

// A varOrigin says where a context variable's value comes from, when that
// makes it the wrong one to thread.
type varOrigin int

const (
	fromBackground varOrigin = iota + 1 // context.Background/TODO, or derived only from them
	fromGroup                           // errgroup.WithContext: cancelled when Wait returns
)

// originOf returns where the context variable v comes from, from an index
// of the package's assignments built once.
func (c *checker) originOf(v *types.Var) varOrigin {
	if c.ctxVars == nil {
		c.ctxVars = map[*types.Var]varOrigin{}
		define := func(lhs []*ast.Ident, rhs ast.Expr) {
			if len(lhs) == 0 {
				return
			}
			if c.isBackgroundExpr(rhs) {
				if obj, ok := c.pass.TypesInfo.ObjectOf(lhs[0]).(*types.Var); ok {
					c.ctxVars[obj] = fromBackground
				}
			}
			if call, ok := ast.Unparen(rhs).(*ast.CallExpr); ok && len(lhs) == 2 {
				if fn, ok := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func); ok && catalog.Name(fn) == "golang.org/x/sync/errgroup.WithContext" {
					if obj, ok := c.pass.TypesInfo.ObjectOf(lhs[1]).(*types.Var); ok {
						c.ctxVars[obj] = fromGroup
					}
				}
			}
		}
		for _, f := range c.pass.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.AssignStmt:
					if len(n.Rhs) == 1 {
						define(idents(n.Lhs), n.Rhs[0])
					}
				case *ast.ValueSpec:
					if len(n.Values) == 1 {
						define(n.Names, n.Values[0])
					}
				}
				return true
			})
		}
	}
	return c.ctxVars[v]
}

// idents returns the leading identifiers of lhs, up to the first other
// expression.
func idents(lhs []ast.Expr) []*ast.Ident {
	var ids []*ast.Ident
	for _, e := range lhs {
		id, ok := e.(*ast.Ident)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	return ids
}

func (c *checker) isBackgroundExpr(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		fn, ok := typeutil.Callee(c.pass.TypesInfo, e).(*types.Func)
		if !ok {
			return false
		}
		name := catalog.Name(fn)
		if catalog.Background[name] {
			return true
		}
		if i, ok := catalog.Derivers[name]; ok && i < len(e.Args) {
			return c.isBackgroundExpr(e.Args[i])
		}
	case *ast.Ident:
		if v, ok := c.pass.TypesInfo.Uses[e].(*types.Var); ok {
			return c.ctxVars[v] == fromBackground
		}
	}
	return false
}

// fix builds the suggested rewrite of a context-less call into its
// context-taking form, when the catalog or the twin rule knows one and the
// twin exists in the version being analysed.
func (c *checker) fix(o op, call *ast.CallExpr, ctxExpr string) (analysis.SuggestedFix, bool) {
	switch {
	case o.entry != nil && o.entry.Rewrite != "":
		if !twinExists(o.callee, o.entry.Twin) {
			return analysis.SuggestedFix{}, false
		}
		text, ok := c.expand(o.entry.Rewrite, call, ctxExpr)
		if !ok {
			return analysis.SuggestedFix{}, false
		}
		return analysis.SuggestedFix{
			Message:   "use the context-taking form",
			TextEdits: []analysis.TextEdit{{Pos: call.Pos(), End: call.End(), NewText: []byte(text)}},
		}, true
	case o.twin != nil:
		name := c.calledByName(call)
		if name == nil || !types.Identical(o.callee.Signature().Results(), o.twin.Signature().Results()) {
			// A method value, a method expression, or a twin whose
			// results differ: no rename keeps the code compiling.
			return analysis.SuggestedFix{}, false
		}
		insert := ctxExpr
		if len(call.Args) > 0 {
			insert += ", "
		}
		return analysis.SuggestedFix{
			Message: "use " + o.twin.Name(),
			TextEdits: []analysis.TextEdit{
				{Pos: name.Pos(), End: name.End(), NewText: []byte(o.twin.Name())},
				{Pos: call.Lparen + 1, End: call.Lparen + 1, NewText: []byte(insert)},
			},
		}, true
	}
	return analysis.SuggestedFix{}, false
}

// calledByName returns the identifier naming the function in a call that
// names it directly: f(…), pkg.F(…) or x.M(…) with M a method of x's
// value. Calls through function values and method expressions get nil.
func (c *checker) calledByName(call *ast.CallExpr) *ast.Ident {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		if _, ok := c.pass.TypesInfo.Uses[f].(*types.Func); ok {
			return f
		}
	case *ast.SelectorExpr:
		if sel, ok := c.pass.TypesInfo.Selections[f]; ok {
			if sel.Kind() == types.MethodVal {
				return f.Sel
			}
			return nil
		}
		if _, ok := c.pass.TypesInfo.Uses[f.Sel].(*types.Func); ok {
			return f.Sel // a qualified identifier
		}
	}
	return nil
}

// contextPkg returns the name under which the file holding pos imports
// package context, or "".
func (c *checker) contextPkg(pos token.Pos) string {
	for _, f := range c.pass.Files {
		if f.FileStart > pos || pos > f.FileEnd {
			continue
		}
		for _, imp := range f.Imports {
			if imp.Path.Value != `"context"` {
				continue
			}
			if imp.Name != nil {
				if imp.Name.Name == "_" || imp.Name.Name == "." {
					return ""
				}
				return imp.Name.Name
			}
			return "context"
		}
	}
	return ""
}

// twinExists reports whether the name a rewrite relies on is declared: in
// the callee's package, or as a method of its receiver.
func twinExists(fn *types.Func, twin string) bool {
	if twin == "" || fn.Pkg() == nil {
		return false
	}
	if recv := fn.Signature().Recv(); recv != nil {
		obj, _, _ := types.LookupFieldOrMethod(recv.Type(), true, fn.Pkg(), twin)
		return obj != nil
	}
	return fn.Pkg().Scope().Lookup(twin) != nil
}

// expand fills a catalog rewrite template from the call as written.
func (c *checker) expand(tmpl string, call *ast.CallExpr, ctxExpr string) (string, bool) {
	var pkg, recv string
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok {
			if _, isPkg := c.pass.TypesInfo.Uses[id].(*types.PkgName); isPkg {
				pkg = id.Name
			}
		}
		if pkg == "" {
			recv = c.source(sel.X)
		}
	}
	args := make([]string, len(call.Args))
	for i, a := range call.Args {
		args[i] = c.source(a)
	}
	all := strings.Join(args, ", ")
	if call.Ellipsis.IsValid() {
		all += "..."
	}
	if all == "" {
		tmpl = strings.ReplaceAll(tmpl, "$ctx, $args", "$ctx")
	}
	var out strings.Builder
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] != '$' {
			out.WriteByte(tmpl[i])
			continue
		}
		rest := tmpl[i+1:]
		switch {
		case strings.HasPrefix(rest, "ctx"):
			out.WriteString(ctxExpr)
			i += 3
		case strings.HasPrefix(rest, "pkg."):
			if pkg != "" {
				out.WriteString(pkg + ".")
			}
			i += 4
		case strings.HasPrefix(rest, "pkg"):
			out.WriteString(pkg)
			i += 3
		case strings.HasPrefix(rest, "recv"):
			if recv == "" {
				return "", false
			}
			out.WriteString(recv)
			i += 4
		case strings.HasPrefix(rest, "args"):
			out.WriteString(all)
			i += 4
		default:
			j := 0
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(rest[:j])
			if err != nil || n >= len(args) || call.Ellipsis.IsValid() {
				return "", false
			}
			out.WriteString(args[n])
			i += j
		}
	}
	return out.String(), true
}

// source prints an expression as the file spells it, formatting aside.
func (c *checker) source(e ast.Expr) string {
	var buf bytes.Buffer
	if err := format.Node(&buf, c.pass.Fset, e); err != nil {
		return ""
	}
	return buf.String()
}
