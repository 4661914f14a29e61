package closecheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/goversion"
	"github.com/asynclint/asynclint/analyzers/internal/obligation"
)

// An acquisition is one resource obtained in a function.
type acquisition struct {
	fn    *ssa.Function
	instr ssa.Instruction // the call (or the allocation of a transport)
	index int             // the result of the call that is the resource
	kind  string          // its catalog kind, or "" for a closer of its own type
	typ   types.Type      // its type
	flow  *flow
}

func (c *checker) check() {
	for _, fn := range c.prog.Funcs {
		if fn.Blocks == nil || c.ownedFunc(fn) {
			continue
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Call:
					kinds := c.acquired(in)
					for _, i := range slices.Sorted(maps.Keys(kinds)) {
						c.checkAcquisition(&acquisition{fn: fn, instr: in, index: i, kind: kinds[i], typ: resultType(in, i)})
					}
				case *ssa.Alloc:
					if isTransportLiteral(in) {
						c.checkAcquisition(&acquisition{fn: fn, instr: in, index: -1, kind: "transport", typ: in.Type()})
					}
				}
			}
		}
	}
}

// checkAcquisition reports a resource that is not released or handed on on
// every path from its acquisition to the function's exits.
func (c *checker) checkAcquisition(a *acquisition) {
	if k := catalog.Kinds[a.kind]; k != nil && k.Before123 && !goversion.OldTimers(c.pass, a.instr.Pos()) {
		return
	}
	if c.ownedLine(a.instr) {
		return
	}
	fl := c.newFlow(a.fn, partOf(a.kind))
	a.flow = fl
	roots := c.roots(a)
	discarded := unused(roots)
	if discarded && a.index < 0 {
		return
	}
	for _, r := range roots {
		fl.add(r, whole)
	}
	if call, ok := a.instr.(*ssa.Call); ok {
		for _, err := range errorResults(call) {
			fl.addFailed(err)
		}
	}
	fl.run()
	if deferredBefore(a.instr, fl) {
		return
	}
	// A discarded resource is owed all the same, where the call succeeded.
	nilEdge := obligation.NilPruner(
		func(v ssa.Value) bool { _, ok := fl.held[v]; return ok },
		func(v ssa.Value) bool { return fl.failed[v] })
	br := obligation.Unmet(obligation.Obligation{
		From: a.instr,
		Met:  func(instr ssa.Instruction) bool { return fl.events[instr] != 0 },
		Void: func(b *ssa.BasicBlock, succ int) bool { return fl.voids[edge{b, succ}] || nilEdge(b, succ) },
	})
	if br == nil {
		return
	}
	if !br.Again && isMain(a.fn) {
		return // main and init return once: what they hold lives with the process
	}
	if discarded {
		c.reportDiscarded(a)
		return
	}
	c.reportLeak(a, br)
}

// deferredBefore reports whether a deferred call that releases or keeps the
// resource was registered on every path to its acquisition: a clean-up
// deferred before a loop that gathers resources into a slice or map, and
// runs at the function's exit, whatever the path.
func deferredBefore(acq ssa.Instruction, fl *flow) bool {
	for instr := range fl.events {
		d, ok := instr.(*ssa.Defer)
		if !ok {
			continue
		}
		db, ab := d.Block(), acq.Block()
		if db != ab {
			if db.Dominates(ab) {
				return true
			}
			continue
		}
		for _, in := range db.Instrs {
			if in == d {
				return true
			}
			if in == acq {
				break
			}
		}
	}
	return false
}

// roots returns the values that are the acquired resource as the call
// returns it.
func (c *checker) roots(a *acquisition) []ssa.Value {
	v := a.instr.(ssa.Value)
	if _, isTuple := v.Type().(*types.Tuple); !isTuple {
		return []ssa.Value{v}
	}
	var roots []ssa.Value
	if refs := v.Referrers(); refs != nil {
		for _, ref := range *refs {
			if ex, ok := ref.(*ssa.Extract); ok && ex.Index == a.index {
				roots = append(roots, ex)
			}
		}
	}
	return roots
}

