package closecheck

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
)

// A role says how a value holds a resource.
type role uint8

const (
	whole   role = iota // the value is the resource, or the part of it that is released
	part                // a field of it, as a whole value (resp.Body, c.conn)
	cell                // the address of a local variable that holds it
	carrier             // a local struct, array, slice or map that holds it among other things
)

// An event is what an instruction does with a resource.
type event uint8

const (
	released event = 1 << iota // closes it (or stops, commits, rolls back)
	kept                       // stores, sends or hands it to a callee or goroutine that keeps it
	returned                   // returns it to the caller
)

// An effect is what a callee does with one of its parameters.
type effect struct {
	ev      event // released or kept, or 0
	results []int // the results that are the parameter, for Must-style wrappers
	onError bool  // released where the call's error is not nil
}

// A flow is what one function does with one resource: the values that
// hold it, the errors that say it was not acquired, and the instructions
// that release it or hand it on.
type flow struct {
	c  *checker
	fn *ssa.Function
	// part is the field that holds what a whole value must release
	// ("Body" of an *http.Response), or "" for any field that could.
	part   string
	held   map[ssa.Value]role
	failed map[ssa.Value]bool
	events map[ssa.Instruction]event
	queue  []ssa.Value
	// stores into values not known to be local, decided once the flow is
	// complete: into the resource itself, the resource stays.
	stores []pendingStore
	// onError: a callee releases the resource where it fails.
	onError bool
	// strandedIn is a field the resource is stored into that nothing in
	// the package releases.
	strandedIn    *types.Var
	strandedOwner types.Type
	// voids are the edges after which nothing is owed: the case of a
	// select that received from a timer, which has fired.
	voids map[edge]bool
}

// An edge is the succ-th edge out of a block.
type edge struct {
	b    *ssa.BasicBlock
	succ int
}

func (c *checker) newFlow(fn *ssa.Function, part string) *flow {
	return &flow{
		c:      c,
		fn:     fn,
		part:   part,
		held:   map[ssa.Value]role{},
		failed: map[ssa.Value]bool{},
		events: map[ssa.Instruction]event{},
		voids:  map[edge]bool{},
	}
}

// add records that v holds the resource in the given role.
func (f *flow) add(v ssa.Value, r role) {
	if _, ok := f.held[v]; ok {
		return
	}
	f.held[v] = r
	f.queue = append(f.queue, v)
}

// addFailed records err, and the phis it flows into, as errors that are
// non-nil only when the resource was not acquired.
func (f *flow) addFailed(err ssa.Value) {
	if f.failed[err] {
		return
	}
	f.failed[err] = true
	if refs := err.Referrers(); refs != nil {
		for _, r := range *refs {
			switch r := r.(type) {
			case *ssa.Phi:
				f.addFailed(r)
			case *ssa.Store:
				if r.Val == err {
					f.failedLoads(r, r.Addr)
				}
			}
		}
	}
}

// failedLoads adds the loads of a variable (a named result, a captured err)
// that read the error store put there: those that follow it in its block
// before the variable is assigned again.
func (f *flow) failedLoads(store *ssa.Store, alloc ssa.Value) {
	b := store.Block()
	after := false
	for _, instr := range b.Instrs {
		if instr == store {
			after = true
			continue
		}
		if !after {
			continue
		}
		switch in := instr.(type) {
		case *ssa.Store:
			if in.Addr == alloc {
				return
			}
		case *ssa.UnOp:
			if in.Op == token.MUL && in.X == alloc {
				f.addFailed(in)
			}
		}
	}
}

func (f *flow) mark(instr ssa.Instruction, e event) { f.events[instr] |= e }

type pendingStore struct {
	instr ssa.Instruction
	base  ssa.Value
}

// run follows the resource from the values added so far to every value and
// instruction it reaches.
func (f *flow) run() *flow {
	for len(f.queue) > 0 {
		v := f.queue[len(f.queue)-1]
		f.queue = f.queue[:len(f.queue)-1]
		f.follow(v, f.held[v])
	}
	for _, st := range f.stores {
		if _, ok := f.held[st.base]; ok {
			continue
		}
		if field, owner := storedField(st.instr, st.base); field != nil && f.part != sharedOnly && !f.c.fieldReleased(field) {
			// Stored where nothing releases it: not handed on.
			f.strandedIn, f.strandedOwner = field, owner
			continue
		}
		f.mark(st.instr, kept)
	}
	f.stores = nil
	return f
}

// sharedOnly is the part of a flow whose resource is handed on by any store:
// a transport stored anywhere is shared, whoever closes it.
const sharedOnly = "-"

