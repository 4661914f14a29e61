package blockingcall

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// maxChain bounds the chains kept in summaries and facts: past that the
// middle is elided, so facts stay small on deep call graphs.
const maxChain = 8

type checker struct {
	pass  *analysis.Pass
	dirs  *directive.Set
	prog  *program.Program
	sums  map[*ssa.Function]*summary
	modes map[*ssa.Function]*mode

	calls  map[token.Pos]*ast.CallExpr // by Lparen, built on first use
	bgVars map[*types.Var]bool         // variables holding a background context, built on first use
}

// A summary is what a function's body tells its callers.
type summary struct {
	noCtx, any       []string
	noCtxAt, anyAt   token.Pos // where, inside this function, the chains start
	ctxInside        bool
	declaredBlocking bool
}

// An op is one blocking operation found in a function body.
type op struct {
	instr  ssa.Instruction
	pos    token.Pos
	callee *types.Func // the called function, if the op is a call
	entry  *catalog.Blocking
	twin   *types.Func   // the derived ...Context twin, if any
	chain  []string      // for calls of summarised functions: their chain
	via    *ssa.Function // the in-package callee the chain goes through
	noCtx  bool          // blocks without a context (else: blocks at all)
	kind   string        // for non-call ops: "channel send", ...
}

// summarise computes every function's summary bottom-up. Recursion is
// handled by iterating to a fixed point: a chain, once found, never changes,
// so every pass either fills in a summary or ends the loop.
func (c *checker) summarise() {
	for _, fn := range c.prog.Funcs {
		s := &summary{ctxInside: c.hasOwnContext(fn)}
		if decl, lit := program.Syntax(fn); c.dirs.OnFunc(decl, lit, directive.Blocking) != nil {
			s.declaredBlocking = true
			chain := []string{displayName(fn), "marked //asynclint:blocking"}
			s.noCtx, s.any = chain, chain
			s.noCtxAt, s.anyAt = fn.Pos(), fn.Pos()
		}
		c.sums[fn] = s
	}
	for changed := true; changed; {
		changed = false
		for _, fn := range c.prog.Funcs {
			s := c.sums[fn]
			if s.noCtx != nil && s.any != nil {
				continue
			}
			c.forEachOp(fn, func(o op) bool {
				if o.noCtx && s.noCtx == nil {
					s.noCtx, s.noCtxAt, changed = c.chainFor(fn, o), o.pos, true
				}
				if s.any == nil {
					s.any, s.anyAt, changed = c.chainFor(fn, o), o.pos, true
				}
				return s.noCtx == nil || s.any == nil
			})
		}
	}
}

// chainFor is fn's chain when fn blocks by o.
func (c *checker) chainFor(fn *ssa.Function, o op) []string {
	chain := []string{displayName(fn)}
	switch {
	case o.chain != nil:
		chain = append(chain, o.chain...)
	case o.callee != nil:
		chain = append(chain, catalog.Name(o.callee))
	default:
		chain = append(chain, o.kind)
	}
	if len(chain) > maxChain {
		chain = append(append(chain[:maxChain-2:maxChain-2], "…"), chain[len(chain)-1])
	}
	return chain
}

// forEachOp calls yield for each blocking operation in fn's own body, in
// order, until yield returns false. Operations inside function literals
// belong to the literal; goroutines started by fn do not block fn.
func (c *checker) forEachOp(fn *ssa.Function, yield func(op) bool) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var o op
			var ok bool
			switch in := instr.(type) {
			case *ssa.Call:
				o, ok = c.callOp(in, in.Common(), in)
			case *ssa.Defer:
				o, ok = c.callOp(in, in.Common(), nil)
			case *ssa.Send:
				o, ok = op{instr: in, pos: in.Pos(), kind: "channel send"}, true
			case *ssa.UnOp:
				if in.Op == token.ARROW {
					o, ok = op{instr: in, pos: in.Pos(), kind: "channel receive"}, true
				}
			case *ssa.Select:
				if in.Blocking {
					o, ok = op{instr: in, pos: in.Pos(), kind: "select without default"}, true
				}
			}
			if ok && !yield(o) {
				return
			}
		}
	}
}

// callOp decides whether a call blocks, and how. result is the call's value
// (nil for deferred calls), needed by the catalog's conditions.
func (c *checker) callOp(instr ssa.Instruction, call *ssa.CallCommon, result ssa.Value) (op, bool) {
	fn, obj := program.Callee(call)
	o := op{instr: instr, pos: instr.Pos(), callee: obj}
	if fn != nil && fn.Synthetic != "" && obj != nil && obj.Pkg() == c.pass.Pkg {
		// A bound method value or thunk of this package's method: what
		// matters is the method's own body.
		fn = c.prog.Pkg.Prog.FuncValue(obj)
	}
	if fn != nil && fn.Pkg == c.prog.Pkg && fn.Synthetic == "" {
		s := c.sums[fn]
		if s == nil {
			return o, false
		}
		switch {
		case s.noCtx != nil && !s.ctxInside:
			o.chain, o.via, o.noCtx = s.noCtx, fn, true
			return o, true
		case s.any != nil:
			o.chain, o.via = s.any, fn
			return o, true
		}
		return o, false
	}
	if obj == nil {
		return o, false
	}
	if e := catalog.LookupNoContext(obj); e != nil {
		o.entry = e
		// An unrun command or a request that gets its context later is no
		// operation at all.
		o.noCtx = conditionHolds(e.When, result)
		return o, o.noCtx
	}
	if extraFuncs[catalog.Name(obj)] {
		o.noCtx = true
		return o, true
	}
	if twin := catalog.DerivedTwin(obj); twin != nil {
		o.twin, o.noCtx = twin, true
		return o, true
	}
	if catalog.BlocksWithContext(obj) || catalog.IsTwin(obj) {
		return o, true
	}
	if obj.Pkg() != nil && obj.Pkg() != c.pass.Pkg {
		var f Blocks
		if c.pass.ImportObjectFact(obj, &f) {
			switch {
			case f.NoCtx != nil && !f.CtxInside && !c.foreignProcess(obj, f.NoCtx):
				o.chain, o.noCtx = f.NoCtx, true
				return o, true
			case f.Any != nil:
				o.chain = f.Any
				return o, true
			}
		}
	}
	return o, false
}

