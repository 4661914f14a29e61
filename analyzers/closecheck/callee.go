package closecheck

import (
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/program"
	"github.com/asynclint/asynclint/analyzers/internal/stdlib"
)

// What callees do with what they are given: the catalog for the standard
// library, summaries for this package's functions, facts for the others.

// runs reports whether a call runs the function fn it is given before it
// returns, as sync.Once.Do does.
func runs(common *ssa.CallCommon, fn ssa.Value) bool {
	_, obj := program.Callee(common)
	if obj == nil {
		return false
	}
	i, ok := catalog.Runners[catalog.Name(obj)]
	args := program.Args(common)
	return ok && i < len(args) && args[i] == fn
}

// paramsOf returns the parameters of the callee (the receiver first) that
// v is passed as.
func paramsOf(common *ssa.CallCommon, v ssa.Value) []int {
	var ps []int
	if common.IsInvoke() {
		if common.Value == v {
			ps = append(ps, 0)
		}
		for i, a := range common.Args {
			if a == v {
				ps = append(ps, i+1)
			}
		}
		return ps
	}
	for i, a := range common.Args {
		if a == v {
			ps = append(ps, i)
		}
	}
	return ps
}

// effect says what a call does with its parameter p (the receiver is 0).
func (c *checker) effect(common *ssa.CallCommon, p int) effect {
	fn, obj := program.Callee(common)
	if obj != nil && funcReceiver(obj) {
		// http.HandlerFunc(f).ServeHTTP(w, r) calls f: as unknown as f.
		return effect{ev: kept}
	}
	if fn != nil {
		if m := boundMethod(fn); m != nil {
			// A call of x.M as a value: its arguments are M's, after the
			// receiver.
			return c.calleeEffect(nil, m, p+1)
		}
	}
	if fn == nil && obj == nil {
		return effect{ev: kept} // a function value: what it does is unknown
	}
	if fn == nil && common.IsInvoke() && p == 0 {
		if catalog.IsRelease(obj.Name()) || c.implementationsRelease(common) {
			return effect{ev: released}
		}
		return effect{} // a method of the resource, through an interface
	}
	if fn == nil {
		if obj.Pkg() != nil && stdlib.IsPath(obj.Pkg().Path()) {
			return effect{}
		}
		return effect{ev: kept} // a method of an interface the resource is handed to
	}
	return c.calleeEffect(fn, obj, p)
}

// implementationsRelease reports whether a method called through an
// interface of this package releases its receiver in one of the package's
// implementations of the interface: w.conn.close(), with conn a serverConn
// whose netConn implementation closes its connection.
func (c *checker) implementationsRelease(common *ssa.CallCommon) bool {
	iface, ok := common.Value.Type().Underlying().(*types.Interface)
	named := namedOf(common.Value.Type())
	if !ok || named == nil || named.Obj().Pkg() != c.pass.Pkg {
		return false
	}
	m := common.Method
	if v, ok := c.ifaceReleases[m]; ok {
		return v
	}
	if c.ifaceReleases == nil {
		c.ifaceReleases = map[*types.Func]bool{}
	}
	// Summaries grow until they are complete: only then is a no final.
	if c.summarised {
		c.ifaceReleases[m] = false
	}
	for _, t := range c.implementations(iface) {
		sel := c.prog.Pkg.Prog.MethodSets.MethodSet(t).Lookup(m.Pkg(), m.Name())
		if sel == nil {
			continue
		}
		if s := c.localSummary(c.prog.Pkg.Prog.MethodValue(sel), sel.Obj().(*types.Func)); s != nil && s.releases[0] {
			c.ifaceReleases[m] = true
			return true
		}
	}
	return false
}

