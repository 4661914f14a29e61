package closecheck

import (
	"go/token"
	"go/types"
	"maps"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
	"github.com/asynclint/asynclint/analyzers/internal/obligation"
	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// maxRounds bounds the fixed-point iteration of summaries over recursive
// functions; in practice two or three rounds settle.
const maxRounds = 6

type checker struct {
	pass     *analysis.Pass
	dirs     *directive.Set
	prog     *program.Program
	sums     map[*ssa.Function]*summary
	anyOwned bool

	closers map[*types.Named]bool      // types whose Close releases what they hold
	fields  map[*types.Var]bool        // unexported fields of this package: whether anything releases what they hold
	loads   map[*types.Var][]ssa.Value // what is read from each field of this package, built on first use
	// ifaceReleases: methods of this package's interfaces that one of its
	// implementations here releases its receiver in.
	ifaceReleases map[*types.Func]bool
	impls         map[*types.Interface][]types.Type // this package's implementations of an interface
	summarised    bool                              // summaries are complete
}

// A summary is what a function does with resources, for its callers.
// Parameters are numbered from 0 (the receiver first), then the free
// variables of a function literal.
type summary struct {
	releases        map[int]bool
	releasesOnError map[int]bool
	retains         map[int]bool
	passes          map[int]int    // result → parameter it returns
	fresh           map[int]string // result → kind of fresh resource ("" for a closer of its own type)
}

func newChecker(pass *analysis.Pass, dirs *directive.Set, prog *program.Program) *checker {
	return &checker{
		pass:     pass,
		dirs:     dirs,
		prog:     prog,
		sums:     map[*ssa.Function]*summary{},
		anyOwned: len(dirs.Of(directive.Owned)) > 0,
	}
}

func (s *summary) equal(t *summary) bool {
	return sameBools(s.releases, t.releases) && sameBools(s.releasesOnError, t.releasesOnError) && sameBools(s.retains, t.retains) &&
		maps.Equal(s.passes, t.passes) && maps.Equal(s.fresh, t.fresh)
}

// sameBools compares two sets held as maps, where a false entry is the
// same as none: summaries record a parameter they decided on as false.
func sameBools(a, b map[int]bool) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// summarise computes every function's summary. Summaries only grow as
// those of callees do, so iterating to a fixed point handles recursion;
// literals come before the functions that contain them.
func (c *checker) summarise() {
	for _, fn := range c.prog.Funcs {
		c.sums[fn] = &summary{}
	}
	for round := 0; round < maxRounds; round++ {
		changed := false
		for i := len(c.prog.Funcs) - 1; i >= 0; i-- {
			fn := c.prog.Funcs[i]
			s := c.summariseFunc(fn)
			if !s.equal(c.sums[fn]) {
				c.sums[fn] = s
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	c.summarised = true
}

func (c *checker) summariseFunc(fn *ssa.Function) *summary {
	s := &summary{releases: map[int]bool{}, releasesOnError: map[int]bool{}, retains: map[int]bool{}, passes: map[int]int{}}
	if fn.Blocks == nil {
		return s
	}
	owned := c.ownedFunc(fn)
	slots := make([]ssa.Value, 0, len(fn.Params)+len(fn.FreeVars))
	for _, p := range fn.Params {
		slots = append(slots, p)
	}
	for _, fv := range fn.FreeVars {
		slots = append(slots, fv)
	}
	for slot, v := range slots {
		r := whole
		t := v.Type()
		_, isFree := v.(*ssa.FreeVar)
		if isFree {
			r, t = cell, deref(t)
		}
		if !couldHold(t) {
			continue
		}
		if owned {
			s.retains[slot] = true
			continue
		}
		c.summariseParam(s, fn, slot, v, r, isFree)
	}
	s.fresh = c.freshResults(fn)
	return s
}

// summariseParam records what fn does with its parameter (or captured
// variable) v: it keeps it if it hands it on on some path; it releases a
// parameter if it releases or hands it on on every path where it is not
// nil, or on every path that returns an error (then its callers owe
// nothing where the error is not nil); it releases a captured variable if
// it does on some path, as deferred clean-ups that close on failure do.
func (c *checker) summariseParam(s *summary, fn *ssa.Function, slot int, v ssa.Value, r role, isFree bool) {
	fl := c.newFlow(fn, "")
	fl.add(v, r)
	fl.run()
	// A method handing its receiver on (to a closure, a helper, a value it
	// returns) is running the resource, not taking it over: only releasing
	// it counts.
	isRecv := slot == 0 && fn.Signature.Recv() != nil
	handed := map[ssa.Instruction]bool{}
	keptSome, anyRelease := false, false
	for instr, e := range fl.events {
		if e&kept != 0 {
			keptSome = true
			if !isRecv {
				handed[instr] = true
			}
		}
		if e&released != 0 {
			anyRelease = true
			handed[instr] = true
		}
		ret, ok := instr.(*ssa.Return)
		if e&returned == 0 || !ok {
			continue
		}
		for j, res := range ret.Results {
			switch r, ok := fl.held[res]; {
			case !ok || r == part:
				// An accessor returns a part, not what it was given.
			case r == whole:
				// Passed through, not released: the caller follows the
				// result instead.
				s.passes[j] = slot
			default:
				keptSome = true // returned inside a new value
				if !isRecv {
					handed[instr] = true
				}
			}
		}
	}
	if keptSome && !isRecv {
		s.retains[slot] = true
		return
	}
	if len(handed) == 0 {
		return
	}
	if isFree || isContainer(v.Type()) {
		// Captured variables are released by clean-ups that may run on
		// failure only; containers by loops that may run zero times.
		s.releases[slot] = anyRelease
		return
	}
	void := obligation.NilPruner(func(x ssa.Value) bool { _, ok := fl.held[x]; return ok }, nil)
	if obligation.Unmet(obligation.Obligation{Fn: fn, Met: func(i ssa.Instruction) bool { return handed[i] }, Void: void}) == nil {
		s.releases[slot] = true
		return
	}
	if !returnsError(fn) {
		return
	}
	okReturn := func(i ssa.Instruction) bool {
		ret, ok := i.(*ssa.Return)
		if !ok {
			return false
		}
		k, ok := resultValue(ret, len(ret.Results)-1).(*ssa.Const)
		return ok && k.IsNil()
	}
	if obligation.Unmet(obligation.Obligation{Fn: fn, Met: func(i ssa.Instruction) bool { return handed[i] || okReturn(i) }, Void: void}) == nil {
		s.releasesOnError[slot] = true
	}
}

// resultValue returns result i of ret as the function body set it: in a
// function with defers, results go through variables, and a return loads
// what the body last stored there.
func resultValue(ret *ssa.Return, i int) ssa.Value {
	v := ret.Results[i]
	load, ok := v.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return v
	}
	alloc, ok := load.X.(*ssa.Alloc)
	if !ok {
		return v
	}
	instrs := ret.Block().Instrs
	for j := len(instrs) - 1; j >= 0; j-- {
		if st, ok := instrs[j].(*ssa.Store); ok && st.Addr == alloc {
			return st.Val
		}
	}
	return v
}

// isContainer reports whether t is a slice, array or map (or a pointer to
// one).
func isContainer(t types.Type) bool {
	switch deref(t).Underlying().(type) {
	case *types.Slice, *types.Array, *types.Map:
		return true
	}
	return false
}

// returnsError reports whether fn's last result is an error.
func returnsError(fn *ssa.Function) bool {
	res := fn.Signature.Results()
	return res.Len() > 0 && isError(res.At(res.Len()-1).Type())
}

// fieldReleased reports whether what is stored in field is released or
// handed on anywhere: fields of other packages and exported fields may be
// released by code the analysis does not see; an unexported field of this
// package is released only if some function here releases, returns or
// hands on a value read from it.
func (c *checker) fieldReleased(field *types.Var) bool {
	if field.Pkg() != c.pass.Pkg || field.Exported() || field.Embedded() {
		return true
	}
	if v, ok := c.fields[field]; ok {
		return v
	}
	if c.fields == nil {
		c.fields = map[*types.Var]bool{}
	}
	c.fields[field] = true // while in progress: a cycle releases
	released := false
	for _, load := range c.fieldLoads(field) {
		fl := c.newFlow(load.Parent(), "")
		fl.add(load, aggregateOf(load))
		if len(fl.run().events) > 0 || fl.onError {
			released = true
			break
		}
	}
	c.fields[field] = released
	return released
}

// aggregateOf is the role of a value read from a field.
func aggregateOf(v ssa.Value) role {
	if isContainer(v.Type()) {
		return whole
	}
	return partRole(v.Type())
}

// fieldLoads returns the values read from field anywhere in the package.
func (c *checker) fieldLoads(field *types.Var) []ssa.Value {
	if c.loads == nil {
		c.loads = map[*types.Var][]ssa.Value{}
		for _, fn := range c.prog.Funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					switch in := instr.(type) {
					case *ssa.FieldAddr:
						f := fieldOf(in.X.Type(), in.Field)
						if f == nil || f.Pkg() != c.pass.Pkg || f.Exported() {
							continue
						}
						for _, ref := range *in.Referrers() {
							if load, ok := ref.(*ssa.UnOp); ok && load.Op == token.MUL {
								c.loads[f] = append(c.loads[f], load)
							}
						}
					case *ssa.Field:
						if f := fieldOf(in.X.Type(), in.Field); f != nil && f.Pkg() == c.pass.Pkg && !f.Exported() {
							c.loads[f] = append(c.loads[f], in)
						}
					}
				}
			}
		}
	}
	return c.loads[field]
}

