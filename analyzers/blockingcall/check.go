package blockingcall

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
	"github.com/asynclint/asynclint/analyzers/internal/goversion"
	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// A mode says why a function is an async path, if it is one.
type mode struct {
	ctx         bool // a context is available: a parameter of its own or of an enclosing function
	goroutine   bool // it is, or is nested in, the body of a goroutine
	nonblocking bool // marked //asynclint:nonblocking
	detached    bool // marked //asynclint:detached
	// cleanup: it runs deferred, or only once a context is done
	// (t.Cleanup, context.AfterFunc). Fresh contexts are right there, and
	// a fix must not thread a context that is already cancelled.
	cleanup bool
	// afterDone: it runs only once the context in scope is done, so that
	// context is no context at all.
	afterDone bool
	// goroutineRoot is the literal that runs as a goroutine that may
	// outlive its starter, for functions nested in one: a context from
	// outside it may end before it does.
	goroutineRoot *ssa.Function
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

func (m *mode) async() bool { return m.ctx || m.goroutine || m.nonblocking }

func (c *checker) assignModes() {
	roots := c.goroutineBodies()
	cleanups := c.cleanupBodies()
	for _, fn := range c.prog.Funcs {
		decl, lit := program.Syntax(fn)
		afterDone, cleanup := cleanups[fn]
		m := &mode{
			ctx:         c.sums[fn].ctxInside,
			goroutine:   hasKey(roots, fn),
			nonblocking: c.dirs.OnFunc(decl, lit, directive.Nonblocking) != nil,
			detached:    c.dirs.OnFunc(decl, lit, directive.Detached) != nil,
			cleanup:     cleanup,
			afterDone:   afterDone,
		}
		if roots[fn] {
			m.goroutineRoot = fn // a goroutine that may outlive its starter
		}
		if pm := c.modes[fn.Parent()]; pm != nil {
			m.goroutine = m.goroutine || pm.goroutine
			m.detached = m.detached || pm.detached
			m.cleanup = m.cleanup || pm.cleanup
			m.afterDone = m.afterDone || pm.afterDone
			if m.goroutineRoot == nil {
				m.goroutineRoot = pm.goroutineRoot
			}
		}
		if m.afterDone {
			m.ctx = false
		}
		c.modes[fn] = m
	}
}

// cleanupBodies returns the function literals that run deferred (false)
// or only once a context is done or a test has ended (true).
func (c *checker) cleanupBodies() map[*ssa.Function]bool {
	bodies := map[*ssa.Function]bool{}
	for _, fn := range c.prog.Funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var f ssa.Value
				afterDone := false
				switch in := instr.(type) {
				case *ssa.Defer:
					f = in.Call.Value
				case *ssa.Call:
					_, obj := program.Callee(in.Common())
					if obj == nil {
						continue
					}
					i, ok := catalog.AfterDone[catalog.Name(obj)]
					if args := program.Args(in.Common()); ok && i < len(args) {
						f, afterDone = args[i], true
					}
				}
				var body *ssa.Function
				switch f := f.(type) {
				case *ssa.Function:
					body = f
				case *ssa.MakeClosure:
					body = f.Fn.(*ssa.Function)
				}
				if body != nil && body.Parent() != nil {
					bodies[body] = bodies[body] || afterDone
				}
			}
		}
	}
	return bodies
}

// goroutineBodies returns the function literals that run as goroutines:
// started by a go statement or handed to a spawner such as errgroup's Go.
//
// The value says whether the goroutine may outlive the function that
// starts it: true for go statements and timers, false for the goroutines
// of an errgroup or WaitGroup, which the function joins.
func (c *checker) goroutineBodies() map[*ssa.Function]bool {
	roots := map[*ssa.Function]bool{}
	for _, fn := range c.prog.Funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if body := goroutineBody(instr); body != nil && body.Parent() != nil {
					roots[body] = roots[body] || !joined(instr)
				}
			}
		}
	}
	return roots
}

func joined(instr ssa.Instruction) bool {
	call, ok := instr.(*ssa.Call)
	if !ok {
		return false
	}
	_, obj := program.Callee(call.Common())
	return obj != nil && catalog.Joined[catalog.Name(obj)]
}

