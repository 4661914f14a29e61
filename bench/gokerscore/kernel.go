package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// A kernel is one GoKer kernel file, parsed, with the functions it
// declares named as the compiler names them in stack traces.
type kernel struct {
	key   string // "<dir>/<file>.go", how findings are matched to the file
	name  string // the name it registers ("Kubernetes25331"), or the file's base name
	fset  *token.FileSet
	file  *ast.File
	tfile *token.File
	funcs []*fn
	byNm  map[string]*fn
	gos   []*goStmt
}

// fn is a function of a kernel file: a declaration, a function literal or
// the wrapper the compiler makes for a go or defer statement.
type fn struct {
	name     string
	node     ast.Node // *ast.FuncDecl, *ast.FuncLit, or *ast.GoStmt / *ast.DeferStmt for a wrapper
	parent   *fn      // enclosing function (nil for declarations)
	goRoot   bool     // a declaration, or a literal started by a go statement: a goroutine's own code starts here
	calls    []string // callees named in its own code (not in go statements), resolved by name
	ops      map[string]bool
	wrapsFor []string // for a gowrap/deferwrap: the functions the wrapped call names
}

type goStmt struct {
	stmt    *ast.GoStmt
	targets []string // compiler names of the functions the go statement may start
}

// Blocking operation kinds, by the wait reasons of the runtime.
const (
	opSend   = "send"
	opRecv   = "recv"
	opSelect = "select"
	opLock   = "Lock"
	opRLock  = "RLock"
	opWait   = "Wait"
)

// opKind maps a runtime wait reason to the kind of operation that blocks
// with it, "" when the reason is not one a kernel operation causes.
func opKind(reason string) string {
	switch {
	case strings.HasPrefix(reason, "chan send"):
		return opSend
	case strings.HasPrefix(reason, "chan receive"):
		return opRecv
	case strings.HasPrefix(reason, "select"):
		return opSelect
	case strings.HasSuffix(reason, "Mutex.Lock"):
		return opLock
	case strings.HasSuffix(reason, "Mutex.RLock"):
		return opRLock
	case strings.HasSuffix(reason, ".Wait"):
		return opWait
	}
	return ""
}