// implementations returns the types declared in this package that
// implement iface, each as T when it does, else as *T. They are found once
// per interface: implementationsRelease asks again in every round.
func (c *checker) implementations(iface *types.Interface) []types.Type {
	if ts, ok := c.impls[iface]; ok {
		return ts
	}
	var ts []types.Type
	scope := c.pass.Pkg.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || types.IsInterface(tn.Type()) {
			continue
		}
		for _, t := range []types.Type{tn.Type(), types.NewPointer(tn.Type())} {
			if types.Implements(t, iface) {
				ts = append(ts, t)
				break
			}
		}
	}
	if c.impls == nil {
		c.impls = map[*types.Interface][]types.Type{}
	}
	c.impls[iface] = ts
	return ts
}

// calleeEffect says what the function fn (its SSA form, if known) or obj
// does with its parameter p (the receiver is 0).
func (c *checker) calleeEffect(fn *ssa.Function, obj *types.Func, p int) effect {
	if obj != nil {
		recv := obj.Signature().Recv() != nil
		if recv && p == 0 && catalog.IsRelease(obj.Name()) {
			return effect{ev: released}
		}
		src := p
		if recv {
			src--
		}
		if w := catalog.Wrapper(obj); w >= 0 && w == src {
			return effect{results: []int{0}}
		}
		if k := catalog.Keeper(obj); k >= 0 && k == src {
			return effect{ev: kept}
		}
	}
	if s := c.localSummary(fn, obj); s != nil {
		var eff effect
		for res, param := range s.passes {
			if param == p {
				eff.results = append(eff.results, res)
			}
		}
		sort.Ints(eff.results)
		return eff.with(s.retains[p], s.releases[p], s.releasesOnError[p])
	}
	if obj == nil || obj.Pkg() == nil || obj.Pkg() == c.pass.Pkg {
		return effect{}
	}
	var o Ownership
	if !c.pass.ImportObjectFact(obj.Origin(), &o) {
		return effect{}
	}
	var eff effect
	for _, ps := range o.Passes {
		if ps.Param == p {
			eff.results = append(eff.results, ps.Result)
		}
	}
	return eff.with(slices.Contains(o.Retains, p), slices.Contains(o.Releases, p), slices.Contains(o.ReleasesOnError, p))
}

// with completes an effect whose results are known with what the callee
// does with the parameter otherwise, from its summary or its fact.
func (eff effect) with(retains, releases, releasesOnError bool) effect {
	switch {
	case retains:
		eff.ev = kept
	case len(eff.results) > 0:
		// A wrapper: follow what it returns. If it releases what it
		// does not return, that is where it fails.
		eff.onError = releases || releasesOnError
	case releases:
		eff.ev = released
	case releasesOnError:
		eff.onError = true
	}
	return eff
}

// localSummary returns the summary of a function of this package, reached
// through fn (an instance, a literal, a wrapper) or named by obj.
func (c *checker) localSummary(fn *ssa.Function, obj *types.Func) *summary {
	if fn != nil {
		if o := fn.Origin(); o != nil {
			fn = o
		}
		if s := c.sums[fn]; s != nil {
			return s
		}
		if fn.Synthetic == "" || obj == nil {
			return nil
		}
	}
	if obj == nil || obj.Pkg() != c.pass.Pkg {
		return nil
	}
	if f := c.prog.Pkg.Prog.FuncValue(obj.Origin()); f != nil {
		return c.sums[f]
	}
	return nil
}

// funcReceiver reports whether fn is a method of a function type, which
// calls its receiver.
func funcReceiver(fn *types.Func) bool {
	recv := fn.Signature().Recv()
	if recv == nil {
		return false
	}
	_, isFunc := recv.Type().Underlying().(*types.Signature)
	return isFunc
}

// boundMethod returns the method of a bound method value's wrapper (the
// function x.M evaluates to), or nil.
func boundMethod(fn *ssa.Function) *types.Func {
	if len(fn.FreeVars) != 1 || !strings.HasPrefix(fn.Synthetic, "bound method wrapper") {
		return nil
	}
	m, _ := fn.Object().(*types.Func)
	return m
}