// storedField returns the field a store puts the resource into (x.f = r,
// x.f[k] = r, x.f = append(x.f, r)) and the type it belongs to.
func storedField(instr ssa.Instruction, base ssa.Value) (*types.Var, types.Type) {
	var fa *ssa.FieldAddr
	if st, ok := instr.(*ssa.Store); ok {
		fa, _ = st.Addr.(*ssa.FieldAddr)
	}
	if load, ok := base.(*ssa.UnOp); fa == nil && ok && load.Op == token.MUL {
		fa, _ = load.X.(*ssa.FieldAddr)
	}
	if fa == nil {
		return nil, nil
	}
	return fieldOf(fa.X.Type(), fa.Field), deref(fa.X.Type())
}

// has reports whether some instruction does e with the resource.
func (f *flow) has(e event) bool {
	for _, got := range f.events {
		if got&e != 0 {
			return true
		}
	}
	return false
}

func (f *flow) follow(v ssa.Value, r role) {
	refs := v.Referrers()
	if refs == nil {
		return
	}
	for _, instr := range *refs {
		if f.c.ownedLine(instr) {
			f.mark(instr, kept)
			continue
		}
		switch in := instr.(type) {
		case *ssa.Return:
			f.mark(in, returned)
		case *ssa.Store:
			if in.Val == v {
				f.store(in, in.Addr)
			}
		case *ssa.MapUpdate:
			if in.Value == v || in.Key == v {
				f.store(in, in.Map)
			}
		case *ssa.Send:
			if in.X == v {
				f.mark(in, kept)
			}
		case *ssa.Select:
			// A send case may be the one taken: handed on.
			for _, st := range in.States {
				if st.Dir == types.SendOnly && st.Send == v {
					f.mark(in, kept)
				}
			}
		case *ssa.MakeInterface, *ssa.ChangeType, *ssa.ChangeInterface, *ssa.Convert,
			*ssa.MultiConvert, *ssa.SliceToArrayPointer, *ssa.Phi:
			f.add(in.(ssa.Value), r)
		case *ssa.Slice:
			if in.X == v {
				f.add(in, r)
			}
		case *ssa.TypeAssert:
			if in.X != v {
				continue
			}
			if !in.CommaOk {
				f.add(in, r)
				continue
			}
			f.extracts(in, 0, r)
		case *ssa.UnOp:
			if in.Op == token.MUL && in.X == v {
				switch r {
				case cell:
					f.add(in, whole)
				case carrier:
					f.add(in, carrier)
				}
			}
		case *ssa.FieldAddr:
			if in.X != v {
				continue
			}
			if isTimerChan(in) {
				f.timerReceives(in)
				continue
			}
			if r == cell {
				// A variable of struct type holding the resource in a
				// field: x.f is a part of what the variable holds.
				f.fieldLoads(in)
				continue
			}
			if f.isPart(r, fieldOf(in.X.Type(), in.Field)) {
				f.fieldLoads(in)
			}
		case *ssa.Field:
			if in.X == v && f.isPart(r, fieldOf(in.X.Type(), in.Field)) {
				f.add(in, partRole(in.Type()))
			}
		case *ssa.IndexAddr:
			if in.X == v && holdsElements(r, v) {
				f.fieldLoads(in)
			}
		case *ssa.Index:
			if in.X == v && holdsElements(r, v) {
				f.add(in, partRole(in.Type()))
			}
		case *ssa.Lookup:
			if in.X == v && holdsElements(r, v) && !in.CommaOk {
				f.add(in, partRole(in.Type()))
			}
		case *ssa.Range:
			// for k, v := range m: what Next extracts.
			if in.X == v && holdsElements(r, v) {
				for _, ref := range *in.Referrers() {
					if next, ok := ref.(*ssa.Next); ok {
						f.extracts(next, 1, part)
						f.extracts(next, 2, part)
					}
				}
			}
		case *ssa.MakeClosure:
			for i, b := range in.Bindings {
				if b == v {
					f.captured(in, i)
				}
			}
		case ssa.CallInstruction:
			f.call(in, v)
		}
	}
}

// isTimerChan reports whether addr is &t.C of a *time.Timer.
func isTimerChan(addr *ssa.FieldAddr) bool {
	n := namedOf(addr.X.Type())
	field := fieldOf(addr.X.Type(), addr.Field)
	return n != nil && n.Obj().Name() == "Timer" && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" &&
		field != nil && field.Name() == "C"
}

// timerReceives marks the receives from a timer's channel as releases: a
// timer that has fired holds nothing.
func (f *flow) timerReceives(addr *ssa.FieldAddr) {
	for _, ref := range *addr.Referrers() {
		load, ok := ref.(*ssa.UnOp)
		if !ok || load.Op != token.MUL {
			continue
		}
		for _, use := range *load.Referrers() {
			switch use := use.(type) {
			case *ssa.UnOp:
				if use.Op == token.ARROW {
					f.mark(use, released)
				}
			case *ssa.Select:
				for i, st := range use.States {
					if st.Chan == load && st.Dir == types.RecvOnly {
						f.voidCase(use, i)
					}
				}
			}
		}
	}
}