// goroutineBody returns the function instr runs on a new goroutine, if SSA
// can see it.
func goroutineBody(instr ssa.Instruction) *ssa.Function {
	switch in := instr.(type) {
	case *ssa.Go:
		fn, _ := program.Callee(in.Common())
		return fn
	case *ssa.Call:
		_, obj := program.Callee(in.Common())
		if obj == nil {
			return nil
		}
		i, ok := catalog.Spawners[catalog.Name(obj)]
		if !ok {
			return nil
		}
		args := program.Args(in.Common())
		if i >= len(args) {
			return nil
		}
		switch f := args[i].(type) {
		case *ssa.Function:
			return f
		case *ssa.MakeClosure:
			return f.Fn.(*ssa.Function)
		}
	}
	return nil
}

func (c *checker) check() {
	for _, fn := range c.prog.Funcs {
		m := c.modes[fn]
		if m.async() {
			c.forEachOp(fn, func(o op) bool {
				switch {
				case m.nonblocking:
					c.reportNonblocking(fn, o)
				case o.noCtx && !o.viaBackground:
					c.reportNoContext(fn, m, o)
				}
				return true
			})
		}
		c.checkGoroutineTargets(fn)
		if m.ctx && !m.detached && !m.cleanup {
			c.checkPropagation(fn)
		}
	}
}

// checkGoroutineTargets reports named functions started as goroutines that
// block without a context: go f(...) puts f's body on an async path even
// though f is not one when called directly.
func (c *checker) checkGoroutineTargets(fn *ssa.Function) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			body := goroutineBody(instr)
			if body != nil && body.Parent() != nil {
				continue // a literal: checked as an async function in its own right
			}
			var common *ssa.CallCommon
			switch in := instr.(type) {
			case *ssa.Go:
				common = in.Common()
			case *ssa.Call:
				if body == nil {
					continue
				}
				common = &ssa.CallCommon{Value: body}
			default:
				continue
			}
			o, ok := c.callOp(instr, common, nil)
			if !ok || !o.noCtx || o.viaBackground || o.bounded {
				continue // bounded work ends in time, even on a goroutine
			}
			c.reportGoroutine(fn, instr, o)
		}
	}
}

// checkPropagation reports context.Background() and context.TODO() handed to
// a context-taking call while a context is in scope.
func (c *checker) checkPropagation(fn *ssa.Function) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			_, obj := program.Callee(call.Common())
			if obj == nil || !catalog.Background[catalog.Name(obj)] {
				continue
			}
			direct, final := contextConsumer(call)
			if direct == nil || c.afterDone(call) || c.dirs.OnLine(call.Pos(), directive.Detached) != nil {
				continue
			}
			c.reportPropagation(fn, call, obj, direct, final)
		}
	}
}

// contextConsumer returns the function that ctx, a context made from
// scratch, is passed to as a context argument, and the one that finally
// uses it, following derivations: context.WithTimeout(context.Background(),
// d) matters only if the derived context is used here, not if it is stored
// as a long-lived object's own lifetime.
func contextConsumer(ctx ssa.Value) (direct, final *types.Func) {
	for _, ref := range *ctx.Referrers() {
		call, ok := ref.(ssa.CallInstruction)
		if _, deferred := ref.(*ssa.Defer); !ok || deferred {
			continue // a deferred call is cleanup: a fresh context is right there
		}
		_, obj := program.Callee(call.Common())
		if obj == nil || catalog.Detachers[catalog.Name(obj)] {
			continue
		}
		passed := false
		for _, a := range program.Args(call.Common()) {
			if a == ctx && catalog.IsContext(a.Type()) {
				passed = true
			}
		}
		if !passed {
			continue
		}
		if _, derives := catalog.Derivers[catalog.Name(obj)]; derives {
			if v, ok := call.(*ssa.Call); ok {
				if f := derivedUse(v); f != nil {
					return obj, f
				}
			}
			continue
		}
		return obj, obj
	}
	return nil, nil
}

// derivedUse returns the function the context a deriver returns is
// finally passed to, if any.
func derivedUse(call *ssa.Call) *types.Func {
	if _, isTuple := call.Type().(*types.Tuple); !isTuple {
		_, f := contextConsumer(call)
		return f
	}
	for _, ref := range *call.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok && ex.Index == 0 {
			if _, f := contextConsumer(ex); f != nil {
				return f
			}
		}
	}
	return nil
}

