package ctxleak

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// A heldAt records where a mutex held at some point was locked.
type heldAt struct {
	pos   token.Pos
	read  bool
	path  string     // its path in the holding function, for messages
	outer *types.Var // the field holding its struct (outerField)
}

// heldObjects returns the mutexes held on every path to each of fn's
// blocking operations and calls, by object.
func (c *checker) heldObjects(fn *ssa.Function) map[ssa.Instruction]map[object]heldAt {
	if h, ok := c.held[fn]; ok {
		return h
	}
	h := c.computeHeld(fn)
	if c.held == nil {
		c.held = map[*ssa.Function]map[ssa.Instruction]map[object]heldAt{}
	}
	c.held[fn] = h
	return h
}

func (c *checker) computeHeld(fn *ssa.Function) map[ssa.Instruction]map[object]heldAt {
	if len(fn.Blocks) == 0 {
		return nil
	}
	in := make([]map[object]heldAt, len(fn.Blocks))
	visited := make([]bool, len(fn.Blocks))
	in[0], visited[0] = map[object]heldAt{}, true
	out := map[ssa.Instruction]map[object]heldAt{}
	work := []*ssa.BasicBlock{fn.Blocks[0]}
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		st := copyHeld(in[b.Index])
		for _, instr := range b.Instrs {
			if _, isCall := instr.(*ssa.Call); isCall || blockingOp(instr) {
				if len(st) > 0 {
					out[instr] = copyHeld(st)
				} else {
					delete(out, instr)
				}
			}
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			sc, ok := syncMethod(call.Common())
			if !ok || sc.typ == "WaitGroup" {
				continue
			}
			o, ok := objectOf(sc.recv)
			if !ok {
				continue
			}
			switch sc.method {
			case "Lock", "RLock":
				p, _ := pathOf(sc.recv)
				st[o] = heldAt{pos: call.Pos(), read: sc.method == "RLock", path: p, outer: outerField(sc.recv)}
			case "Unlock", "RUnlock":
				delete(st, o)
			}
		}
		for _, s := range b.Succs {
			if !visited[s.Index] {
				visited[s.Index] = true
				in[s.Index] = copyHeld(st)
				work = append(work, s)
				continue
			}
			// Intersect: held on every path.
			changed := false
			for o := range in[s.Index] {
				if _, ok := st[o]; !ok {
					delete(in[s.Index], o)
					changed = true
				}
			}
			if changed {
				work = append(work, s)
			}
		}
	}
	return out
}

