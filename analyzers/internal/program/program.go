// Package program builds the SSA form of the package under analysis on
// demand and answers the questions every analyzer asks of it: which function
// a call reaches, which functions a package defines, in what order.
//
// The analyzers build SSA themselves rather than requiring buildssa so that a
// package with nothing to check costs no SSA construction at all.
package program

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
)

// Analyzer hands the analyzers that require it the package's SSA form,
// built on first demand and once for all of them: a package none of them
// needs costs no SSA construction, and one all three need costs one.
var Analyzer = &analysis.Analyzer{
	Name:       "asynclintssa",
	Doc:        "build the SSA form of a package once, on demand, for the asynclint analyzers",
	URL:        "https://pkg.go.dev/github.com/asynclint/asynclint/analyzers/internal/program",
	Run:        lazily,
	Requires:   []*analysis.Analyzer{ctrlflow.Analyzer},
	ResultType: reflect.TypeOf((*Lazy)(nil)),
}

func lazily(pass *analysis.Pass) (any, error) {
	cfgs := pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs)
	return &Lazy{pass: pass, noReturn: cfgs.NoReturn}, nil
}

// Lazy is a package's SSA form, not built until asked for.
type Lazy struct {
	once     sync.Once
	pass     *analysis.Pass
	noReturn func(*types.Func) bool
	prog     *Program
}

// Of returns the SSA form of pass's package, building it if no analyzer
// has yet. pass's analyzer must require Analyzer.
func Of(pass *analysis.Pass) *Program {
	l := pass.ResultOf[Analyzer].(*Lazy)
	l.once.Do(func() { l.prog = Build(l.pass, l.noReturn) })
	return l.prog
}

// A Program is the SSA form of one package. Several analyzers may use it
// at once: its caches are guarded.
type Program struct {
	Pkg *ssa.Package
	// Funcs are the package's source functions, function literals included,
	// each parent before its literals, in source order.
	Funcs []*ssa.Function

	files   []*ast.File
	mu      sync.Mutex                        // guards the caches below
	calls   map[token.Pos]*ast.CallExpr       // by Lparen, built on first use
	globals map[*ssa.Global]*ssa.Function     // function variables assigned once, built on first use
	impls   map[*types.Interface]*types.Named // the one type of this package implementing each, or nil
}

// Build constructs the SSA form of pass's package. Calls to functions known
// not to return (log.Fatal, os.Exit, ...) end their blocks: those of the
// catalog, and those noReturn (ctrlflow's facts; it may be nil) says so.
func Build(pass *analysis.Pass, noReturn func(*types.Func) bool) *Program {
	prog := ssa.NewProgram(pass.Fset, 0)
	prog.SetNoReturn(func(fn *types.Func) bool {
		return catalog.NeverReturns(fn) || noReturn != nil && noReturn(fn)
	})
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()

	p := &Program{Pkg: pkg, files: pass.Files}
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

// Callee is the package-level Callee extended with what this package's
// code shows: a function value chosen among static functions (the first
// that is one, as in f := c.do; if f == nil { f = http.DefaultClient.Do }),
// a package-level function variable assigned only once, and an interface
// method implemented by a single type of this package.
func (p *Program) Callee(c *ssa.CallCommon) (*ssa.Function, *types.Func) {
	fn, obj := Callee(c)
	if fn != nil {
		return fn, obj
	}
	if c.IsInvoke() {
		if impl := p.implementation(c.Value.Type()); impl != nil {
			prog := p.Pkg.Prog
			sel := prog.MethodSets.MethodSet(types.NewPointer(impl)).Lookup(c.Method.Pkg(), c.Method.Name())
			if sel != nil {
				if m := prog.MethodValue(sel); m != nil {
					return m, origin(m)
				}
			}
		}
		return nil, obj
	}
	if f := p.staticValue(c.Value, 0); f != nil {
		return f, origin(f)
	}
	return nil, nil
}

// staticValue returns the function a function value must be, or may be
// among unknowns, as far as this package shows.
func (p *Program) staticValue(v ssa.Value, depth int) *ssa.Function {
	if depth > 4 {
		return nil
	}
	switch v := v.(type) {
	case *ssa.Function:
		return v
	case *ssa.MakeClosure:
		return v.Fn.(*ssa.Function)
	case *ssa.Phi:
		for _, e := range v.Edges {
			if f := p.staticValue(e, depth+1); f != nil {
				return f
			}
		}
	case *ssa.UnOp:
		if g, ok := v.X.(*ssa.Global); ok && v.Op == token.MUL {
			return p.globalFunc(g)
		}
	}
	return nil
}

// globalFunc returns the function a package-level variable holds when the
// package stores exactly one, statically known, into it.
func (p *Program) globalFunc(g *ssa.Global) *ssa.Function {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.globals == nil {
		p.globals = map[*ssa.Global]*ssa.Function{}
		stores := map[*ssa.Global]int{}
		funcs := append([]*ssa.Function{p.Pkg.Func("init")}, p.Funcs...)
		for _, fn := range funcs {
			if fn == nil {
				continue
			}
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					st, ok := instr.(*ssa.Store)
					if !ok {
						continue
					}
					if g, ok := st.Addr.(*ssa.Global); ok {
						stores[g]++
						switch v := st.Val.(type) {
						case *ssa.Function:
							p.globals[g] = v
						case *ssa.MakeClosure:
							p.globals[g] = v.Fn.(*ssa.Function)
						}
					}
				}
			}
		}
		for g, n := range stores {
			if n != 1 {
				delete(p.globals, g)
			}
		}
	}
	return p.globals[g]
}

// implementation returns the single named type declared in this package
// whose pointer implements the interface t, or nil.
func (p *Program) implementation(t types.Type) *types.Named {
	iface, ok := t.Underlying().(*types.Interface)
	if !ok || iface.NumMethods() == 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.impls == nil {
		p.impls = map[*types.Interface]*types.Named{}
	}
	if impl, ok := p.impls[iface]; ok {
		return impl
	}
	var impl *types.Named
	scope := p.Pkg.Pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok || named.TypeParams() != nil || types.IsInterface(named) {
			continue
		}
		if types.Implements(types.NewPointer(named), iface) {
			if impl != nil {
				impl = nil // more than one: nothing to say
				break
			}
			impl = named
		}
	}
	p.impls[iface] = impl
	return impl
}

// CallExpr returns the call expression an SSA call, go or defer comes
// from, or nil for calls the source does not spell out.
func (p *Program) CallExpr(instr ssa.Instruction) *ast.CallExpr {
	ci, ok := instr.(ssa.CallInstruction)
	if !ok {
		return nil
	}
	lparen := ci.Common().Pos()
	if !lparen.IsValid() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.calls == nil {
		p.calls = map[token.Pos]*ast.CallExpr{}
		for _, f := range p.files {
			ast.Inspect(f, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					p.calls[call.Lparen] = call
				}
				return true
			})
		}
	}
	return p.calls[lparen]
}