// namedOf returns the named type t is or points to.
func namedOf(t types.Type) *types.Named {
	n, _ := types.Unalias(deref(t)).(*types.Named)
	return n
}

// partOf returns the field of a resource of the given kind that holds what
// must be released, or "" for the value itself.
func partOf(kind string) string {
	if kind == "transport" {
		return sharedOnly
	}
	if k := catalog.Kinds[kind]; k != nil {
		return k.Part
	}
	return ""
}

// exportFacts exports the summaries of the package's exported functions.
func (c *checker) exportFacts() {
	for _, fn := range c.prog.Funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || fn.Parent() != nil || !obj.Exported() {
			continue
		}
		if strings.HasSuffix(c.pass.Fset.File(fn.Pos()).Name(), "_test.go") {
			continue // test files export nothing anyone calls
		}
		if o := c.sums[fn].ownership(len(fn.Params)); o != nil {
			c.pass.ExportObjectFact(obj, o)
		}
	}
}

// ownership turns a summary into a fact, leaving out free variables and
// sorting everything, so that facts are deterministic.
func (s *summary) ownership(params int) *Ownership {
	o := &Ownership{}
	for p := range s.releases {
		if p < params {
			o.Releases = append(o.Releases, p)
		}
	}
	for p := range s.releasesOnError {
		if p < params && !s.releases[p] {
			o.ReleasesOnError = append(o.ReleasesOnError, p)
		}
	}
	for p := range s.retains {
		if p < params && !s.releases[p] {
			o.Retains = append(o.Retains, p)
		}
	}
	for r, p := range s.passes {
		if p < params && !s.retains[p] {
			o.Passes = append(o.Passes, Passed{Result: r, Param: p})
		}
	}
	for r, k := range s.fresh {
		o.Fresh = append(o.Fresh, Fresh{Result: r, Kind: k})
	}
	if len(o.Releases)+len(o.ReleasesOnError)+len(o.Retains)+len(o.Passes)+len(o.Fresh) == 0 {
		return nil
	}
	sort.Ints(o.Releases)
	sort.Ints(o.ReleasesOnError)
	sort.Ints(o.Retains)
	sort.Slice(o.Passes, func(i, j int) bool { return o.Passes[i].Result < o.Passes[j].Result })
	sort.Slice(o.Fresh, func(i, j int) bool { return o.Fresh[i].Result < o.Fresh[j].Result })
	return o
}

// ownedFunc reports whether fn, or the function it is nested in, is marked
// //asynclint:owned: what it acquires or is given is owned elsewhere.
func (c *checker) ownedFunc(fn *ssa.Function) bool {
	if !c.anyOwned {
		return false
	}
	for f := fn; f != nil; f = f.Parent() {
		decl, lit := program.Syntax(f)
		if d := c.dirs.OnFunc(decl, lit, directive.Owned); d != nil && d.Reason != "" {
			return true
		}
	}
	return false
}
