// Package program builds the SSA form of the package under analysis on
// demand and answers the questions every analyzer asks of it: which function
// a call reaches, which functions a package defines, in what order.
//
// The analyzers build SSA themselves rather than requiring buildssa so that a
// package with nothing to check costs no SSA construction at all.
package program

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A Program is the SSA form of one package.
type Program struct {
	Pkg *ssa.Package
	// Funcs are the package's source functions, function literals included,
	// each parent before its literals, in source order.
	Funcs []*ssa.Function
}

// Build constructs the SSA form of pass's package. Calls to functions known
// not to return (log.Fatal, os.Exit, ...) end their blocks when noReturn says
// so; it may be nil.
func Build(pass *analysis.Pass, noReturn func(*types.Func) bool) *Program {
	prog := ssa.NewProgram(pass.Fset, 0)
	if noReturn != nil {
		prog.SetNoReturn(noReturn)
	}
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()

	p := &Program{Pkg: pkg}
	var add func(*ssa.Function)
	add = func(f *ssa.Function) {
		p.Funcs = append(p.Funcs, f)
		for _, anon := range f.AnonFuncs {
			add(anon)
		}
	}
	// Function literals in package-level variable initializers belong to
	// the synthetic init function; they are checked like any others.
	if init := pkg.Func("init"); init != nil {
		for _, anon := range init.AnonFuncs {
			add(anon)
		}
	}
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			obj, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			if f := prog.FuncValue(obj); f != nil {
				add(f)
			}
		}
	}
	return p
}

// Callee returns what a call reaches: the SSA function when it is static (a
// direct call, a closure, a bound method value, or an interface call whose
// receiver SSA can see is of one concrete type), and the types.Func that
// names the callee for catalog look-ups (nil for closures). Calls of unknown
// function values return nil, nil.
func Callee(c *ssa.CallCommon) (*ssa.Function, *types.Func) {
	if c.IsInvoke() {
		if mi, ok := c.Value.(*ssa.MakeInterface); ok {
			if fn := concreteMethod(mi, c.Method); fn != nil {
				return fn, origin(fn)
			}
		}
		return nil, c.Method
	}
	fn := c.StaticCallee()
	if fn == nil {
		return nil, nil
	}
	return fn, origin(fn)
}

func concreteMethod(mi *ssa.MakeInterface, m *types.Func) *ssa.Function {
	prog := mi.Parent().Prog
	sel := prog.MethodSets.MethodSet(mi.X.Type()).Lookup(m.Pkg(), m.Name())
	if sel == nil {
		return nil
	}
	return prog.MethodValue(sel)
}

func origin(fn *ssa.Function) *types.Func {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	obj, _ := fn.Object().(*types.Func)
	return obj
}

// Syntax returns the declaration or literal that fn was built from.
func Syntax(fn *ssa.Function) (*ast.FuncDecl, *ast.FuncLit) {
	switch s := fn.Syntax().(type) {
	case *ast.FuncDecl:
		return s, nil
	case *ast.FuncLit:
		return nil, s
	}
	return nil, nil
}

// Args returns the call's arguments as the source sees them: for a method
// call the receiver is not among them.
func Args(c *ssa.CallCommon) []ssa.Value {
	if !c.IsInvoke() && c.Signature().Recv() != nil && len(c.Args) > 0 {
		return c.Args[1:]
	}
	return c.Args
}
