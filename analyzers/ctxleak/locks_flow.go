package ctxleak

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// heldLock is a mutex the function holds at a point, on every path there.
type heldLock struct {
	read bool
	pos  token.Pos // where it was acquired
}

// lockState is what the lock dataflow knows before an instruction.
type lockState struct {
	held     map[string]heldLock // locked on every path (intersection at joins)
	locked   map[string]bool     // locked by the function on some path before
	released map[string]bool     // released by the function on some path before
}

func newLockState() *lockState {
	return &lockState{held: map[string]heldLock{}, locked: map[string]bool{}, released: map[string]bool{}}
}

func (s *lockState) clone() *lockState {
	t := newLockState()
	for k, v := range s.held {
		t.held[k] = v
	}
	for k := range s.locked {
		t.locked[k] = true
	}
	for k := range s.released {
		t.released[k] = true
	}
	return t
}

// meet joins s into acc: held by both, touched by either. It reports
// whether acc changed.
func (acc *lockState) meet(s *lockState) bool {
	changed := false
	for k, h := range acc.held {
		o, ok := s.held[k]
		if !ok || o.read != h.read {
			delete(acc.held, k)
			changed = true
		}
	}
	for k := range s.locked {
		if !acc.locked[k] {
			acc.locked[k] = true
			changed = true
		}
	}
	for k := range s.released {
		if !acc.released[k] {
			acc.released[k] = true
			changed = true
		}
	}
	return changed
}

// kill forgets what is held through a value that is being redefined.
func (s *lockState) kill(prefix string) {
	for k := range s.held {
		if under(k, prefix) {
			delete(s.held, k)
		}
	}
}

// A lockEffect is what a call does to mutexes, in the caller's terms.
type lockEffect struct {
	acquire []Lock   // acquired (blocking), Chain from the callee on
	release []string // released
	hold    []Lock   // left held
	via     *ssa.Function
	try     string // TryLock/TryRLock of this path
	tryRead bool
}

func (e lockEffect) empty() bool {
	return len(e.acquire) == 0 && len(e.release) == 0 && len(e.hold) == 0 && e.try == ""
}

const maxChain = 6

// effectOf returns what a call, go or defer's call does to mutexes.
func (c *checker) effectOf(common *ssa.CallCommon) lockEffect {
	if k, p := lockOp(common); k != notLockOp {
		switch k {
		case opLock, opRLock:
			l := Lock{Path: p, Read: k == opRLock}
			return lockEffect{acquire: []Lock{l}, hold: []Lock{l}}
		case opUnlock, opRUnlock:
			return lockEffect{release: []string{p}}
		case opTryLock, opTryRLock:
			return lockEffect{try: p, tryRead: k == opTryRLock}
		}
		return lockEffect{}
	}
	r, ok := c.resolve(common)
	if !ok || (len(r.sum.Locks) == 0 && len(r.sum.Unlocks) == 0 && len(r.sum.Holds) == 0) {
		return lockEffect{}
	}
	e := lockEffect{via: r.fn}
	for _, l := range rebaseAll(r.sum.Locks, r.params, r.free) {
		if len(l.Chain) < maxChain {
			l.Chain = append([]string{c.calleeName(r.fn)}, l.Chain...)
			e.acquire = append(e.acquire, l)
		}
	}
	for _, l := range rebaseAll(r.sum.Unlocks, r.params, r.free) {
		e.release = append(e.release, l.Path)
	}
	for _, l := range rebaseAll(r.sum.Holds, r.params, r.free) {
		e.hold = append(e.hold, Lock{Path: l.Path, Read: l.Read})
	}
	return e
}