// parseKernel parses src (the kernel file at key) and names its functions.
//
// Naming follows cmd/compile (closureName in cmd/compile/internal/ir):
//   - func F: "F"; method M of *T: "(*T).M", of T: "T.M"; generic
//     receivers and functions get "[...]"; the n-th init function "init.n-1".
//   - the function literals written directly in declaration F (not inside
//     another literal) are "F.func1", "F.func2", ... in source order; the
//     literals directly inside literal L are "L.1", "L.2", ... So
//     "Foo.func2.1" is the first literal nested in the second literal of Foo.
//     Literals in package-level initializers are "glob..func1", ...
//   - a go or defer statement whose call is not already a call of a
//     function with no parameters and no results (a method call, a call with
//     arguments, a builtin) is wrapped: "F.gowrap1", "F.deferwrap2", ...,
//     one counter shared by go and defer per enclosing function. Whether a
//     callee named by an identifier has parameters is read from the
//     declarations of the file; an unknown identifier is taken as a func()
//     variable. Tracebacks usually hide these wrappers and show the wrapped
//     callee instead.
//
// Range-over-func bodies ("F-range1") and closures renamed by inlining
// are not modelled: a pattern naming them stays unresolved and is reported.
func parseKernel(key string, src []byte) (*kernel, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, key, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	k := &kernel{key: key, fset: fset, file: f, tfile: fset.File(f.Pos()), byNm: map[string]*fn{}}
	k.name = strings.TrimSuffix(key[strings.LastIndex(key, "/")+1:], ".go")
	if n := registeredName(f); n != "" {
		k.name = n
	}

	imports := map[string]bool{}
	for _, is := range f.Imports {
		p, _ := strconv.Unquote(is.Path.Value)
		n := p[strings.LastIndex(p, "/")+1:]
		if is.Name != nil {
			n = is.Name.Name
		}
		imports[n] = true
	}
	topFuncs := map[string]*ast.FuncDecl{}
	methods := map[string][]string{} // method name -> compiler names
	inits := 0
	declName := map[*ast.FuncDecl]string{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		name := fd.Name.Name
		switch {
		case fd.Recv != nil && len(fd.Recv.List) > 0:
			name = recvName(fd.Recv.List[0].Type) + "." + name
			methods[fd.Name.Name] = append(methods[fd.Name.Name], name)
		case name == "init":
			name = "init." + strconv.Itoa(inits)
			inits++
		default:
			if fd.Type.TypeParams != nil {
				name += "[...]"
			}
			topFuncs[fd.Name.Name] = fd
		}
		declName[fd] = name
	}

	// resolve names the functions a call expression's callee may be.
	resolve := func(fun ast.Expr) []string {
		fun = unparen(fun)
		switch e := fun.(type) {
		case *ast.Ident:
			if fd := topFuncs[e.Name]; fd != nil {
				return []string{declName[fd]}
			}
		case *ast.SelectorExpr:
			if x, ok := unparen(e.X).(*ast.Ident); ok && imports[x.Name] {
				return nil
			}
			return methods[e.Sel.Name]
		}
		return nil
	}
	wrapped := func(call *ast.CallExpr) bool {
		if len(call.Args) > 0 {
			return true
		}
		switch e := unparen(call.Fun).(type) {
		case *ast.FuncLit:
			return hasParamsResults(e.Type)
		case *ast.Ident:
			if fd := topFuncs[e.Name]; fd != nil {
				return hasParamsResults(fd.Type)
			}
			return isBuiltin(e.Name)
		}
		return true
	}

	add := func(x *fn) *fn {
		x.ops = map[string]bool{}
		k.funcs = append(k.funcs, x)
		k.byNm[x.name] = x
		return x
	}
	type counters struct{ lit, goDefer int }
	count := map[*fn]*counters{}
	cnt := func(x *fn) *counters {
		if count[x] == nil {
			count[x] = &counters{}
		}
		return count[x]
	}
	selectComm := map[ast.Node]bool{}

	// walk visits the code of cur (not the bodies of nested literals,
	// which get their own fn and walk).
	var walk func(cur *fn, n ast.Node)
	walk = func(cur *fn, n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				c := cnt(cur)
				c.lit++
				lit := add(&fn{name: litName(cur, c.lit), node: n, parent: cur})
				walk(lit, n.Body)
				return false
			case *ast.GoStmt, *ast.DeferStmt:
				var call *ast.CallExpr
				isGo := false
				if g, ok := n.(*ast.GoStmt); ok {
					call, isGo = g.Call, true
				} else {
					call = n.(*ast.DeferStmt).Call
				}
				var targets []string
				if _, ok := unparen(call.Fun).(*ast.FuncLit); ok {
					// Named when walked: it is the next literal of cur.
					targets = append(targets, litName(cur, cnt(cur).lit+1))
				} else {
					targets = append(targets, resolve(call.Fun)...)
				}
				if wrapped(call) {
					c := cnt(cur)
					c.goDefer++
					kind := ".deferwrap"
					if isGo {
						kind = ".gowrap"
					}
					w := add(&fn{name: cur.name + kind + strconv.Itoa(c.goDefer), node: n, parent: cur, wrapsFor: targets})
					targets = append(targets, w.name)
				}
				if isGo {
					k.gos = append(k.gos, &goStmt{stmt: n.(*ast.GoStmt), targets: targets})
					if lit, ok := unparen(call.Fun).(*ast.FuncLit); ok {
						c := cnt(cur)
						c.lit++
						name := litName(cur, c.lit)
						l := add(&fn{name: name, node: lit, parent: cur, goRoot: true})
						walk(l, lit.Body)
						for _, a := range call.Args {
							walk(cur, a)
						}
						return false
					}
					// The callee and arguments are evaluated by cur, but
					// the call runs in the new goroutine.
					walk(cur, call.Fun)
					for _, a := range call.Args {
						walk(cur, a)
					}
					return false
				}
				return true
			case *ast.CallExpr:
				cur.calls = append(cur.calls, resolve(n.Fun)...)
				if sel, ok := unparen(n.Fun).(*ast.SelectorExpr); ok && len(n.Args) == 0 {
					switch sel.Sel.Name {
					case "Lock":
						cur.ops[opLock] = true
					case "RLock":
						cur.ops[opRLock] = true
					case "Wait":
						cur.ops[opWait] = true
					}
				}
			case *ast.SelectStmt:
				cur.ops[opSelect] = true
				for _, cl := range n.Body.List {
					if cc, ok := cl.(*ast.CommClause); ok && cc.Comm != nil {
						ast.Inspect(cc.Comm, func(m ast.Node) bool {
							switch m := m.(type) {
							case *ast.SendStmt:
								selectComm[m] = true
							case *ast.UnaryExpr:
								if m.Op == token.ARROW {
									selectComm[m] = true
								}
							}
							return true
						})
					}
				}
			case *ast.SendStmt:
				if !selectComm[n] {
					cur.ops[opSend] = true
				}
			case *ast.UnaryExpr:
				if n.Op == token.ARROW && !selectComm[n] {
					cur.ops[opRecv] = true
				}
			case *ast.RangeStmt:
				cur.ops[opRecv] = true // may range over a channel
			}
			return true
		})
	}

	var glob *fn
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			x := add(&fn{name: declName[d], node: d, goRoot: true})
			if d.Body != nil {
				walk(x, d.Body)
			}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			if glob == nil {
				glob = &fn{name: "glob.", node: d, ops: map[string]bool{}}
			}
			walk(glob, d)
		}
	}
	return k, nil
}

