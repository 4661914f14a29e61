package ctxleak

import (
	"fmt"
	"go/token"
	"maps"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/obligation"
	"github.com/asynclint/asynclint/analyzers/internal/stdlib"
)

// lockEffects summarises what fn does to the mutexes it can name: those
// it acquires while its caller may still hold them (it has not released
// them first), those it leaves held on every return, and those it
// releases without having locked them.
func (c *checker) lockEffects(fn *ssa.Function) (locks, holds, unlocks []Lock) {
	deferred := c.deferredReleases(fn)
	seenLock := map[string]bool{}
	seenUnlock := map[string]bool{}
	var atReturn map[string]heldLock // held at every return so far
	c.lockFlow(fn, func(instr ssa.Instruction, e lockEffect, st *lockState) {
		if _, ok := instr.(*ssa.Call); ok {
			for _, l := range e.acquire {
				key := Lock{Path: l.Path, Read: l.Read}.String()
				if st.released[l.Path] || seenLock[key] || condOnFlag(instr.Block()) {
					continue
				}
				seenLock[key] = true
				locks = append(locks, l)
			}
		}
		for _, p := range e.release { // of a call, defer or go
			if !st.locked[p] && !seenUnlock[p] {
				seenUnlock[p] = true
				unlocks = append(unlocks, Lock{Path: p})
			}
		}
		if _, ok := instr.(*ssa.Return); !ok {
			return
		}
		if atReturn == nil {
			atReturn = maps.Clone(st.held)
			return
		}
		for p, h := range atReturn {
			if o, ok := st.held[p]; !ok || o.read != h.read {
				delete(atReturn, p)
			}
		}
	})
	for p, h := range atReturn {
		if !deferred[p] {
			holds = append(holds, Lock{Path: p, Read: h.read})
		}
	}
	sortLocks(holds)
	return locks, holds, unlocks
}

func sortLocks(ls []Lock) {
	slices.SortStableFunc(ls, func(a, b Lock) int { return strings.Compare(a.String(), b.String()) })
}

// deferredReleases returns the mutexes fn releases in a deferred call,
// anywhere in its body.
func (c *checker) deferredReleases(fn *ssa.Function) map[string]bool {
	out := map[string]bool{}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if d, ok := instr.(*ssa.Defer); ok {
				for _, p := range c.effectOf(d.Common()).release {
					out[p] = true
				}
			}
		}
	}
	return out
}

// checkLocks reports mutexes locked twice on a path that holds them, and
// mutexes the function unlocks on some paths but not all.
func (c *checker) checkLocks() {
	for _, fn := range c.prog.Funcs {
		c.checkLocksIn(fn)
	}
}

type lockSite struct {
	instr ssa.Instruction
	lock  Lock
	via   *ssa.Function
}

func (c *checker) checkLocksIn(fn *ssa.Function) {
	var sites []lockSite
	c.lockFlow(fn, func(instr ssa.Instruction, e lockEffect, st *lockState) {
		call, ok := instr.(*ssa.Call)
		if !ok {
			return
		}
		for _, l := range e.acquire {
			if h, ok := st.held[l.Path]; ok {
				c.reportDoubleLock(fn, call, e.via, l, h)
				break
			}
		}
		released := map[string]bool{}
		for _, p := range e.release {
			released[p] = true
		}
		for _, l := range e.hold {
			if !released[l.Path] {
				sites = append(sites, lockSite{instr: instr, lock: l, via: e.via})
			}
		}
	})
	if len(sites) == 0 {
		return
	}
	deferred := c.deferredReleases(fn)
	for _, s := range sites {
		if !deferred[s.lock.Path] {
			c.checkUnlocked(fn, s)
		}
	}
}