func copyHeld(m map[object]heldAt) map[object]heldAt {
	out := make(map[object]heldAt, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// blockingOp reports whether instr may wait for another goroutine: a send
// or receive, a select without default, a WaitGroup.Wait.
func blockingOp(instr ssa.Instruction) bool {
	switch instr := instr.(type) {
	case *ssa.Send:
		return true
	case *ssa.UnOp:
		return instr.Op == token.ARROW
	case *ssa.Select:
		return instr.Blocking
	case *ssa.Call:
		sc, ok := syncMethod(instr.Common())
		return ok && sc.typ == "WaitGroup" && sc.method == "Wait"
	}
	return false
}

// wakers returns the operations that can end op's wait.
func wakers(op *syncOp, all []*syncOp) []*syncOp {
	var out []*syncOp
	for _, o := range all {
		switch op.kind {
		case opRecv:
			if o.kind == opSend || o.kind == opClose {
				out = append(out, o)
			}
		case opSend:
			if o.kind == opRecv {
				out = append(out, o)
			}
		case opWait:
			if o.kind == opDone {
				out = append(out, o)
			}
		}
	}
	return out
}

// checkLockWaits reports a goroutine that waits — sends, receives, calls
// Wait — while holding a mutex that every goroutine able to end the wait
// must lock first: the waiter holds what its waker needs, and neither
// proceeds. Mutexes, channels and WaitGroups are matched as objects (the
// same field of the same type), and the wakers must all be known.
func (c *checker) checkLockWaits() {
	ops := c.syncOps()
	for _, fn := range c.prog.Funcs {
		held := c.heldObjects(fn)
		if len(held) == 0 {
			continue
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				h := held[instr]
				if len(h) == 0 {
					continue
				}
				for _, op := range c.opsAt[instr] {
					if !op.blocking {
						continue
					}
					c.checkLockWait(fn, op, h, ops[op.obj])
				}
				if call, ok := instr.(*ssa.Call); ok {
					c.checkCalleeWaits(fn, call, h, ops)
				}
			}
		}
	}
}

// checkCalleeWaits applies the rule to the waits a function of this
// package makes when called with locks held (a few calls deep), reporting
// at the call: the fix is to call it after unlocking.
func (c *checker) checkCalleeWaits(fn *ssa.Function, call *ssa.Call, held map[object]heldAt, ops map[object][]*syncOp) {
	callee, _ := c.prog.Callee(call.Common())
	if callee == nil || callee.Pkg != c.prog.Pkg || origin(callee) == fn {
		return
	}
	var unlocked map[object]bool // by the callee, once needed
	for _, op := range c.waitsIn(origin(callee)) {
		wake := c.blockedWakers(op, ops[op.obj])
		if len(wake) == 0 {
			continue
		}
		if unlocked == nil {
			unlocked = c.unlockedIn(origin(callee))
		}
		for m, h := range held {
			if unlocked[m] {
				continue // the callee lets go of it first
			}
			if first := c.lockingWaker(fn, op, wake, m, h.read); first != nil {
				c.reportCalleeWait(fn, call, origin(callee), op, m, h, first)
				return
			}
		}
	}
}

// waitsIn returns the blocking operations fn and the functions of this
// package it calls make.
func (c *checker) waitsIn(fn *ssa.Function) []*syncOp {
	var out []*syncOp
	c.inCallTree(fn, false, func(instr ssa.Instruction) {
		for _, op := range c.opsAt[instr] {
			if op.blocking {
				out = append(out, op)
			}
		}
	})
	return out
}

// unlockedIn returns the mutexes fn, or a function of this package it
// calls (or defers, or starts), unlocks.
func (c *checker) unlockedIn(fn *ssa.Function) map[object]bool {
	out := map[object]bool{}
	c.inCallTree(fn, true, func(instr ssa.Instruction) {
		ci, ok := instr.(ssa.CallInstruction)
		if !ok {
			return
		}
		sc, ok := syncMethod(ci.Common())
		if !ok || sc.method != "Unlock" && sc.method != "RUnlock" {
			return
		}
		if o, ok := objectOf(sc.recv); ok {
			out[o] = true
		}
	})
	return out
}

// inCallTree calls visit with each instruction of fn and, right after a
// call of a function of this package (other than a sync method's), with
// those of the callee, depth first: up to three calls deep, each function
// once. Calls made by go and defer statements are followed too when
// goDefer is set.
func (c *checker) inCallTree(fn *ssa.Function, goDefer bool, visit func(ssa.Instruction)) {
	seen := map[*ssa.Function]bool{}
	var walk func(fn *ssa.Function, depth int)
	walk = func(fn *ssa.Function, depth int) {
		if depth > 3 || seen[fn] {
			return
		}
		seen[fn] = true
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				visit(instr)
				ci, ok := instr.(ssa.CallInstruction)
				if _, isCall := instr.(*ssa.Call); !ok || !isCall && !goDefer {
					continue
				}
				if _, isSync := syncMethod(ci.Common()); isSync {
					continue
				}
				if callee, _ := c.prog.Callee(ci.Common()); callee != nil && callee.Pkg == c.prog.Pkg {
					walk(origin(callee), depth+1)
				}
			}
		}
	}
	walk(fn, 0)
}

// waitWords names, for messages, what op does ("receive from"), what its
// wakers do ("sends on or closes") and the mutex held.
func waitWords(fn *ssa.Function, op *syncOp, m object, h heldAt) (what, waker, mutex string) {
	what = map[opKind]string{opSend: "send on", opRecv: "receive from", opWait: "Wait on"}[op.kind]
	waker = map[opKind]string{opRecv: "sends on or closes", opSend: "receives from", opWait: "calls Done on"}[op.kind]
	mutex = describe(fn, h.path)
	if h.path == "" {
		mutex = describeObject(m)
	}
	return what, waker, mutex
}