// foreignProcess reports whether chain ends in a process started by another
// module's code: libraries run tools (go env, git) with exec.Command as an
// implementation detail their callers can neither see nor cancel, so such
// chains are not held against the caller.
func (c *checker) foreignProcess(callee *types.Func, chain []string) bool {
	if chain[len(chain)-1] != "os/exec.Command" || c.pass.Module == nil || c.pass.Module.Path == "" {
		return false
	}
	mod, path := c.pass.Module.Path, callee.Pkg().Path()
	return path != mod && !strings.HasPrefix(path, mod+"/")
}

// conditionHolds reports whether the use of a catalog call's result makes
// it block.
func conditionHolds(when catalog.Condition, result ssa.Value) bool {
	switch when {
	case catalog.CommandRun:
		return result != nil && commandIsRun(result)
	case catalog.RequestSent:
		return result == nil || !requestGetsContext(result)
	}
	return true
}

// commandIsRun reports whether the *exec.Cmd made by a Command call is run,
// started or has its output collected in this function.
func commandIsRun(cmd ssa.Value) bool {
	for _, ref := range *cmd.Referrers() {
		call, ok := ref.(ssa.CallInstruction)
		if !ok {
			continue
		}
		_, obj := program.Callee(call.Common())
		if obj == nil || len(call.Common().Args) == 0 || call.Common().Args[0] != cmd {
			continue
		}
		switch obj.Name() {
		case "Run", "Start", "Output", "CombinedOutput":
			return true
		}
	}
	return false
}

// requestGetsContext reports whether a request made by http.NewRequest is
// harmless: given a context before it is sent (WithContext, Clone), served
// to an in-process handler, or never handed to anything that could send it
// (returned or stored, as SDKs' NewRequest helpers do, for a Do(ctx, req)
// that attaches the context).
func requestGetsContext(tuple ssa.Value) bool {
	sent := false
	for _, ref := range *tuple.Referrers() {
		ex, ok := ref.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		for _, use := range *ex.Referrers() {
			call, ok := use.(ssa.CallInstruction)
			if !ok {
				continue
			}
			_, obj := program.Callee(call.Common())
			if obj != nil {
				switch obj.Name() {
				case "WithContext", "Clone", "ServeHTTP":
					return true
				}
			}
			for _, a := range program.Args(call.Common()) {
				if a == ex {
					sent = true
				}
			}
		}
	}
	return !sent
}

// hasOwnContext reports whether a context is available to fn itself, so
// that its context-less calls are its own findings.
func (c *checker) hasOwnContext(fn *ssa.Function) bool {
	for f := fn; f != nil; f = f.Parent() {
		if _, ok := c.contextParam(f); ok {
			return true
		}
	}
	return false
}

func (c *checker) exportFacts() {
	for _, fn := range c.prog.Funcs {
		s := c.sums[fn]
		obj, ok := fn.Object().(*types.Func)
		// Only exported functions can be called from other packages by
		// name; the rest reach them through the chains of exported ones.
		if !ok || fn.Parent() != nil || !obj.Exported() || (s.noCtx == nil && s.any == nil) {
			continue
		}
		c.pass.ExportObjectFact(obj, &Blocks{NoCtx: s.noCtx, Any: s.any, CtxInside: s.ctxInside})
	}
}

// displayName names fn the way messages and chains do: feeds.LastPrice,
// (*feeds.Client).Get, feeds.Poll.func1.
func displayName(fn *ssa.Function) string {
	if p := fn.Parent(); p != nil {
		i := strings.LastIndex(fn.Name(), "$")
		return displayName(p) + ".func" + fn.Name()[i+1:]
	}
	if obj, ok := fn.Object().(*types.Func); ok {
		return shortName(obj)
	}
	return fn.Name()
}

// shortName names a function with its package's name rather than its path:
// http.Get, (*sql.DB).Query.
func shortName(fn *types.Func) string {
	qual := func(p *types.Package) string { return p.Name() }
	sig := fn.Signature()
	if recv := sig.Recv(); recv != nil {
		t := recv.Type()
		if _, isIface := t.Underlying().(*types.Interface); isIface {
			return "(" + types.TypeString(t, qual) + ")." + fn.Name()
		}
		return "(" + types.TypeString(t, qual) + ")." + fn.Name()
	}
	if fn.Pkg() == nil {
		return fn.Name()
	}
	return fn.Pkg().Name() + "." + fn.Name()
}