// afterDone reports whether instr only runs once a context is done: after a
// receive from ctx.Done(), in the Done case of a select, or where ctx.Err()
// was found non-nil. Work there is shutdown or cleanup and rightly uses a
// fresh context.
func (c *checker) afterDone(instr ssa.Instruction) bool {
	blk := instr.Block()
	for _, b := range blk.Parent().Blocks {
		if !b.Dominates(blk) {
			continue
		}
		for _, in := range b.Instrs {
			if b == blk && in == instr {
				break
			}
			if u, ok := in.(*ssa.UnOp); ok && u.Op == token.ARROW && isDoneChan(u.X) {
				return true
			}
			if sel, ok := in.(*ssa.Select); ok && sel.Blocking && allDone(sel) {
				return true // every way out of the select is a context ending
			}
			if call, ok := in.(*ssa.Call); ok && waitsForGroup(call) {
				return true // the group's context is cancelled once Wait returns
			}

		}
	}
	// Code reached from the Done case of a select, or from an
	// ctx.Err() != nil branch, may run once the context is done: a select
	// whose Done case falls through to shared shutdown code is the common
	// shape.
	for _, b := range blk.Parent().Blocks {
		if ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok {
			if succ := doneBranch(ifi); succ != nil && len(succ.Preds) == 1 && program.Reaches(succ, blk, nil) {
				return true
			}
		}
	}
	return false
}

// doneBranch returns the successor of an If that runs only when a context
// is done: the Done case of a select, or the ctx.Err() != nil branch.
func doneBranch(ifi *ssa.If) *ssa.BasicBlock {
	cmp, ok := ifi.Cond.(*ssa.BinOp)
	if !ok || (cmp.Op != token.EQL && cmp.Op != token.NEQ) {
		return nil
	}
	succs := ifi.Block().Succs
	if isCtxErr(cmp.X) && isNilConst(cmp.Y) || isCtxErr(cmp.Y) && isNilConst(cmp.X) {
		if cmp.Op == token.NEQ {
			return succs[0]
		}
		return succs[1]
	}
	ex, ok := cmp.X.(*ssa.Extract)
	k, ok2 := cmp.Y.(*ssa.Const)
	if !ok || !ok2 || ex.Index != 0 || cmp.Op != token.EQL {
		return nil
	}
	sel, ok := ex.Tuple.(*ssa.Select)
	if !ok || k.Value == nil {
		return nil
	}
	i := int(k.Int64())
	if i >= 0 && i < len(sel.States) && sel.States[i].Dir == types.RecvOnly && isDoneChan(sel.States[i].Chan) {
		return succs[0]
	}
	return nil
}

// allDone reports whether a select waits only for things to end: a
// context's Done, or a signal channel (chan struct{}, a stop or quit
// request). The code after it is shutdown, with at least one Done among
// the ways out.
func allDone(sel *ssa.Select) bool {
	done := false
	for _, st := range sel.States {
		if st.Dir != types.RecvOnly {
			return false
		}
		if isDoneChan(st.Chan) {
			done = true
			continue
		}
		ch, ok := st.Chan.Type().Underlying().(*types.Chan)
		if !ok {
			return false
		}
		if elem, ok := ch.Elem().Underlying().(*types.Struct); !ok || elem.NumFields() != 0 {
			return false
		}
	}
	return done
}

func waitsForGroup(call *ssa.Call) bool {
	_, obj := program.Callee(call.Common())
	return obj != nil && catalog.Name(obj) == "(*golang.org/x/sync/errgroup.Group).Wait"
}

func isNilConst(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.IsNil()
}

func isCtxErr(v ssa.Value) bool { return isContextMethodCall(v, "Err") }

func isDoneChan(v ssa.Value) bool { return isContextMethodCall(v, "Done") }

func isContextMethodCall(v ssa.Value, name string) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	_, obj := program.Callee(call.Common())
	return obj != nil && obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == "context"
}

// contextParam returns the expression that yields f's own context from one
// of its parameters: "ctx", "r.Context()", "t.Context()".
//
// A context parameter left unnamed or named _ still makes a context
// available, one the function chose to ignore; it yields no expression.
func (c *checker) contextParam(f *ssa.Function) (string, bool) {
	params := f.Signature.Params()
	found := false
	for i := 0; i < params.Len(); i++ {
		p := params.At(i)
		ok, accessor := catalog.ContextSource(p.Type(), goversion.AtLeast(c.pass, f.Pos(), "go1.24"))
		if !ok {
			continue
		}
		if p.Name() == "" || p.Name() == "_" {
			found = found || catalog.IsContext(p.Type())
			continue
		}
		return p.Name() + accessor, true
	}
	return "", found
}