func (c *checker) reportDoubleLock(fn *ssa.Function, call *ssa.Call, via *ssa.Function, l Lock, h heldLock) {
	name := mutexName(fn, l.Path)
	op := "Lock"
	if l.Read {
		op = "RLock"
	}
	first := "locked"
	if h.read {
		first = "read-locked"
	}
	blocker := op
	if via != nil {
		blocker = strings.Join(append(append([]string{displayName(fn)}, l.Chain...), lockExpr(fn, l.Path, l.Read)), " → ")
	}
	by := ""
	if via != nil {
		by = " by " + c.calleeName(via)
	}
	var msg string
	switch {
	case !l.Read && !h.read:
		msg = fmt.Sprintf("%s is locked again%s while this goroutine already holds it (locked at line %d): %s blocks forever; unlock it first or call a variant that expects the lock held",
			name, by, c.line(h.pos), blocker)
	case l.Read && !h.read:
		msg = fmt.Sprintf("%s is read-locked%s while this goroutine holds its write lock (locked at line %d): %s blocks forever; unlock it first or call a variant that expects the lock held",
			name, by, c.line(h.pos), blocker)
	case !l.Read && h.read:
		msg = fmt.Sprintf("%s is locked%s while this goroutine holds a read lock on it (read-locked at line %d): %s waits for every reader, this one included, and blocks forever; RUnlock it first",
			name, by, c.line(h.pos), blocker)
	default:
		msg = fmt.Sprintf("%s is read-locked again%s while this goroutine already holds a read lock on it (read-locked at line %d): a writer arriving in between blocks %s forever, and the writer with it; sync.RWMutex forbids recursive read locking, so call a variant that expects the lock held",
			name, by, c.line(h.pos), blocker)
	}
	c.report(analysis.Diagnostic{
		Pos: call.Pos(), Category: catLock, Message: msg,
		Related: []analysis.RelatedInformation{{Pos: h.pos, Message: fmt.Sprintf("%s is %s here", name, first)}},
	})
}

// releases returns the predicate "this instruction releases the mutex at
// path, or hands it to code that may": an unlock, a deferred unlock, a
// callee or goroutine whose summary unlocks it, or a call the analysis
// cannot see into given the mutex or what holds it.
func (c *checker) releases(path string) func(ssa.Instruction) bool {
	return func(instr ssa.Instruction) bool {
		if mc, ok := instr.(*ssa.MakeClosure); ok {
			return c.closureReleases(mc, path)
		}
		ci, ok := instr.(ssa.CallInstruction)
		if !ok {
			return false
		}
		e := c.effectOf(ci.Common())
		for _, p := range e.release {
			if p == path {
				for _, h := range e.hold {
					if h.Path == path {
						return false // released and taken again
					}
				}
				return true
			}
		}
		if _, isSync := syncMethod(ci.Common()); isSync || e.via != nil {
			return false
		}
		return c.handsOff(ci.Common(), path)
	}
}

// handsOff reports whether a call the analysis knows nothing about is
// given the mutex at path or a value it is reached through.
func (c *checker) handsOff(common *ssa.CallCommon, path string) bool {
	fn, obj := c.prog.Callee(common)
	if fn != nil && (c.summaryOf(fn) != nil || inStd(fn)) {
		return false
	}
	if fn == nil && obj != nil && obj.Pkg() != nil && stdlib.IsPath(obj.Pkg().Path()) {
		return false
	}
	params, free := argPaths(common)
	for _, p := range append(params, free...) {
		p = strings.TrimPrefix(p, "=")
		if p != "" && under(path, p) {
			return true
		}
	}
	return false
}

// checkUnlocked reports a lock that the function releases on some paths
// from it but not on all.
func (c *checker) checkUnlocked(fn *ssa.Function, s lockSite) {
	if strings.HasPrefix(s.lock.Path, "%") {
		return // a mutex the analysis cannot name, from a map, a call
	}
	released := c.releases(s.lock.Path)
	if !reaches(s.instr, released) {
		return // a lock helper: the caller unlocks
	}
	br := obligation.Unmet(obligation.Obligation{
		From: s.instr,
		// A path that locks it again ends there: the double lock is
		// reported on its own.
		Met: func(instr ssa.Instruction) bool {
			if released(instr) {
				return true
			}
			if call, ok := instr.(*ssa.Call); ok {
				for _, l := range c.effectOf(call.Common()).acquire {
					if l.Path == s.lock.Path {
						return true
					}
				}
			}
			return false
		},
		Void: correlated(s.instr.Block()),
	})
	if br == nil {
		return
	}
	if !br.Again && exported(s.lock.Path) && c.callersRelease(fn, s.lock.Path) {
		return // a conditional lock helper: its callers unlock
	}
	name := mutexName(fn, s.lock.Path)
	unlock, lock, verb := "Unlock", "Lock", "unlocked"
	if s.lock.Read {
		unlock, lock, verb = "RUnlock", "RLock", "read-unlocked"
	}
	what := name
	if s.via != nil {
		what = fmt.Sprintf("%s (locked by %s)", name, c.calleeName(s.via))
	}
	var d analysis.Diagnostic
	if br.Again {
		loop := enclosingLoop(fn, s.instr.Pos())
		d = analysis.Diagnostic{Pos: s.instr.Pos(), Category: catLock,
			Message: fmt.Sprintf("%s is not %s before the loop comes round to lock it again: %s blocks forever on a mutex this goroutine holds; %s it on every path through the loop body",
				what, verb, lock, strings.ToLower(unlock[:1])+unlock[1:])}
		if loop.IsValid() {
			d.Related = []analysis.RelatedInformation{{Pos: loop, Message: "the loop that comes round with the lock held"}}
		}
	} else {
		exit := obligation.ExitPos(br.Exit)
		where := fmt.Sprintf("the return at line %d", c.line(exit))
		if !br.Exit.Pos().IsValid() {
			where = fmt.Sprintf("the end of %s", displayName(fn))
		}
		advice := fmt.Sprintf("defer %s.%s() right after %s", name, unlock, lock)
		if s.via != nil {
			advice = fmt.Sprintf("%s it before that return", strings.ToLower(unlock[:1])+unlock[1:])
		}
		d = analysis.Diagnostic{Pos: s.instr.Pos(), Category: catLock,
			Message: fmt.Sprintf("%s is not %s on the path through %s: the next Lock blocks forever; %s",
				what, verb, where, advice),
			Related: []analysis.RelatedInformation{{Pos: exit, Message: fmt.Sprintf("%s is still held here", name)}}}
	}
	c.report(d)
}