// voidCase records that nothing is owed once case i of a select is
// chosen.
func (f *flow) voidCase(sel *ssa.Select, i int) {
	for _, ref := range *sel.Referrers() {
		ex, ok := ref.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		for _, use := range *ex.Referrers() {
			cmp, ok := use.(*ssa.BinOp)
			if !ok || cmp.Op != token.EQL {
				continue
			}
			k, ok := cmp.Y.(*ssa.Const)
			if !ok || k.Value == nil || k.Int64() != int64(i) {
				continue
			}
			for _, u := range *cmp.Referrers() {
				if ifi, ok := u.(*ssa.If); ok {
					f.voids[edge{ifi.Block(), 0}] = true
				}
			}
		}
	}
}

// extracts adds the extractions of component i of tuple.
func (f *flow) extracts(tuple ssa.Value, i int, r role) {
	if refs := tuple.Referrers(); refs != nil {
		for _, ref := range *refs {
			if ex, ok := ref.(*ssa.Extract); ok && ex.Index == i {
				f.add(ex, r)
			}
		}
	}
}

// fieldLoads adds what is loaded from addr, the address of a part. A part
// that is itself a struct is a carrier of its fields.
func (f *flow) fieldLoads(addr ssa.Value) {
	if _, isStruct := deref(addr.Type()).Underlying().(*types.Struct); isStruct {
		f.add(addr, carrier)
		return
	}
	if refs := addr.Referrers(); refs != nil {
		for _, ref := range *refs {
			if load, ok := ref.(*ssa.UnOp); ok && load.Op == token.MUL {
				f.add(load, partRole(load.Type()))
			}
		}
	}
}

// isPart reports whether field holds the resource, or part of it: the
// kind's part of a whole value, any field that could of a carrier.
func (f *flow) isPart(r role, field *types.Var) bool {
	if field == nil {
		return false
	}
	if (r == whole || r == part) && f.part != "" {
		return field.Name() == f.part
	}
	return r != cell && couldHold(field.Type())
}

// holdsElements reports whether the elements of v, in role r, hold the
// resource: those of a carrier, or of a slice, array or map given whole.
func holdsElements(r role, v ssa.Value) bool {
	if r == carrier {
		return true
	}
	return r != cell && isContainer(v.Type())
}

// partRole is the role of a value loaded from a part: a struct value
// carries its fields, anything else is a part.
func partRole(t types.Type) role {
	switch t.Underlying().(type) {
	case *types.Struct, *types.Array:
		return carrier
	}
	return part
}

// store handles the resource being stored at addr (an address, or a map).
// Into a local variable or aggregate it is still here; into the resource
// itself it stays with it; anywhere else it has left the function.
func (f *flow) store(instr ssa.Instruction, addr ssa.Value) {
	base := addr
	for {
		switch b := base.(type) {
		case *ssa.FieldAddr:
			base = b.X
			continue
		case *ssa.IndexAddr:
			base = b.X
			continue
		case *ssa.Slice:
			base = b.X
			continue
		}
		break
	}
	if _, ok := f.held[base]; ok {
		return
	}
	switch b := base.(type) {
	case *ssa.Alloc:
		if b.Parent() == f.fn {
			if addr == b {
				f.add(b, cell)
			} else {
				f.add(b, carrier)
			}
			return
		}
	case *ssa.MakeSlice, *ssa.MakeMap:
		f.add(b, carrier)
		return
	case *ssa.UnOp:
		// c.tr = tr, with c a variable (a heap cell, as closures capture)
		// holding a value built here.
		if objs := f.cellObjects(b); objs != nil {
			for _, o := range objs {
				f.add(o, carrier)
			}
			return
		}
	}
	f.stores = append(f.stores, pendingStore{instr, base})
}

// cellObjects returns the values built in this function that the local
// variable loaded by load can hold, or nil if it may hold anything else.
func (f *flow) cellObjects(load *ssa.UnOp) []ssa.Value {
	cell, ok := load.X.(*ssa.Alloc)
	if load.Op != token.MUL || !ok || cell.Parent() != f.fn {
		return nil
	}
	var objs []ssa.Value
	for _, ref := range *cell.Referrers() {
		st, ok := ref.(*ssa.Store)
		if !ok || st.Addr != cell {
			continue
		}
		switch v := st.Val.(type) {
		case *ssa.Alloc:
			if v.Parent() != f.fn {
				return nil
			}
		case *ssa.MakeSlice, *ssa.MakeMap:
		default:
			return nil
		}
		objs = append(objs, st.Val)
	}
	return objs
}