// lockFlow runs the forward lock dataflow over fn and then calls visit
// with each reachable instruction, its effect (for calls) and the state
// just before it.
func (c *checker) lockFlow(fn *ssa.Function, visit func(ssa.Instruction, lockEffect, *lockState)) {
	if len(fn.Blocks) == 0 {
		return
	}
	effects := map[ssa.Instruction]lockEffect{}
	some := false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok {
				if e := c.effectOf(ci.Common()); !e.empty() {
					effects[instr] = e
					some = true
				}
			}
		}
	}
	if !some {
		return
	}
	in := make([]*lockState, len(fn.Blocks))
	in[0] = newLockState()
	work := []*ssa.BasicBlock{fn.Blocks[0]}
	queued := make([]bool, len(fn.Blocks))
	queued[0] = true
	for steps := 0; len(work) > 0 && steps < 50*len(fn.Blocks)+100; steps++ {
		b := work[0]
		work = work[1:]
		queued[b.Index] = false
		st := in[b.Index].clone()
		for _, instr := range b.Instrs {
			transfer(instr, effects[instr], st)
		}
		for i, s := range b.Succs {
			out := edgeState(b, i, st, effects)
			if in[s.Index] == nil {
				in[s.Index] = out
			} else if !in[s.Index].meet(out) {
				continue
			}
			if !queued[s.Index] {
				queued[s.Index] = true
				work = append(work, s)
			}
		}
	}
	for _, b := range fn.Blocks {
		if in[b.Index] == nil {
			continue
		}
		st := in[b.Index].clone()
		for _, instr := range b.Instrs {
			visit(instr, effects[instr], st)
			transfer(instr, effects[instr], st)
		}
	}
}

func transfer(instr ssa.Instruction, e lockEffect, st *lockState) {
	switch instr := instr.(type) {
	case *ssa.Call:
		for _, l := range e.acquire {
			st.locked[l.Path] = true
		}
		for _, p := range e.release {
			delete(st.held, p)
			st.released[p] = true
		}
		for _, l := range e.hold {
			st.held[l.Path] = heldLock{read: l.Read, pos: instr.Pos()}
			st.locked[l.Path] = true
		}
		if e.try != "" {
			st.locked[e.try] = true
		}
		if len(st.held) > 0 && instr.Name() != "" {
			st.kill("%" + instr.Name())
		}
	case *ssa.Go:
		// A goroutine that unlocks it takes the lock over.
		for _, p := range e.release {
			delete(st.held, p)
			st.released[p] = true
		}
	case *ssa.Store:
		if len(st.held) > 0 {
			if p, ok := pathOf(instr.Addr); ok {
				st.kill(p + "*")
			}
		}
	case *ssa.Alloc:
		if len(st.held) > 0 {
			if p, ok := pathOf(instr); ok {
				st.kill(p)
			}
		}
	case *ssa.Extract, *ssa.MakeInterface, *ssa.TypeAssert, *ssa.Lookup:
		if len(st.held) > 0 {
			st.kill("%" + instr.(ssa.Value).Name())
		}
	}
}

// edgeState is the state on b's succ-th edge: TryLock holds the mutex on
// the edge where it succeeded.
func edgeState(b *ssa.BasicBlock, succ int, st *lockState, effects map[ssa.Instruction]lockEffect) *lockState {
	out := st.clone()
	ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return out
	}
	cond, want := ifi.Cond, 0
	if u, ok := cond.(*ssa.UnOp); ok && u.Op == token.NOT {
		cond, want = u.X, 1
	}
	call, ok := cond.(*ssa.Call)
	if !ok {
		return out
	}
	if e := effects[call]; e.try != "" && succ == want {
		out.held[e.try] = heldLock{read: e.tryRead, pos: call.Pos()}
	}
	return out
}

// condOnFlag reports whether b runs only on one side of a branch on a
// flag the function is given (if !locked { mu.Lock() }): callers that
// pass the other value do not take the lock.
func condOnFlag(b *ssa.BasicBlock) bool {
	for d := b.Idom(); d != nil; d = d.Idom() {
		ifi, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok || !fromFlag(ifi.Cond, 0) {
			continue
		}
		for _, s := range d.Succs {
			if escapesTo(s, b) {
				return true
			}
		}
	}
	return false
}

func fromFlag(v ssa.Value, depth int) bool {
	if depth > 3 {
		return false
	}
	switch v := v.(type) {
	case *ssa.Parameter, *ssa.FreeVar:
		_, basic := v.Type().Underlying().(*types.Basic)
		return basic
	case *ssa.UnOp:
		return v.Op == token.NOT && fromFlag(v.X, depth+1)
	case *ssa.BinOp:
		return fromFlag(v.X, depth+1) || fromFlag(v.Y, depth+1)
	}
	return false
}

// escapesTo reports whether from can reach a return without passing
// through avoid.
func escapesTo(from, avoid *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{from}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == avoid || seen[x] {
			continue
		}
		seen[x] = true
		if _, ok := x.Instrs[len(x.Instrs)-1].(*ssa.Return); ok {
			return true
		}
		stack = append(stack, x.Succs...)
	}
	return false
}
