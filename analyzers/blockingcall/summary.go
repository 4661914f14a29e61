package blockingcall

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
	"github.com/asynclint/asynclint/analyzers/internal/program"
	"github.com/asynclint/asynclint/analyzers/internal/stdlib"
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

	ctxVars map[*types.Var]varOrigin // context variables that must not be threaded, built on first use
}

// A summary is what a function's body tells its callers.
type summary struct {
	noCtx, any       []string
	noCtxAt, anyAt   token.Pos // where, inside this function, the chains start
	noCtxBounded     bool      // the noCtx chain ends in a deadline-bounded background context
	bareRequest      bool      // it returns a request built without a context
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
	// viaBackground: the call takes a context but only gets a background
	// one. That makes the function block without a context for its
	// callers, but is not itself reported: with no context in scope a
	// background one is all the function has.
	viaBackground bool
	// bounded: the chain ends in a background context with a deadline,
	// which stops the work in time even though no caller can.
	bounded bool
	kind    string // for non-call ops: "channel send", ...
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
			if !s.bareRequest && c.returnsBareRequest(fn) {
				s.bareRequest, changed = true, true
			}
			if s.noCtx != nil && s.any != nil {
				continue
			}
			c.forEachOp(fn, func(o op) bool {
				if o.noCtx && s.noCtx == nil {
					s.noCtx, s.noCtxAt, s.noCtxBounded, changed = c.chainFor(fn, o), o.pos, o.bounded, true
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
	callee := len(chain)
	switch {
	case o.chain != nil:
		chain = append(chain, o.chain...)
	case o.callee != nil:
		chain = append(chain, leafName(o.callee))
	default:
		chain = append(chain, o.kind)
	}
	if o.viaBackground {
		// The call, not what it reaches, is what gets no real context.
		if o.bounded {
			chain[callee] += " with a deadline on context.Background()"
		} else {
			chain[callee] += " with context.Background()"
		}
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
	fn, obj := c.prog.Callee(call)
	o := op{instr: instr, pos: instr.Pos(), callee: obj}
	if fn != nil && fn.Synthetic != "" && obj != nil && obj.Pkg() == c.pass.Pkg {
		// A bound method value or thunk of this package's method: what
		// matters is the method's own body.
		fn = c.prog.Pkg.Prog.FuncValue(obj.Origin())
	}
	local := fn != nil && fn.Pkg == c.prog.Pkg && fn.Synthetic == ""
	if obj != nil {
		if e := catalog.LookupNoContext(obj); e != nil {
			o.entry = e
			// An unrun command or a request that gets its context later is
			// no operation at all.
			o.noCtx = c.conditionHolds(e.When, result)
			return o, o.noCtx
		}
		if extraFuncs[catalog.Name(obj)] {
			o.noCtx = true
			return o, true
		}
		if twin := catalog.DerivedTwin(obj); twin != nil && c.twinBlocks(obj, twin) {
			o.twin, o.noCtx = twin, true
			return o, true
		}
	}
	if obj != nil && catalog.Name(obj) != "net/http.NewRequest" && result != nil && c.buildsBareRequest(call) && c.requestSent(result) {
		// A builder's context-less request, sent here without one.
		o.chain, o.noCtx = []string{calleeName(fn, obj), "net/http.NewRequest"}, true
		return o, true
	}
	var chainNoCtx, chainAny []string
	switch {
	case local:
		s := c.sums[fn]
		if s == nil {
			return o, false
		}
		o.via = fn
		if !s.ctxInside {
			chainNoCtx, o.bounded = s.noCtx, s.noCtxBounded
		}
		chainAny = s.any
	case obj == nil:
		return o, false
	case catalog.BlocksWithContext(obj) || catalog.IsTwin(obj):
		c.markBackground(&o, instr, call)
		return o, true
	case obj.Pkg() != nil && obj.Pkg() != c.pass.Pkg:
		var f Blocks
		if !c.pass.ImportObjectFact(obj, &f) {
			return o, false
		}
		if !f.CtxInside && f.NoCtx != nil && !c.foreignProcess(obj, f.NoCtx) {
			chainNoCtx, o.bounded = f.NoCtx, f.Bounded
		}
		chainAny = f.Any
	}
	if obj != nil && catalog.Releases(obj) {
		// Closing must finish whatever the caller's context says: a
		// release that waits is doing its job, not a cancellable call.
		chainNoCtx = nil
	}
	switch {
	case chainNoCtx != nil:
		o.chain, o.noCtx = chainNoCtx, true
		return o, true
	case chainAny != nil:
		o.chain = chainAny
		c.markBackground(&o, instr, call)
		return o, true
	}
	return o, false
}

// markBackground marks a context-taking call that gets only background
// contexts in a function with none of its own.
func (c *checker) markBackground(o *op, instr ssa.Instruction, call *ssa.CallCommon) {
	if s := c.sums[instr.Parent()]; s == nil || s.ctxInside {
		return
	}
	o.viaBackground, o.bounded = backgroundArgs(call)
	o.noCtx = o.viaBackground
}

// twinBlocks reports whether fn, which has a context-taking twin, is
// blocking at all. Where the analysis has seen the bodies (functions of
// this package, or of analysed dependencies, which export facts) it asks
// them, so that a Validate/ValidateWithContext pair that does no I/O is no
// finding; for the standard library and interface methods the twin's
// existence is the evidence.
func (c *checker) twinBlocks(fn, twin *types.Func) bool {
	if fn.Pkg() == nil || stdlib.Declares(c.pass.Fset, fn) {
		return true
	}
	if recv := fn.Signature().Recv(); recv != nil {
		if _, isIface := recv.Type().Underlying().(*types.Interface); isIface {
			return true
		}
	}
	for _, f := range []*types.Func{fn, twin} {
		if f.Pkg() == c.pass.Pkg {
			if sf := c.prog.Pkg.Prog.FuncValue(f.Origin()); sf != nil && c.sums[sf] != nil && c.sums[sf].any != nil {
				return true
			}
			continue
		}
		var b Blocks
		if c.pass.ImportObjectFact(f.Origin(), &b) && b.Any != nil {
			return true
		}
	}
	return false
}

// backgroundArgs reports whether a context-taking call gets only
// background contexts: a context argument made by context.Background or
// TODO (or derived only from those), or a request built with one. Such a
// call blocks without any context its caller could cancel. bounded says
// whether a deadline (WithTimeout, WithDeadline) limits it all the same.
func backgroundArgs(call *ssa.CallCommon) (background, bounded bool) {
	for _, a := range program.Args(call) {
		var ctx ssa.Value
		switch {
		case catalog.IsContext(a.Type()):
			ctx = a
		case isRequest(a.Type()):
			if ctx = requestContext(a); ctx == nil {
				return false, false
			}
		default:
			continue
		}
		bg, b := backgroundOnly(ctx, 0)
		if !bg {
			return false, false
		}
		background, bounded = true, bounded || b
	}
	return background, bounded
}

// backgroundOnly reports whether the context v can only be a background
// context, and whether a deadline bounds it.
func backgroundOnly(v ssa.Value, depth int) (bg, bounded bool) {
	if depth > 8 {
		return false, false
	}
	switch v := v.(type) {
	case *ssa.Call:
		_, obj := program.Callee(v.Common())
		if obj == nil {
			return false, false
		}
		name := catalog.Name(obj)
		if catalog.Background[name] {
			return true, false
		}
		if i, ok := catalog.Derivers[name]; ok && i < len(v.Call.Args) {
			bg, bounded := backgroundOnly(v.Call.Args[i], depth+1)
			return bg, bounded || catalog.Deadlines[name]
		}
	case *ssa.Extract:
		if v.Index == 0 {
			return backgroundOnly(v.Tuple, depth+1)
		}
	case *ssa.Phi:
		bounded := true
		for _, e := range v.Edges {
			bg, b := backgroundOnly(e, depth+1)
			if !bg {
				return false, false
			}
			bounded = bounded && b
		}
		return len(v.Edges) > 0, bounded
	}
	return false, false
}

// requestContext returns the context a request value was built with, when
// SSA shows it: http.NewRequestWithContext(ctx, …), req.WithContext(ctx),
// req.Clone(ctx).
func requestContext(req ssa.Value) ssa.Value {
	if ex, ok := req.(*ssa.Extract); ok && ex.Index == 0 {
		req = ex.Tuple
	}
	call, ok := req.(*ssa.Call)
	if !ok {
		return nil
	}
	_, obj := program.Callee(call.Common())
	if obj == nil {
		return nil
	}
	switch catalog.Name(obj) {
	case "net/http.NewRequestWithContext":
		return call.Call.Args[0]
	case "(*net/http.Request).WithContext", "(*net/http.Request).Clone":
		return call.Call.Args[1]
	}
	return nil
}

func isRequest(t types.Type) bool {
	ptr, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(ptr.Elem()).(*types.Named)
	return ok && n.Obj().Name() == "Request" && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "net/http"
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
func (c *checker) conditionHolds(when catalog.Condition, result ssa.Value) bool {
	switch when {
	case catalog.CommandRun:
		return result != nil && c.commandIsRun(result)
	case catalog.RequestSent:
		return result == nil || c.requestSent(result)
	}
	return true
}

// commandIsRun reports whether the *exec.Cmd made by a Command call is run,
// started or has its output collected here, directly or by a helper that
// blocks on it.
func (c *checker) commandIsRun(cmd ssa.Value) bool {
	for _, ref := range *cmd.Referrers() {
		call, ok := ref.(ssa.CallInstruction)
		if !ok {
			continue
		}
		_, obj := program.Callee(call.Common())
		if obj == nil {
			continue
		}
		args := call.Common().Args
		if len(args) > 0 && args[0] == cmd && obj.Signature().Recv() != nil {
			switch obj.Name() {
			case "Run", "Start", "Output", "CombinedOutput":
				return true
			}
			continue
		}
		if c.handedToBlockingHelper(call, cmd) {
			return true
		}
	}
	return false
}

// requestSent reports whether a request made by http.NewRequest is sent
// without a context: passed to Client.Do or a RoundTripper, or to a helper
// that takes no context and blocks. A request given its context first
// (WithContext, Clone), served to an in-process handler, or returned or
// stored for a Do(ctx, req) that attaches one, as SDKs' NewRequest helpers
// do, is not.
func (c *checker) requestSent(result ssa.Value) bool {
	for _, req := range requestValues(result) {
		for _, use := range *req.Referrers() {
			call, ok := use.(ssa.CallInstruction)
			if !ok {
				continue
			}
			_, obj := program.Callee(call.Common())
			if obj == nil {
				continue
			}
			switch catalog.Name(obj) {
			case "(*net/http.Request).WithContext", "(*net/http.Request).Clone":
				return false
			case "(*net/http.Client).Do", "(net/http.RoundTripper).RoundTrip", "(*net/http.Transport).RoundTrip":
				return true
			}
			if c.handedToBlockingHelper(call, req) {
				return true
			}
		}
	}
	return false
}

// requestValues returns the *http.Request values a call's result holds:
// the result itself, or the elements extracted from a tuple.
func requestValues(result ssa.Value) []ssa.Value {
	if isRequest(result.Type()) {
		return []ssa.Value{result}
	}
	var reqs []ssa.Value
	for _, ref := range *result.Referrers() {
		if ex, ok := ref.(*ssa.Extract); ok && isRequest(ex.Type()) {
			reqs = append(reqs, ex)
		}
	}
	return reqs
}

// returnsBareRequest reports whether fn returns a request built without a
// context: made by http.NewRequest, or by another function that returns
// one, and not given a context on the way.
func (c *checker) returnsBareRequest(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for _, r := range ret.Results {
			if isRequest(r.Type()) && c.isBareRequest(r, 0) {
				return true
			}
		}
	}
	return false
}

func (c *checker) isBareRequest(v ssa.Value, depth int) bool {
	if depth > 4 {
		return false
	}
	switch v := v.(type) {
	case *ssa.Extract:
		return c.isBareRequest(v.Tuple, depth+1)
	case *ssa.Phi:
		for _, e := range v.Edges {
			if c.isBareRequest(e, depth+1) {
				return true
			}
		}
	case *ssa.Call:
		return c.buildsBareRequest(v.Common())
	}
	return false
}

// buildsBareRequest reports whether a call returns a request without a
// context: http.NewRequest, or a function whose summary says so.
func (c *checker) buildsBareRequest(call *ssa.CallCommon) bool {
	fn, obj := c.prog.Callee(call)
	if obj != nil && catalog.Name(obj) == "net/http.NewRequest" {
		return true
	}
	if fn != nil && fn.Pkg == c.prog.Pkg && fn.Synthetic == "" {
		return c.sums[fn] != nil && c.sums[fn].bareRequest
	}
	if obj != nil && obj.Pkg() != nil && obj.Pkg() != c.pass.Pkg {
		var f Blocks
		return c.pass.ImportObjectFact(obj, &f) && f.BareRequest
	}
	return false
}

// handedToBlockingHelper reports whether call passes v to a function that
// is given no context and blocks: the helper cannot attach a context the
// caller never gave it (a helper taking the request has only the
// request's own context).
func (c *checker) handedToBlockingHelper(call ssa.CallInstruction, v ssa.Value) bool {
	passed := false
	for _, a := range program.Args(call.Common()) {
		if a == v {
			passed = true
		}
	}
	if !passed {
		return false
	}
	for _, a := range call.Common().Args {
		if catalog.IsContext(a.Type()) {
			return false
		}
	}
	fn, obj := program.Callee(call.Common())
	if fn != nil && fn.Pkg == c.prog.Pkg && fn.Synthetic == "" {
		s := c.sums[fn]
		return s != nil && s.any != nil
	}
	if obj == nil || obj.Pkg() == nil || obj.Pkg() == c.pass.Pkg {
		return false
	}
	if catalog.BlocksWithContext(obj) {
		return true
	}
	var f Blocks
	return c.pass.ImportObjectFact(obj, &f) && f.Any != nil
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
		if !ok || fn.Parent() != nil || !obj.Exported() || (s.noCtx == nil && s.any == nil && !s.bareRequest) {
			continue
		}
		if strings.HasSuffix(c.pass.Fset.File(fn.Pos()).Name(), "_test.go") {
			continue // test files export nothing anyone calls
		}
		c.pass.ExportObjectFact(obj, &Blocks{NoCtx: s.noCtx, Any: s.any, CtxInside: s.ctxInside, Bounded: s.noCtxBounded, BareRequest: s.bareRequest})
	}
}

// calleeName names a callee by its SSA function when this package has
// it, else by its object.
func calleeName(fn *ssa.Function, obj *types.Func) string {
	if fn != nil && fn.Synthetic == "" {
		return displayName(fn)
	}
	return shortName(obj)
}

// leafName names the call a chain ends in: standard-library functions by
// their full path (net/http.Get), the rest as displayName does.
func leafName(fn *types.Func) string {
	if fn.Pkg() != nil && stdlib.IsPath(fn.Pkg().Path()) {
		return catalog.Name(fn)
	}
	return shortName(fn)
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
	if fn.Pkg != nil {
		return fn.Pkg.Pkg.Name() + "." + fn.Name() // the synthetic init
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