// captured handles the resource being captured, as binding i, by a
// closure: what the closure does with it happens where the closure runs,
// or where it is handed on.
func (f *flow) captured(mc *ssa.MakeClosure, i int) {
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok {
		return
	}
	var eff effect
	if method := boundMethod(fn); method != nil {
		// x.Close as a method value: a release once it is called.
		if catalog.IsRelease(method.Name()) {
			eff.ev = released
		} else {
			eff = f.c.calleeEffect(nil, method, 0)
		}
	} else if s := f.c.sums[fn]; s != nil {
		slot := len(fn.Params) + i
		switch {
		case s.releases[slot]:
			eff.ev = released
		case s.retains[slot]:
			eff.ev = kept
		}
	}
	if eff.ev == 0 {
		return
	}
	ran := false
	if refs := mc.Referrers(); refs != nil {
		for _, ref := range *refs {
			call, ok := ref.(ssa.CallInstruction)
			if !ok {
				continue
			}
			if call.Common().Value == mc || runs(call.Common(), mc) {
				f.mark(call, eff.ev)
				ran = true
			}
		}
	}
	if !ran {
		// Handed to whoever runs the closure (t.Cleanup, AfterFunc, a
		// sync.Once): they own it now.
		f.mark(mc, kept)
	}
}

// call handles the resource v being passed to a call, as an argument or as
// the receiver.
func (f *flow) call(instr ssa.CallInstruction, v ssa.Value) {
	common := instr.Common()
	if b, ok := common.Value.(*ssa.Builtin); ok {
		call, isCall := instr.(*ssa.Call)
		switch {
		case !isCall:
		case b.Name() == "append":
			f.add(call, carrier)
		case b.Name() == "ssa:wrapnilchk":
			f.add(call, f.held[v])
		}
		return
	}
	if common.Value == v && !common.IsInvoke() {
		return // calling the value itself
	}
	for _, p := range paramsOf(common, v) {
		eff := f.c.effect(common, p)
		if eff.ev != 0 {
			f.mark(instr, eff.ev)
			continue
		}
		call, isCall := instr.(*ssa.Call)
		if !isCall {
			continue
		}
		if eff.onError {
			f.onError = true
			// Where the error is not nil, the callee released it.
			for _, err := range errorResults(call) {
				f.addFailed(err)
			}
		}
		if len(eff.results) == 0 {
			continue
		}
		if _, isTuple := call.Type().(*types.Tuple); !isTuple {
			f.add(call, whole)
			continue
		}
		for _, i := range eff.results {
			f.extracts(call, i, whole)
		}
	}
}

// errorResults returns the extractions of a call's error results.
func errorResults(call *ssa.Call) []ssa.Value {
	tuple, ok := call.Type().(*types.Tuple)
	if !ok {
		if isError(call.Type()) {
			return []ssa.Value{call}
		}
		return nil
	}
	var errs []ssa.Value
	if refs := call.Referrers(); refs != nil {
		for _, ref := range *refs {
			if ex, ok := ref.(*ssa.Extract); ok && isError(tuple.At(ex.Index).Type()) {
				errs = append(errs, ex)
			}
		}
	}
	return errs
}

// ownedLine reports whether instr is on a line marked //asynclint:owned.
func (c *checker) ownedLine(instr ssa.Instruction) bool {
	if !c.anyOwned {
		return false
	}
	pos := instr.Pos()
	if !pos.IsValid() {
		return false
	}
	d := c.dirs.OnLine(pos, directive.Owned)
	return d != nil && d.Reason != ""
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

func deref(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// fieldOf returns field i of the struct t points to (or is).
func fieldOf(t types.Type, i int) *types.Var {
	s, ok := deref(t).Underlying().(*types.Struct)
	if !ok || i >= s.NumFields() {
		return nil
	}
	return s.Field(i)
}

// couldHold reports whether a value of type t could hold a resource:
// pointers, interfaces and aggregates of them.
func couldHold(t types.Type) bool { return couldHoldDepth(t, 0) }

func couldHoldDepth(t types.Type, depth int) bool {
	if depth > 4 {
		return false
	}
	switch u := t.Underlying().(type) {
	case *types.Pointer:
		_, basic := u.Elem().Underlying().(*types.Basic)
		return !basic
	case *types.Interface:
		return true
	case *types.Slice:
		return couldHoldDepth(u.Elem(), depth+1)
	case *types.Array:
		return couldHoldDepth(u.Elem(), depth+1)
	case *types.Map:
		return couldHoldDepth(u.Key(), depth+1) || couldHoldDepth(u.Elem(), depth+1)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if couldHoldDepth(u.Field(i).Type(), depth+1) {
				return true
			}
		}
	}
	return false
}