// litName names the n-th literal directly inside cur.
func litName(cur *fn, n int) string {
	if _, isDecl := cur.node.(*ast.FuncDecl); isDecl || cur.name == "glob." {
		return cur.name + ".func" + strconv.Itoa(n)
	}
	return cur.name + "." + strconv.Itoa(n)
}

func registeredName(f *ast.File) string {
	var name string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || name != "" {
			return name == ""
		}
		if id, ok := call.Fun.(*ast.Ident); ok && (id.Name == "register" || id.Name == "registerInit") && len(call.Args) > 0 {
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				name, _ = strconv.Unquote(lit.Value)
			}
		}
		return true
	})
	return name
}

func recvName(t ast.Expr) string {
	star := false
	if s, ok := t.(*ast.StarExpr); ok {
		star, t = true, s.X
	}
	var base string
	switch e := t.(type) {
	case *ast.Ident:
		base = e.Name
	case *ast.IndexExpr:
		base = exprIdent(e.X) + "[...]"
	case *ast.IndexListExpr:
		base = exprIdent(e.X) + "[...]"
	}
	if star {
		return "(*" + base + ")"
	}
	return base
}

func exprIdent(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return "?"
}

func unparen(e ast.Expr) ast.Expr {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.IndexExpr: // explicit instantiation f[T]
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		default:
			return e
		}
	}
}

func hasParamsResults(t *ast.FuncType) bool {
	return t.Params.NumFields()+t.Results.NumFields() > 0
}

func isBuiltin(name string) bool {
	switch name {
	case "close", "panic", "print", "println", "delete", "copy", "clear", "append", "recover":
		return true
	}
	return false
}

// chain lists the functions whose code pos is in: the innermost function
// containing pos and its enclosing functions up to the first goroutine root
// (a declaration, or a literal started by a go statement). Literals that are
// deferred, called in place or stored run in the goroutine of the function
// that contains them, so a position in them is also in that function.
func (k *kernel) chain(pos token.Pos) []*fn {
	var inner *fn
	for _, x := range k.funcs {
		switch x.node.(type) {
		case *ast.FuncDecl, *ast.FuncLit:
		default:
			continue // wrappers and glob. are not code of their own
		}
		if x.node.Pos() <= pos && pos < x.node.End() {
			if inner == nil || x.node.Pos() >= inner.node.Pos() && x.node.End() <= inner.node.End() {
				inner = x
			}
		}
	}
	var out []*fn
	for x := inner; x != nil; x = x.parent {
		out = append(out, x)
		if x.goRoot {
			break
		}
	}
	return out
}

// pos converts a 1-based line and column to a position in the file, or
// token.NoPos when they are out of range.
func (k *kernel) pos(line, col int) token.Pos {
	if line < 1 || line > k.tfile.LineCount() {
		return token.NoPos
	}
	p := k.tfile.LineStart(line)
	off := k.tfile.Offset(p) + col - 1
	if col < 1 || off > k.tfile.Size() {
		return p
	}
	return k.tfile.Pos(off)
}

func (k *kernel) names() []string {
	var out []string
	for _, x := range k.funcs {
		out = append(out, x.name)
	}
	sort.Strings(out)
	return out
}
