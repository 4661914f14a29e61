package closecheck

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
)

// fix builds the suggested fix for a leak, when deferring the release right
// after the acquisition (and its error check) is the whole fix: the
// resource is assigned to a variable, never handed on, and not acquired in
// a loop. Deferred releases of the same variable further down become
// redundant and are removed; plain ones stay, releasing twice is harmless
// for every kind in the catalog.
func (c *checker) fix(a *acquisition, call *ast.CallExpr) (analysis.SuggestedFix, bool) {
	if a.kind == "transport" || a.index < 0 || a.flow.has(kept|returned) || a.flow.strandedIn != nil {
		return analysis.SuggestedFix{}, false
	}
	id := c.assignedTo(a, call)
	expr := c.releaseExpr(a, call)
	stmt, body := c.statement(call)
	if id == nil || expr == "" || stmt == nil || body == nil || c.inLoop(stmt) || !c.canRelease(id, expr) {
		return analysis.SuggestedFix{}, false
	}
	after := ast.Node(stmt)
	if hasError(a) {
		check := c.errorCheck(a, call)
		if check == nil {
			return analysis.SuggestedFix{}, false
		}
		after = check
	}
	// The defer goes on a line of its own after after's, past any comment
	// that ends it.
	tf := c.pass.Fset.File(after.End())
	line := tf.Line(after.End())
	if line >= tf.LineCount() || tf.Line(body.Rbrace) == line {
		return analysis.SuggestedFix{}, false // no line of its own inside the body
	}
	at := tf.LineStart(line + 1)
	indent := strings.Repeat("\t", c.pass.Fset.Position(stmt.Pos()).Column-1)
	edits := []analysis.TextEdit{{Pos: at, End: at, NewText: []byte(indent + "defer " + expr + "\n")}}
	// A variable that holds several resources in turn keeps its later
	// defers: they release the later ones.
	reused := c.assignments(body, id) > 1
	for _, d := range c.deferredReleases(a, body, id) {
		if reused {
			break
		}
		if d.Pos() <= after.End() {
			continue
		}
		if start, end, ok := c.wholeLines(d); ok {
			edits = append(edits, analysis.TextEdit{Pos: start, End: end})
		}
	}
	return analysis.SuggestedFix{Message: "defer " + expr, TextEdits: edits}, true
}

// hasError reports whether the acquiring call also returns an error.
func hasError(a *acquisition) bool {
	call, ok := a.instr.(interface{ Type() types.Type })
	if !ok {
		return false
	}
	t, ok := call.Type().(*types.Tuple)
	return ok && isError(t.At(t.Len()-1).Type())
}

// assignedTo returns the variable the resource is assigned to, as in
// resp, err := c.Do(req), or nil.
func (c *checker) assignedTo(a *acquisition, call *ast.CallExpr) *ast.Ident {
	if call == nil || a.index < 0 {
		return nil
	}
	stmt, _ := c.statement(call)
	var lhs []ast.Expr
	switch s := stmt.(type) {
	case *ast.AssignStmt:
		if len(s.Rhs) != 1 {
			return nil
		}
		lhs = s.Lhs
	case *ast.DeclStmt:
		spec := s.Decl.(*ast.GenDecl).Specs[0].(*ast.ValueSpec)
		for _, n := range spec.Names {
			lhs = append(lhs, n)
		}
	default:
		return nil
	}
	if a.index >= len(lhs) {
		return nil
	}
	id, ok := lhs[a.index].(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	return id
}

// statement returns the assignment or declaration whose only value is
// call, and the block it is a statement of.
func (c *checker) statement(call *ast.CallExpr) (ast.Stmt, *ast.BlockStmt) {
	if call == nil {
		return nil, nil
	}
	f := c.file(call.Pos())
	if f == nil {
		return nil, nil
	}
	path, _ := astutil.PathEnclosingInterval(f, call.Pos(), call.End())
	if len(path) < 3 {
		return nil, nil
	}
	var stmt ast.Stmt
	i := 1
	switch p := path[1].(type) {
	case *ast.AssignStmt:
		if len(p.Rhs) != 1 || p.Rhs[0] != call {
			return nil, nil
		}
		stmt = p
	case *ast.ValueSpec:
		if len(p.Values) != 1 || p.Values[0] != call || len(path) < 5 {
			return nil, nil
		}
		gd, ok := path[2].(*ast.GenDecl)
		if !ok || len(gd.Specs) != 1 {
			return nil, nil
		}
		ds, ok := path[3].(*ast.DeclStmt)
		if !ok {
			return nil, nil
		}
		stmt, i = ds, 3
	default:
		return nil, nil
	}
	if i+1 >= len(path) {
		return stmt, nil
	}
	block, _ := path[i+1].(*ast.BlockStmt)
	return stmt, block
}

// errorCheck returns the statement that follows the acquisition and
// returns when its error is not nil: if err != nil { …; return … }.
func (c *checker) errorCheck(a *acquisition, call *ast.CallExpr) *ast.IfStmt {
	stmt, block := c.statement(call)
	if stmt == nil || block == nil {
		return nil
	}
	var errID *ast.Ident
	switch s := stmt.(type) {
	case *ast.AssignStmt:
		errID, _ = s.Lhs[len(s.Lhs)-1].(*ast.Ident)
	case *ast.DeclStmt:
		names := s.Decl.(*ast.GenDecl).Specs[0].(*ast.ValueSpec).Names
		errID = names[len(names)-1]
	}
	if errID == nil || errID.Name == "_" {
		return nil
	}
	errObj := c.pass.TypesInfo.ObjectOf(errID)
	for i, s := range block.List {
		if s != stmt || i+1 >= len(block.List) {
			continue
		}
		ifs, ok := block.List[i+1].(*ast.IfStmt)
		if !ok || ifs.Init != nil || ifs.Else != nil {
			return nil
		}
		cond, ok := ifs.Cond.(*ast.BinaryExpr)
		if !ok || cond.Op != token.NEQ {
			return nil
		}
		x, ok := cond.X.(*ast.Ident)
		y, ok2 := cond.Y.(*ast.Ident)
		if !ok || !ok2 || c.pass.TypesInfo.ObjectOf(x) != errObj || y.Name != "nil" {
			return nil
		}
		if n := len(ifs.Body.List); n == 0 || !terminates(ifs.Body.List[n-1]) {
			return nil
		}
		return ifs
	}
	return nil
}

// terminates reports whether a statement leaves the block: a return, a
// branch, or a panic.
func terminates(s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ReturnStmt, *ast.BranchStmt:
		return true
	case *ast.ExprStmt:
		if call, ok := s.X.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "panic" {
				return true
			}
		}
	}
	return false
}