func (c *checker) reportCalleeWait(fn *ssa.Function, call *ssa.Call, callee *ssa.Function, op *syncOp, m object, h heldAt, w *syncOp) {
	what, waker, mutex := waitWords(fn, op, m, h)
	c.report(analysis.Diagnostic{
		Pos:      call.Pos(),
		Category: catLock,
		Message: fmt.Sprintf("%s is called while holding %s (locked at line %d) and waits (%s %s, line %d), but every goroutine that %s it locks %s first (%s, line %d): "+
			"neither can proceed; unlock before the call", displayName(callee), mutex, c.line(h.pos), what, describeObject(op.obj), c.line(op.pos),
			waker, mutex, displayName(w.fn()), c.line(w.pos)),
		Related: []analysis.RelatedInformation{
			{Pos: h.pos, Message: "locked here"},
			{Pos: op.pos, Message: "the wait, in the callee"},
			{Pos: w.pos, Message: "the waker, which must lock it first"},
		},
	})
}

func (c *checker) checkLockWait(fn *ssa.Function, op *syncOp, held map[object]heldAt, all []*syncOp) {
	wake := c.blockedWakers(op, all)
	if len(wake) == 0 {
		return
	}
	for m, h := range held {
		if first := c.lockingWaker(fn, op, wake, m, h.read); first != nil {
			c.reportLockWait(fn, op, m, h, first)
			return
		}
	}
}

// blockedWakers returns the operations of all that can end op's wait,
// when op waits for them directly: a Wait, or a send or receive on a
// channel without a buffer (through a buffer, the other side may have
// gone before the lock was taken).
func (c *checker) blockedWakers(op *syncOp, all []*syncOp) []*syncOp {
	if op.kind != opWait && !c.unbuffered(op.obj) {
		return nil
	}
	return wakers(op, all)
}

// lockingWaker returns the first of wake when every one of them runs
// outside fn and op's function and must lock m, in a mode that conflicts
// with a holder in mode heldRead, before it gets there; nil otherwise.
func (c *checker) lockingWaker(fn *ssa.Function, op *syncOp, wake []*syncOp, m object, heldRead bool) *syncOp {
	var first *syncOp
	for _, w := range wake {
		if w.fn() == fn || w.fn() == op.fn() || !c.locksBefore(w, m, heldRead) {
			return nil
		}
		if first == nil || w.pos < first.pos {
			first = w
		}
	}
	return first
}

// unbuffered reports whether the channel object is known to have no
// buffer: every make of it has size 0.
func (c *checker) unbuffered(o object) bool {
	if mk, ok := o.made.(*ssa.MakeChan); ok {
		k, ok := mk.Size.(*ssa.Const)
		return ok && k.Value != nil && k.Value.Kind() == constant.Int && constant.Sign(k.Value) == 0
	}
	fc := c.ownChanField(o)
	return fc != nil && !fc.recvOut && !fc.buffered
}

// locksBefore reports whether the goroutine performing w must lock m (in
// a mode that conflicts with the holder's) before it gets to w: a lock of
// m, direct or through a call, from which w can be reached in w's
// function — or anywhere in it when w is deferred and runs at the end, or
// after w when the function is called in a loop (the next call's w comes
// after it). An unexported function without such a lock of its own needs
// it when every call of it in the package is reached from one.
func (c *checker) locksBefore(w *syncOp, m object, heldRead bool) bool {
	return c.locksBeforeInstr(w.instr, w.deferred, m, heldRead, 0)
}