func (c *checker) report(d analysis.Diagnostic) {
	if c.dirs.Suppressed(name, d.Pos) {
		return
	}
	c.pass.Report(d)
}

func (c *checker) reportNoContext(fn *ssa.Function, m *mode, o op) {
	call := c.prog.CallExpr(o.instr)
	pos := o.pos
	if call != nil {
		pos = call.Pos()
	}
	name, what, advice := c.describe(o)
	ctxExpr, outer := c.contextAt(fn, pos)
	fixExpr := ctxExpr
	_, deferred := o.instr.(*ssa.Defer)
	// Deferred work runs as the function returns, often because ctx was
	// cancelled, and a goroutine may outlive the function that started it
	// and that function's context: both need ctx's values without its
	// cancellation.
	escapes := m.goroutineRoot != nil && outer(m.goroutineRoot)
	if (deferred || m.cleanup || escapes) && ctxExpr != "" {
		if pkg := c.contextPkg(pos); pkg != "" {
			fixExpr = pkg + ".WithoutCancel(" + ctxExpr + ")"
		} else {
			fixExpr = ""
		}
	}
	var msg string
	switch {
	case len(o.chain) == 2 && o.chain[1] == "net/http.NewRequest" && o.chain[0] == calleeName(nil, o.callee):
		name = o.chain[0]
		msg = fmt.Sprintf("%s builds a request without a context (%s) that is sent here: the request cannot be cancelled; attach %s with req.WithContext(%s) before sending it, or build it with one",
			name, strings.Join(o.chain, " → "), orCtx(ctxExpr), orCtx(ctxExpr))
	case o.chain != nil:
		name = o.chain[0]
		where := "in a goroutine: nothing can stop it"
		if m.ctx {
			where = fmt.Sprintf("while %s is in scope: cancelling %s will not stop it", orCtx(ctxExpr), orCtx(ctxExpr))
		}
		msg = fmt.Sprintf("%s blocks without a context (%s) %s; give %s a context parameter and pass it %s",
			name, strings.Join(o.chain, " → "), where, name, orCtx(ctxExpr))
	case m.ctx:
		msg = fmt.Sprintf("%s blocks without a context while %s is in scope: %s cannot be cancelled; %s",
			name, orCtx(ctxExpr), what, withCtx(advice, ctxExpr))
	default:
		msg = fmt.Sprintf("%s blocks without a context in a goroutine: nothing can cancel %s; pass the goroutine a context and %s",
			name, what, advice)
	}
	d := analysis.Diagnostic{Pos: pos, Message: msg, Related: c.related(o)}
	if call != nil && fixExpr != "" {
		if fix, ok := c.fix(o, call, fixExpr); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
	}
	c.report(d)
}

func (c *checker) reportGoroutine(fn *ssa.Function, instr ssa.Instruction, o op) {
	name, what, advice := c.describe(o)
	// A goroutine outlives the statement that starts it: the context it
	// needs is one that lasts as long as its work, not the caller's.
	give := "give it a context that lasts as long as its work"
	if ctxExpr, _ := c.contextAt(fn, instr.Pos()); ctxExpr != "" {
		if pkg := c.contextPkg(instr.Pos()); pkg != "" {
			give = fmt.Sprintf("give it %s.WithoutCancel(%s), or the owner's lifetime context", pkg, ctxExpr)
		}
	}
	var msg string
	if o.chain != nil {
		name = o.chain[0]
		msg = fmt.Sprintf("%s blocks without a context (%s) in the goroutine started here: nothing can stop it; add a context parameter to %s and %s",
			name, strings.Join(o.chain, " → "), name, give)
	} else {
		msg = fmt.Sprintf("%s blocks without a context in the goroutine started here: nothing can cancel %s; %s, then %s",
			name, what, give, strings.Replace(advice, "ctx", "that context", 1))
	}
	c.report(analysis.Diagnostic{Pos: instr.Pos(), Message: msg, Related: c.related(o)})
}

