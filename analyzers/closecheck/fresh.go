package closecheck

import (
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// Which calls acquire resources, and which functions return fresh ones.

// freshResults returns the results of fn that are fresh resources on every
// return that does not return nil.
func (c *checker) freshResults(fn *ssa.Function) map[int]string {
	res := fn.Signature.Results()
	if res.Len() == 0 {
		return nil
	}
	var rets []*ssa.Return
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			rets = append(rets, ret)
		}
	}
	var out map[int]string
	for j := 0; j < res.Len(); j++ {
		if !couldHold(res.At(j).Type()) {
			continue
		}
		kind, found, all := "", false, true
		for _, ret := range rets {
			k, st := c.freshValue(fn, ret.Results[j], map[ssa.Value]*freshResult{})
			switch st {
			case isFresh:
				if !found {
					kind, found = k, true
				}
			case notFresh:
				all = false
			}
		}
		if found && all {
			if out == nil {
				out = map[int]string{}
			}
			out[j] = kind
		}
	}
	return out
}

type freshness int

const (
	notFresh freshness = iota
	isNil
	isFresh
)

// freshValue says whether v, returned by fn, is a resource fn acquired
// and did not hand to anyone else, and of what kind.
func (c *checker) freshValue(fn *ssa.Function, v ssa.Value, seen map[ssa.Value]*freshResult) (string, freshness) {
	if r, ok := seen[v]; ok {
		return r.kind, r.state // isNil while in progress: a cycle adds nothing
	}
	r := &freshResult{state: isNil}
	seen[v] = r
	r.kind, r.state = c.freshValueOf(fn, v, seen)
	return r.kind, r.state
}

type freshResult struct {
	kind  string
	state freshness
}

func (c *checker) freshValueOf(fn *ssa.Function, v ssa.Value, seen map[ssa.Value]*freshResult) (string, freshness) {
	switch v := v.(type) {
	case *ssa.Const:
		if v.IsNil() {
			return "", isNil
		}
	case *ssa.MakeInterface:
		return c.freshValue(fn, v.X, seen)
	case *ssa.ChangeType:
		return c.freshValue(fn, v.X, seen)
	case *ssa.ChangeInterface:
		return c.freshValue(fn, v.X, seen)
	case *ssa.Phi:
		kind, st := "", isNil
		for _, e := range v.Edges {
			k, s := c.freshValue(fn, e, seen)
			switch s {
			case notFresh:
				return "", notFresh
			case isFresh:
				kind, st = k, isFresh
			}
		}
		return kind, st
	case *ssa.Extract:
		if call, ok := v.Tuple.(*ssa.Call); ok {
			return c.freshCallResult(fn, call, v.Index, v, seen)
		}
	case *ssa.Call:
		return c.freshCallResult(fn, v, 0, v, seen)
	case *ssa.UnOp:
		if v.Op != token.MUL {
			break
		}
		switch x := v.X.(type) {
		case *ssa.FieldAddr:
			// The body of a fresh response is a fresh body.
			field := fieldOf(x.X.Type(), x.Field)
			kind, st := c.freshValue(fn, x.X, seen)
			if st == isFresh && field != nil && catalog.Kinds[kind] != nil && catalog.Kinds[kind].Part == field.Name() {
				return "body", isFresh
			}
		case *ssa.Alloc:
			// A local variable: fresh if all that is stored in it is.
			if x.Parent() != fn {
				break
			}
			kind, st := "", isNil
			for _, ref := range *x.Referrers() {
				store, ok := ref.(*ssa.Store)
				if !ok || store.Addr != x {
					continue
				}
				k, s := c.freshValue(fn, store.Val, seen)
				switch s {
				case notFresh:
					return "", notFresh
				case isFresh:
					kind, st = k, isFresh
				}
			}
			return kind, st
		}
	case *ssa.Alloc:
		if v.Parent() != fn {
			break
		}
		fl := c.newFlow(fn, "")
		fl.add(v, whole)
		if fl.run().has(kept) {
			break
		}
		if isTransportLiteral(v) {
			return "transport", isFresh
		}
		// A value built here around a fresh resource: it is a resource of
		// its own type if its Close releases what it holds, or of the
		// held resource's kind if it has that kind's release, as an
		// http.Client around a new Transport.
		kind, holds := c.heldKind(fn, v, fl, seen)
		if !holds {
			break
		}
		if named := namedOf(v.Type()); named != nil && c.closesWhatItHolds(named) {
			return "", isFresh
		}
		if kind != "" {
			return kind, isFresh
		}
	}
	return "", notFresh
}