// correlated returns a Void function that prunes the edges contradicting
// the branches taken to reach b: after if c { mu.Lock() }, a later if c
// on the same value goes the same way.
//
// Conditions are the same when they are the same value or the same
// comparison of the same operands (b == 10 written twice), provided
// nothing between could change them: operands that are parameters,
// constants or values computed once.
func correlated(b *ssa.BasicBlock) func(*ssa.BasicBlock, int) bool {
	taken := map[string]int{}
	for d := b.Idom(); d != nil; d = d.Idom() {
		ifi, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		for i, s := range d.Succs {
			if s.Dominates(b) && len(s.Preds) == 1 {
				if k, ok := condKey(ifi.Cond); ok {
					if _, seen := taken[k]; !seen {
						taken[k] = i
					}
				}
			}
		}
	}
	if len(taken) == 0 {
		return nil
	}
	return func(x *ssa.BasicBlock, succ int) bool {
		ifi, ok := x.Instrs[len(x.Instrs)-1].(*ssa.If)
		if !ok {
			return false
		}
		k, ok := condKey(ifi.Cond)
		if !ok {
			return false
		}
		i, ok := taken[k]
		return ok && succ != i
	}
}

// condKey names a branch condition so that the same test written twice
// has the same name: the value itself, or for a comparison of two
// operands that are not loads or calls, the operator and operands.
func condKey(v ssa.Value) (string, bool) {
	if cmp, ok := v.(*ssa.BinOp); ok && stable(cmp.X) && stable(cmp.Y) {
		return fmt.Sprintf("%s %s %s", operandKey(cmp.X), cmp.Op, operandKey(cmp.Y)), true
	}
	return fmt.Sprintf("%p", v), true
}

// stable reports whether v is the same wherever it is used: SSA values
// are, except what a load or a call produces, which stands for a read that
// another instruction could repeat with a different result.
func stable(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.UnOp:
		return v.Op != token.MUL && v.Op != token.ARROW
	case *ssa.Call:
		return false
	}
	return true
}

func operandKey(v ssa.Value) string {
	if k, ok := v.(*ssa.Const); ok {
		return "const " + k.String()
	}
	return fmt.Sprintf("%p", v)
}

// callersRelease reports whether some caller of fn in this package
// releases the mutex fn leaves held (in the callee's terms, path) after
// the call: fn is then a lock helper that locks on success.
func (c *checker) callersRelease(fn *ssa.Function, path string) bool {
	for _, caller := range c.prog.Funcs {
		for _, b := range caller.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				r, ok := c.resolve(call.Common())
				if !ok || r.fn != fn && r.fn.Origin() != fn {
					continue
				}
				p := rebase(path, r.params, r.free)
				if p != "" && reaches(call, c.releases(p)) {
					return true
				}
			}
		}
	}
	return false
}

// closureReleases reports whether a function value made here (a closure,
// a bound method value such as tx.closemuRUnlockRelease) unlocks the
// mutex at path when it is called: returning or storing it hands the
// unlock on.
func (c *checker) closureReleases(mc *ssa.MakeClosure, path string) bool {
	fn, ok := mc.Fn.(*ssa.Function)
	if !ok {
		return false
	}
	params, free := argPaths(&ssa.CallCommon{Value: mc})
	if obj, _, ok := boundMethod(mc); ok {
		if len(free) != 1 || strings.HasPrefix(free[0], "=") {
			return false
		}
		if fn = fn.Prog.FuncValue(obj); fn == nil {
			return false
		}
		params, free = free, nil
	}
	s := c.summaryOf(fn)
	if s == nil {
		return false
	}
	for _, l := range s.Unlocks {
		if rebase(l.Path, params, free) == path {
			return true
		}
	}
	return false
}