// unused reports whether none of the values is used.
func unused(vs []ssa.Value) bool {
	for _, v := range vs {
		if refs := v.Referrers(); refs != nil && len(*refs) > 0 {
			return false
		}
	}
	return true
}

func resultType(call *ssa.Call, i int) types.Type {
	if t, ok := call.Type().(*types.Tuple); ok {
		return t.At(i).Type()
	}
	return call.Type()
}

// isTransportLiteral reports whether alloc builds an http.Transport:
// &http.Transport{…} or new(http.Transport).
func isTransportLiteral(alloc *ssa.Alloc) bool {
	if alloc.Comment != "complit" && alloc.Comment != "new" {
		return false
	}
	return isTransport(alloc.Type())
}

// isMain reports whether fn runs once for the life of the process: the
// program's main function, or an init function. What they hold when they
// return lasts as long as the process, which is what they meant.
func isMain(fn *ssa.Function) bool {
	if fn.Parent() != nil || fn.Signature.Recv() != nil || fn.Pkg == nil {
		return false
	}
	if fn.Name() == "init" || strings.HasPrefix(fn.Name(), "init#") {
		return true
	}
	return fn.Name() == "main" && fn.Pkg.Pkg.Name() == "main"
}

func (c *checker) report(d analysis.Diagnostic) {
	if c.dirs.Suppressed(name, d.Pos) {
		return
	}
	c.pass.Report(d)
}

// reportLeak reports a resource not released on the path br.
func (c *checker) reportLeak(a *acquisition, br *obligation.Breach) {
	pos, from, call := c.where(a)
	what, verb, why := c.describe(a)
	var path string
	var related analysis.RelatedInformation
	exit := obligation.ExitPos(br.Exit)
	switch {
	case br.Again:
		loop := c.enclosingLoop(pos)
		path = fmt.Sprintf("on the path that goes round the loop at line %d to acquire another", c.line(loop))
		related = analysis.RelatedInformation{Pos: loop, Message: fmt.Sprintf("the %s leaks when this loop comes round again", what)}
	case br.Exit.Pos().IsValid():
		path = fmt.Sprintf("on the path through the return at line %d", c.line(exit))
		related = analysis.RelatedInformation{Pos: exit, Message: fmt.Sprintf("the %s leaks through this return", what)}
	default:
		path = fmt.Sprintf("on the path to the end of %s at line %d", displayName(a.fn), c.line(exit))
		related = analysis.RelatedInformation{Pos: exit, Message: fmt.Sprintf("the %s leaks at the end of %s", what, displayName(a.fn))}
	}
	var msg string
	switch {
	case a.kind == "transport":
		msg = fmt.Sprintf("transport built per call: its idle connections are never reused or released (%s, %s); build one http.Transport and share it, or call CloseIdleConnections before it is dropped",
			strings.TrimPrefix(from, "from "), path)
	case len(a.flow.events) == 0 && !a.flow.onError && !br.Again:
		msg = fmt.Sprintf("%s %s is never %s: %s; %s", what, from, verb, why, c.advice(a, call, br))
	default:
		msg = fmt.Sprintf("%s %s is not %s %s: %s; %s", what, from, verb, path, why, c.advice(a, call, br))
	}
	if f := a.flow.strandedIn; f != nil {
		owner := types.TypeString(a.flow.strandedOwner, types.RelativeTo(c.pass.Pkg))
		msg = fmt.Sprintf("%s %s is stored in field %s of %s, which nothing in this package %s: %s; %s it in a Close method of %s, or where the field is replaced",
			what, from, f.Name(), owner, closesVerb(verb), why, releaseVerb(verb), owner)
	}
	d := analysis.Diagnostic{Pos: pos, Message: msg}
	if related.Pos.IsValid() {
		d.Related = []analysis.RelatedInformation{related}
	}
	if fix, ok := c.fix(a, call); ok {
		d.SuggestedFixes = []analysis.SuggestedFix{fix}
	}
	c.report(d)
}

// closesVerb and releaseVerb turn "closed" into "closes" and "close".
func closesVerb(verb string) string {
	if verb == "closed" {
		return "closes"
	}
	return "releases"
}