// inLoop reports whether stmt runs in a loop of its function: a deferred
// release there would pile up until the function returns.
func (c *checker) inLoop(stmt ast.Stmt) bool {
	f := c.file(stmt.Pos())
	path, _ := astutil.PathEnclosingInterval(f, stmt.Pos(), stmt.End())
	for _, n := range path {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		case *ast.FuncDecl, *ast.FuncLit:
			return false
		}
	}
	return false
}

// deferredReleases returns the statements defer id.Close() (or the kind's
// other releases, on its part) in body, outside function literals, that
// have their lines to themselves.
func (c *checker) deferredReleases(a *acquisition, body *ast.BlockStmt, id *ast.Ident) []*ast.DeferStmt {
	obj := c.pass.TypesInfo.ObjectOf(id)
	part := partOf(a.kind)
	releases := []string{"Close"}
	if k := catalog.Kinds[a.kind]; k != nil {
		releases = k.Release
	}
	matches := func(d *ast.DeferStmt) bool {
		if len(d.Call.Args) != 0 {
			return false
		}
		sel, ok := d.Call.Fun.(*ast.SelectorExpr)
		if !ok || !contains(releases, sel.Sel.Name) {
			return false
		}
		x := sel.X
		if part != "" {
			ps, ok := x.(*ast.SelectorExpr)
			if !ok || ps.Sel.Name != part {
				return false
			}
			x = ps.X
		}
		xid, ok := x.(*ast.Ident)
		return ok && c.pass.TypesInfo.ObjectOf(xid) == obj
	}
	var out []*ast.DeferStmt
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BlockStmt:
			for i, s := range n.List {
				d, ok := s.(*ast.DeferStmt)
				if !ok || !matches(d) {
					continue
				}
				if i > 0 && c.line(n.List[i-1].End()) >= c.line(d.Pos()) {
					continue
				}
				if i+1 < len(n.List) && c.line(n.List[i+1].Pos()) <= c.line(d.End()) {
					continue
				}
				out = append(out, d)
			}
		}
		return true
	})
	return out
}

// wholeLines returns the extent of the lines n occupies, if no comment is
// on them.
func (c *checker) wholeLines(n ast.Node) (token.Pos, token.Pos, bool) {
	tf := c.pass.Fset.File(n.Pos())
	if tf == nil {
		return 0, 0, false
	}
	start := tf.LineStart(tf.Line(n.Pos()))
	endLine := tf.Line(n.End())
	end := token.Pos(tf.Base() + tf.Size())
	if endLine < tf.LineCount() {
		end = tf.LineStart(endLine + 1)
	}
	for _, cg := range c.file(n.Pos()).Comments {
		if cg.Pos() >= start && cg.Pos() < end {
			return 0, 0, false
		}
	}
	return start, end, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// canRelease reports whether the release expression compiles against id's
// static type: a resource held in a narrower interface (io.Writer, io.Reader)
// has no Close to call.
func (c *checker) canRelease(id *ast.Ident, expr string) bool {
	obj := c.pass.TypesInfo.ObjectOf(id)
	rest, ok := strings.CutPrefix(expr, id.Name+".")
	if obj == nil || !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, ".")
	name, _, _ = strings.Cut(name, "(")
	found, _, _ := types.LookupFieldOrMethod(obj.Type(), true, c.pass.Pkg, name)
	return found != nil
}

// assignments counts the assignments to id's variable in body.
func (c *checker) assignments(body *ast.BlockStmt, id *ast.Ident) int {
	obj := c.pass.TypesInfo.ObjectOf(id)
	n := 0
	ast.Inspect(body, func(node ast.Node) bool {
		as, ok := node.(*ast.AssignStmt)
		if !ok {
			return true
		}
		for _, lhs := range as.Lhs {
			if l, ok := lhs.(*ast.Ident); ok && c.pass.TypesInfo.ObjectOf(l) == obj {
				n++
			}
		}
		return true
	})
	return n
}