func (c *checker) locksBeforeInstr(at ssa.Instruction, deferred bool, m object, heldRead bool, depth int) bool {
	g := at.Parent()
	var acq []ssa.Instruction
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			if c.acquires(instr, m, heldRead, 0) {
				acq = append(acq, instr)
			}
		}
	}
	if deferred {
		// A deferred waker runs at the end, after the body and after the
		// calls deferred later (which run first).
		if len(acq) > 0 {
			return true
		}
		for _, b := range g.Blocks {
			for _, instr := range b.Instrs {
				if d, ok := instr.(*ssa.Defer); ok && d != at && instrReaches(at, d) && c.acquiresCall(d.Common(), m, heldRead, 0) {
					return true
				}
			}
		}
	}
	for _, a := range acq {
		if instrReaches(a, at) {
			return true
		}
	}
	calls := c.callsOf(g)
	if len(acq) > 0 && slices.ContainsFunc(calls, func(call *ssa.Call) bool { return program.OnCycle(call.Block()) }) {
		return true
	}
	if depth > 2 || len(calls) == 0 || g.Parent() != nil || g.Object() == nil || g.Object().Exported() || c.startedAsGoroutine(g) {
		return false
	}
	for _, call := range calls {
		if !c.locksBeforeInstr(call, false, m, heldRead, depth+1) {
			return false
		}
	}
	return true
}

// callsOf returns the package's static calls of fn.
func (c *checker) callsOf(fn *ssa.Function) []*ssa.Call {
	if c.calls == nil {
		c.calls = map[*ssa.Function][]*ssa.Call{}
		for _, f := range c.prog.Funcs {
			for _, b := range f.Blocks {
				for _, instr := range b.Instrs {
					if call, ok := instr.(*ssa.Call); ok {
						if callee, _ := c.prog.Callee(call.Common()); callee != nil {
							c.calls[origin(callee)] = append(c.calls[origin(callee)], call)
						}
					}
				}
			}
		}
	}
	return c.calls[fn]
}

// acquires reports whether instr locks m, directly or through a function
// of this package it calls, in a mode that waits for a holder in mode
// heldRead.
func (c *checker) acquires(instr ssa.Instruction, m object, heldRead bool, depth int) bool {
	call, ok := instr.(*ssa.Call)
	if !ok {
		return false
	}
	return c.acquiresCall(call.Common(), m, heldRead, depth)
}

func (c *checker) acquiresCall(common *ssa.CallCommon, m object, heldRead bool, depth int) bool {
	if sc, ok := syncMethod(common); ok {
		waits := sc.method == "Lock" || sc.method == "RLock" && !heldRead
		if !waits {
			return false
		}
		o, ok := objectOf(sc.recv)
		return ok && o == m
	}
	callee, _ := c.prog.Callee(common)
	if callee == nil || callee.Pkg != c.prog.Pkg || depth > 3 {
		return false
	}
	for _, b := range callee.Blocks {
		for _, in := range b.Instrs {
			if c.acquires(in, m, heldRead, depth+1) {
				return true
			}
		}
	}
	return false
}

// instrReaches reports whether to can run after from in their function
// (from itself included).
func instrReaches(from, to ssa.Instruction) bool {
	fb, tb := from.Block(), to.Block()
	if fb != tb {
		return program.Reaches(fb, tb, nil)
	}
	for _, i := range fb.Instrs {
		if i == from {
			return true
		}
		if i == to {
			return program.OnCycle(fb)
		}
	}
	return true
}

func (c *checker) reportLockWait(fn *ssa.Function, op *syncOp, m object, h heldAt, w *syncOp) {
	what, waker, mutex := waitWords(fn, op, m, h)
	c.report(analysis.Diagnostic{
		Pos:      op.pos,
		Category: catLock,
		Message: fmt.Sprintf("%s %s waits while holding %s (locked at line %d), and every goroutine that %s it locks %s first (%s, line %d): "+
			"neither can proceed; unlock before waiting", what, describeObject(op.obj), mutex, c.line(h.pos), waker, mutex,
			displayName(w.fn()), c.line(w.pos)),
		Related: []analysis.RelatedInformation{
			{Pos: h.pos, Message: "locked here"},
			{Pos: w.pos, Message: "the waker, which must lock it first"},
		},
	})
}