// heldKind reports whether a fresh resource is stored into a field of
// alloc, and returns its kind if alloc's own methods can release it.
func (c *checker) heldKind(fn *ssa.Function, alloc *ssa.Alloc, fl *flow, seen map[ssa.Value]*freshResult) (string, bool) {
	ms := c.prog.Pkg.Prog.MethodSets.MethodSet(alloc.Type())
	holds := false
	var addrs []*ssa.FieldAddr
	for v, r := range fl.held {
		if r != whole || v.Referrers() == nil {
			continue
		}
		for _, ref := range *v.Referrers() {
			if fa, ok := ref.(*ssa.FieldAddr); ok && fa.X == v {
				addrs = append(addrs, fa)
			}
		}
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i].Pos() < addrs[j].Pos() })
	for _, fa := range addrs {
		for _, r := range *fa.Referrers() {
			store, ok := r.(*ssa.Store)
			if !ok || store.Addr != fa {
				continue
			}
			kind, st := c.freshValue(fn, store.Val, seen)
			if st != isFresh {
				continue
			}
			holds = true
			if k := catalog.Kinds[kind]; k != nil {
				for _, m := range k.Release {
					if ms.Lookup(nil, m) != nil {
						return kind, true
					}
				}
			}
		}
	}
	return "", holds
}

// freshCallResult says whether result i of call, extracted as v, is fresh.
func (c *checker) freshCallResult(fn *ssa.Function, call *ssa.Call, i int, v ssa.Value, seen map[ssa.Value]*freshResult) (string, freshness) {
	if kind, ok := c.acquired(call)[i]; ok {
		if c.unshared(fn, v, kind, whole) {
			return kind, isFresh
		}
		return "", notFresh
	}
	// A Must-style wrapper returns what it was given.
	for p, a := range argsByParam(call.Common()) {
		if eff := c.effect(call.Common(), p); eff.ev == 0 {
			for _, r := range eff.results {
				if r == i {
					return c.freshValue(fn, a, seen)
				}
			}
		}
	}
	return "", notFresh
}

// argsByParam lists a call's arguments by callee parameter (the receiver
// first).
func argsByParam(common *ssa.CallCommon) []ssa.Value {
	if common.IsInvoke() {
		return append([]ssa.Value{common.Value}, common.Args...)
	}
	return common.Args
}

// unshared reports whether fn keeps no other hold on the resource v than
// returning it: a value also stored in a registry or handed to a goroutine
// is not the caller's alone to release.
func (c *checker) unshared(fn *ssa.Function, v ssa.Value, kind string, r role) bool {
	fl := c.newFlow(fn, partOf(kind))
	fl.add(v, r)
	return !fl.run().has(kept)
}

// acquired returns the kinds of the results of call that are fresh
// resources, by result index.
func (c *checker) acquired(call *ssa.Call) map[int]string {
	common := call.Common()
	if _, ok := common.Value.(*ssa.Builtin); ok {
		return nil
	}
	fn, obj := program.Callee(common)
	if obj != nil {
		if kinds := catalog.Acquired(obj); kinds != nil {
			return kinds
		}
	}
	var kinds map[int]string
	switch {
	case fn != nil:
		if s := c.localSummary(fn, obj); s != nil {
			kinds = s.fresh
			break
		}
		if obj == nil || obj.Pkg() == nil || obj.Pkg() == c.pass.Pkg {
			break
		}
		var o Ownership
		if c.pass.ImportObjectFact(obj.Origin(), &o) && len(o.Fresh) > 0 {
			kinds = map[int]string{}
			for _, f := range o.Fresh {
				kinds[f.Result] = f.Kind
			}
		}
	case obj == nil || common.IsInvoke():
		// A function value, or an interface method: the catalog knows
		// what such calls return by the type and the method's name.
		sig := common.Signature()
		for i := 0; i < sig.Results().Len(); i++ {
			if k := catalog.OpaqueKind(sig, i, obj); k != "" {
				if kinds == nil {
					kinds = map[int]string{}
				}
				kinds[i] = k
			}
		}
	}
	if obj != nil && len(kinds) > 0 {
		for i := range kinds {
			if catalog.NotResource(obj, i) {
				delete(kinds, i)
			}
		}
	}
	return kinds
}

// closesWhatItHolds reports whether values of type t are resources of their
// own: t is declared in this package and its Close method releases (or
// hands on) something its receiver holds.
func (c *checker) closesWhatItHolds(t *types.Named) bool {
	if t.Obj().Pkg() != c.pass.Pkg {
		return false
	}
	if v, ok := c.closers[t]; ok {
		return v
	}
	result := false
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), false, t.Obj().Pkg(), "Close")
	if m, ok := obj.(*types.Func); ok {
		if fn := c.prog.Pkg.Prog.FuncValue(m); fn != nil {
			if s := c.sums[fn]; s != nil {
				result = s.releases[0] || s.retains[0]
			}
		}
	}
	// Summaries grow over the rounds: only a final yes is cached.
	if result {
		if c.closers == nil {
			c.closers = map[*types.Named]bool{}
		}
		c.closers[t] = true
	}
	return result
}