func (c *checker) reportNonblocking(fn *ssa.Function, o op) {
	fname := displayName(fn)
	pos := o.pos
	var msg string
	switch {
	case o.kind == "select without default":
		msg = fmt.Sprintf("select without default blocks in %s, which is marked //asynclint:nonblocking; add a default case or move the wait to another goroutine", fname)
	case o.kind != "":
		msg = fmt.Sprintf("%s blocks in %s, which is marked //asynclint:nonblocking; use a select with a default case", o.kind, fname)
	case o.chain != nil:
		if call := c.prog.CallExpr(o.instr); call != nil {
			pos = call.Pos()
		}
		msg = fmt.Sprintf("%s can block (%s) in %s, which is marked //asynclint:nonblocking; hand the work to another goroutine",
			o.chain[0], strings.Join(o.chain, " → "), fname)
	default:
		if call := c.prog.CallExpr(o.instr); call != nil {
			pos = call.Pos()
		}
		name, _, _ := c.describe(o)
		msg = fmt.Sprintf("%s blocks in %s, which is marked //asynclint:nonblocking; hand the work to another goroutine", name, fname)
	}
	c.report(analysis.Diagnostic{Pos: pos, Message: msg, Related: c.related(o)})
}

func (c *checker) reportPropagation(fn *ssa.Function, bg *ssa.Call, bgFunc, target, final *types.Func) {
	pos := bg.Pos()
	call := c.prog.CallExpr(bg)
	if call != nil {
		pos = call.Pos()
	}
	ctxExpr, _ := c.contextAt(fn, pos)
	to := shortName(target)
	if final != target {
		to += " and on to " + shortName(final)
	}
	msg := fmt.Sprintf("%s() is passed to %s while %s is in scope: cancelling %s will not stop that work; pass %s (or mark the line //asynclint:detached <reason>)",
		shortName(bgFunc), to, orCtx(ctxExpr), orCtx(ctxExpr), orCtx(ctxExpr))
	d := analysis.Diagnostic{Pos: pos, Message: msg}
	_, derives := catalog.Derivers[catalog.Name(target)]
	// WithTimeout(context.Background(), d) is often a deliberate fresh
	// deadline: say so, but leave the choice of parent to the author.
	if call != nil && ctxExpr != "" && !derives {
		d.SuggestedFixes = []analysis.SuggestedFix{{
			Message:   "pass " + ctxExpr,
			TextEdits: []analysis.TextEdit{{Pos: call.Pos(), End: call.End(), NewText: []byte(ctxExpr)}},
		}}
	}
	c.report(d)
}

// describe names a blocking call, what it leaves uncancellable and the fix.
func (c *checker) describe(o op) (name, what, advice string) {
	if o.callee != nil {
		name = shortName(o.callee)
	}
	switch {
	case o.entry != nil:
		return name, o.entry.What, o.entry.Fix
	case o.twin != nil:
		return name, "the call", fmt.Sprintf("use %s(ctx, …)", o.twin.Name())
	case o.chain != nil:
		return name, "it", ""
	}
	return name, "the call", "give it a context"
}

// related points at where a chain starts inside a callee of this package, or
// at the declaration of a callee in another package.
func (c *checker) related(o op) []analysis.RelatedInformation {
	if o.via != nil {
		s := c.sums[o.via]
		at, chain := s.anyAt, s.any
		if o.noCtx {
			at, chain = s.noCtxAt, s.noCtx
		}
		if at.IsValid() && len(chain) > 1 {
			return []analysis.RelatedInformation{{Pos: at, Message: fmt.Sprintf("%s blocks here: %s", chain[0], chain[1])}}
		}
	}
	if o.chain != nil && o.callee != nil && o.callee.Pos().IsValid() {
		return []analysis.RelatedInformation{{Pos: o.callee.Pos(), Message: o.chain[0] + " is declared here"}}
	}
	return nil
}

func orCtx(expr string) string {
	if expr == "" {
		return "a context"
	}
	return expr
}

// withCtx rewrites catalog advice for the context actually in scope.
func withCtx(advice, ctxExpr string) string {
	if ctxExpr == "" || ctxExpr == "ctx" {
		return advice
	}
	advice = strings.ReplaceAll(advice, "ctx.Done()", ctxExpr+".Done()")
	return strings.ReplaceAll(advice, "(ctx", "("+ctxExpr)
}