func releaseVerb(verb string) string {
	if verb == "closed" {
		return "close"
	}
	return "release"
}

// reportDiscarded reports a resource that the call's caller never even
// assigns.
func (c *checker) reportDiscarded(a *acquisition) {
	pos, from, _ := c.where(a)
	what, verb, why := c.describe(a)
	c.report(analysis.Diagnostic{Pos: pos,
		Message: fmt.Sprintf("%s %s is discarded without being %s: %s; assign it and release it", what, from, verb, why)})
}

// where returns the position to report an acquisition at, the words that
// name where it came from ("from c.Do") and its call expression, if any.
func (c *checker) where(a *acquisition) (token.Pos, string, *ast.CallExpr) {
	pos := a.instr.Pos()
	if a.index < 0 {
		if lit := c.compositeLit(pos); lit != nil {
			return lit.Pos(), "built by " + types.ExprString(lit.Type) + "{…}", nil
		}
		return pos, "built here", nil
	}
	call := c.prog.CallExpr(a.instr)
	if call == nil {
		return pos, "from this call", nil
	}
	fun := types.ExprString(call.Fun)
	if len(fun) > 60 {
		fun = "this call"
	}
	return call.Pos(), "from " + fun, call
}

// describe names the resource, what releasing it is called and what it
// holds.
func (c *checker) describe(a *acquisition) (what, verb, why string) {
	if k := catalog.Kinds[a.kind]; k != nil {
		return k.Name, k.Verb, k.Why
	}
	qual := func(p *types.Package) string { return p.Name() }
	return types.TypeString(a.typ, qual), "closed", "whatever it holds stays open"
}

// advice says how to fix a leak.
func (c *checker) advice(a *acquisition, call *ast.CallExpr, br *obligation.Breach) string {
	handedOn := a.flow.has(kept | returned)
	expr := c.releaseExpr(a, call)
	switch {
	case br.Again && expr != "":
		return fmt.Sprintf("call %s before the loop comes round again", expr)
	case br.Again:
		return "release it before the loop comes round again"
	case expr == "" && handedOn:
		return "release it on that path too"
	case expr == "":
		return "release it on every path"
	case handedOn:
		return fmt.Sprintf("call %s on that path too", expr)
	case c.errorCheck(a, call) != nil:
		return fmt.Sprintf("defer %s after the error check", expr)
	}
	return fmt.Sprintf("defer %s", expr)
}

// releaseExpr returns the release call a fix defers, as in
// resp.Body.Close(), or "" if the resource has no name.
func (c *checker) releaseExpr(a *acquisition, call *ast.CallExpr) string {
	id := c.assignedTo(a, call)
	if id == nil {
		return ""
	}
	method := "Close"
	part := ""
	if k := catalog.Kinds[a.kind]; k != nil {
		method, part = k.Fix, k.Part
	}
	if part != "" {
		return id.Name + "." + part + "." + method + "()"
	}
	return id.Name + "." + method + "()"
}

// enclosingLoop returns the position of the innermost loop around pos.
func (c *checker) enclosingLoop(pos token.Pos) token.Pos {
	f := c.file(pos)
	if f == nil {
		return pos
	}
	path, _ := astutil.PathEnclosingInterval(f, pos, pos)
	for _, n := range path {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return n.Pos()
		case *ast.FuncDecl, *ast.FuncLit:
			return pos
		}
	}
	return pos
}

func (c *checker) line(pos token.Pos) int { return c.pass.Fset.Position(pos).Line }

func (c *checker) file(pos token.Pos) *ast.File {
	for _, f := range c.pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// compositeLit finds the composite literal whose braces open at lbrace.
func (c *checker) compositeLit(lbrace token.Pos) *ast.CompositeLit {
	f := c.file(lbrace)
	if f == nil {
		return nil
	}
	var lit *ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		if lit != nil || n == nil || n.Pos() > lbrace || n.End() <= lbrace {
			return false
		}
		if cl, ok := n.(*ast.CompositeLit); ok && cl.Lbrace == lbrace {
			lit = cl
			return false
		}
		return true
	})
	return lit
}
