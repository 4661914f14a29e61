package ctxleak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/obligation"
	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// strandedSenders reports the goroutines whose blocking send can wait
// forever because the parent, the only receiver, may return first.
func (c *checker) strandedSenders(f *chanFlow, name string) {
	if n, ok := chanCap(f.mk); !ok || n != 0 {
		return // a buffer: too hard to count senders against it
	}
	senders := map[*ssa.Go][]*chanOp{}
	recvs := map[ssa.Instruction][]int{}
	for _, op := range f.ops {
		switch op.kind {
		case chSend:
			if op.g == nil {
				return // the parent sends too
			}
			if op.blocking {
				senders[op.g] = append(senders[op.g], op)
			}
		case chRecv:
			if op.g != nil || op.fn() != f.parent {
				return // someone else may drain it
			}
			recvs[op.instr] = append(recvs[op.instr], op.state)
		case chClose:
			if op.g == nil {
				return
			}
		}
	}
	if len(senders) == 0 || len(recvs) == 0 {
		return
	}
	// many: more than one send to receive; endless: a number of sends
	// not known here (senders started in a loop, sends in a loop).
	many, endless := len(senders) > 1, false
	// looping: the go statements that start many senders of this channel.
	// (A loop that makes a channel for each sender it starts has one
	// sender per channel.)
	looping := map[*ssa.Go]bool{}
	for g, ops := range senders {
		if program.OnCycle(g.Block()) && !program.InOneLoop(g.Block(), f.mk.Block()) {
			looping[g] = true
			// A loop that starts a sender and receives from it each
			// time round pairs them: its go statement is checked on its
			// own.
			many = true
			paired := false
			for instr := range recvs {
				paired = paired || program.InOneLoop(g.Block(), instr.Block())
			}
			endless = endless || !paired
		}
		for _, op := range ops {
			if program.OnCycle(op.instr.Block()) {
				many, endless = true, true
			}
		}
	}
	var recvBlocks []*ssa.BasicBlock
	for instr := range recvs {
		recvBlocks = append(recvBlocks, instr.Block())
	}
	// recvLoop reports, once per block for all the searches below, whether
	// b is in a loop that receives from the channel (and does not make it).
	inRecvLoop := map[*ssa.BasicBlock]bool{}
	recvLoop := func(b *ssa.BasicBlock) bool {
		in, ok := inRecvLoop[b]
		if !ok {
			mb := f.mk.Block()
			in = slices.ContainsFunc(recvBlocks, func(rb *ssa.BasicBlock) bool {
				return program.Reaches(b, rb, mb) && program.Reaches(rb, b, mb)
			})
			inRecvLoop[b] = in
		}
		return in
	}
	met := func(instr ssa.Instruction) bool {
		_, ok := recvs[instr]
		_, isSel := instr.(*ssa.Select)
		return ok && !isSel || chFailing(instr)
	}
	void := func(b *ssa.BasicBlock, succ int) bool {
		if sel, k, ok := chanSelectEdge(b); ok && succ == 0 {
			for _, st := range recvs[sel] {
				if st == k {
					return true
				}
			}
			// The case of a channel the same goroutines answer on.
			if k < len(sel.States) && sel.States[k].Dir == types.RecvOnly {
				fed := true
				for g := range senders {
					fed = fed && f.fedBy(sel.States[k].Chan, g)
				}
				if fed {
					return true
				}
			}
		}
		if chanClosedEdge(b, succ, f.vals) {
			return true // the channel closed: its senders are done
		}
		return endless && chanLoopExit(b, succ, recvLoop, f.vals, f.mk.Block())
	}

	// From each go statement: the parent receives before it returns.
	var exit ssa.Instruction
	var path []*ssa.BasicBlock
	for _, g := range f.gos {
		if len(senders[g]) == 0 {
			continue
		}
		if exit, path = chEscape(g, met, void); exit != nil {
			break
		}
	}
	// With senders beyond counting, from each receive: the parent
	// receives again, runs its receiving loop to the end or starts a new
	// sender (whose go statement is checked on its own).
	if exit == nil && endless {
		metOrSpawn := func(instr ssa.Instruction) bool {
			if g, ok := instr.(*ssa.Go); ok && len(senders[g]) > 0 {
				return true
			}
			return met(instr)
		}
		// A receive outside the receiving loops (the acceptor's, after
		// the clients') is counted by them; without a loop, each receive
		// must be followed by another (the first answer wins).
		looped := false
		for _, rb := range recvBlocks {
			looped = looped || program.OnCycle(rb)
		}
		for instr := range recvs {
			if looped && !program.OnCycle(instr.Block()) {
				continue
			}
			if exit, path = chEscape(instr, metOrSpawn, void); exit != nil {
				break
			}
		}
	}
	if exit == nil {
		return
	}
	c.reportStranded(f, name, senders, many, looping, exit, path)
}

func (c *checker) reportStranded(f *chanFlow, name string, senders map[*ssa.Go][]*chanOp, many bool,
	looping map[*ssa.Go]bool, exit ssa.Instruction, path []*ssa.BasicBlock) {
	exitPos := obligation.ExitPos(exit)
	through, throughPos := c.chanSelectTaken(path)
	done := "a done channel"
	if ctx := chanCtxParam(f.parent); ctx != "" {
		done = ctx + ".Done()"
	}
	how := "returns"
	if through != "" {
		how = "returns through " + through
	}
	elem := "T"
	if ch, ok := f.mk.Type().Underlying().(*types.Chan); ok {
		elem = types.TypeString(ch.Elem(), types.RelativeTo(c.pass.Pkg))
	}
	fname := displayName(f.parent)
	for g, ops := range senders {
		for _, op := range ops {
			d := analysis.Diagnostic{Pos: op.instr.Pos(), Category: catStranded}
			if op.instr.Pos() == token.NoPos {
				d.Pos = g.Pos()
			}
			if many {
				who := "the goroutine started at line %d leaks"
				if looping[g] {
					who = "the goroutines started at line %d leak"
				}
				d.Message = fmt.Sprintf("send on %s blocks forever when %s %s at line %d before receiving every value: "+
					who+"; receive every value before returning, "+
					"buffer %s for every send or send in a select with %s",
					name, fname, how, c.line(exitPos), c.line(g.Pos()), name, done)
			} else {
				d.Message = fmt.Sprintf("send on %s blocks forever when %s %s at line %d first: "+
					"the goroutine started at line %d leaks; make %s buffered (make(chan %s, 1)) or send in a select with %s",
					name, fname, how, c.line(exitPos), c.line(g.Pos()), name, elem, done)
				if call := c.chanMakeCall(f.mk.Pos()); call != nil && len(call.Args) == 1 {
					d.SuggestedFixes = []analysis.SuggestedFix{{
						Message:   fmt.Sprintf("make %s buffered", name),
						TextEdits: []analysis.TextEdit{{Pos: call.Rparen, End: call.Rparen, NewText: []byte(", 1")}},
					}}
				}
			}
			d.Related = []analysis.RelatedInformation{{Pos: g.Pos(), Message: "goroutine started here"}}
			if throughPos.IsValid() {
				d.Related = append(d.Related, analysis.RelatedInformation{Pos: throughPos, Message: "the other case taken"})
			}
			if exitPos.IsValid() {
				d.Related = append(d.Related, analysis.RelatedInformation{Pos: exitPos, Message: fname + " returns here"})
			}
			c.report(d)
		}
	}
}

// starvedReceivers reports goroutines whose blocking receive waits for a
// send or close that never comes.
func (c *checker) starvedReceivers(f *chanFlow, name string) {
	if p := f.parent; p.Parent() == nil && p.Name() == "main" && p.Pkg.Pkg.Name() == "main" {
		return // the program ends with main
	}
	sends, closes := 0, 0
	for _, op := range f.ops {
		switch op.kind {
		case chSend:
			sends++
		case chClose:
			closes++
		}
	}
	if closes > 0 {
		return
	}
	for _, op := range f.ops {
		if op.kind != chRecv || op.g == nil || !op.blocking {
			continue
		}
		d := analysis.Diagnostic{Pos: op.instr.Pos(), Category: catStranded}
		d.Related = []analysis.RelatedInformation{{Pos: op.g.Pos(), Message: "goroutine started here"}}
		if sends == 0 {
			d.Message = fmt.Sprintf("receive from %s blocks forever: nothing sends on or closes %s, "+
				"so the goroutine started at line %d leaks; close %s when the goroutine should stop",
				name, name, c.line(op.g.Pos()), name)
			c.report(d)
			continue
		}
		u, ok := op.instr.(*ssa.UnOp)
		if !ok || !u.CommaOk || !program.OnCycle(u.Block()) || !chanRangeOnly(u) {
			continue
		}
		exit, _ := chEscape(op.g, func(ssa.Instruction) bool { return false }, nil)
		if exit == nil {
			continue
		}
		exitPos := obligation.ExitPos(exit)
		d.Message = fmt.Sprintf("range over %s never ends: nothing closes %s, so the goroutine started at line %d "+
			"blocks forever once %s returns at line %d; close %s after the last send",
			name, name, c.line(op.g.Pos()), displayName(f.parent), c.line(exitPos), name)
		if exitPos.IsValid() {
			d.Related = append(d.Related, analysis.RelatedInformation{Pos: exitPos, Message: "returns here"})
		}
		c.report(d)
	}
}

// chanRangeOnly reports whether the loop receiving with u (v, ok := <-ch) is
// left only when the channel is closed.
func chanRangeOnly(u *ssa.UnOp) bool {
	// The edges on which ok is false end the loop normally.
	void := func(b *ssa.BasicBlock, succ int) bool { return closedRecv(b, succ) == u }
	exit, _ := chEscape(u, func(ssa.Instruction) bool { return false }, void)
	return exit == nil
}

// chanSelectEdge reports whether b ends in the test of which case a select
// took: the true edge (succ 0) is case k's.
func chanSelectEdge(b *ssa.BasicBlock) (*ssa.Select, int, bool) {
	if len(b.Instrs) == 0 {
		return nil, 0, false
	}
	ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil, 0, false
	}
	cmp, ok := ifi.Cond.(*ssa.BinOp)
	if !ok || cmp.Op != token.EQL {
		return nil, 0, false
	}
	e, ok := cmp.X.(*ssa.Extract)
	if !ok || e.Index != 0 {
		return nil, 0, false
	}
	sel, ok := e.Tuple.(*ssa.Select)
	if !ok {
		return nil, 0, false
	}
	k, ok := cmp.Y.(*ssa.Const)
	if !ok || k.Value == nil {
		return nil, 0, false
	}
	return sel, int(k.Int64()), true
}

// chanLoopExit reports whether the edge is the normal end of a loop that
// receives from the channel: the loop condition counting iterations, the
// channel found closed, a map or string range running out. recvLoop says
// whether a block is in a loop that receives from the channel.
func chanLoopExit(b *ssa.BasicBlock, succ int, recvLoop func(*ssa.BasicBlock) bool, vals map[ssa.Value]bool, mk *ssa.BasicBlock) bool {
	ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	// Going round a loop that makes the channel again is leaving this
	// channel's loop.
	if !ok || program.Reaches(b.Succs[succ], b, mk) || !recvLoop(b) {
		return false
	}
	cond := ifi.Cond
	if n, ok := cond.(*ssa.UnOp); ok && n.Op == token.NOT {
		cond = n.X
	}
	switch cond := cond.(type) {
	case *ssa.Extract:
		switch t := cond.Tuple.(type) {
		case *ssa.UnOp:
			return t.Op == token.ARROW && vals[t.X] && cond.Index == 1
		case *ssa.Next:
			return cond.Index == 0
		}
	case *ssa.BinOp:
		if _, _, ok := chanSelectEdge(b); ok {
			return false
		}
		basic, ok := cond.X.Type().Underlying().(*types.Basic)
		return ok && basic.Info()&types.IsInteger != 0 && (chanCounter(cond.X) || chanCounter(cond.Y))
	}
	return false
}

// chanCounter reports whether v counts a loop's iterations: a φ-node, or
// one plus or minus a constant.
func chanCounter(v ssa.Value) bool {
	if b, ok := v.(*ssa.BinOp); ok && (b.Op == token.ADD || b.Op == token.SUB) {
		if _, ok := b.Y.(*ssa.Const); ok {
			v = b.X
		}
	}
	_, ok := v.(*ssa.Phi)
	return ok
}

// chanSelectTaken names the receive of the first select case, other than the
// channel's, that the path takes: "ctx.Done()", "time.After(d)".
func (c *checker) chanSelectTaken(path []*ssa.BasicBlock) (string, token.Pos) {
	for i := 0; i+1 < len(path); i++ {
		sel, k, ok := chanSelectEdge(path[i])
		if !ok || path[i].Succs[0] != path[i+1] || k >= len(sel.States) {
			continue
		}
		st := sel.States[k]
		if st.Dir != types.RecvOnly {
			continue
		}
		if u := c.chanRecvExpr(st.Pos); u != nil {
			return types.ExprString(u.X), st.Pos
		}
	}
	return "", token.NoPos
}

// chanRecvExpr returns the receive whose arrow is at pos.
func (c *checker) chanRecvExpr(pos token.Pos) *ast.UnaryExpr {
	for _, n := range c.pathAt(pos) {
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.ARROW && u.OpPos == pos {
			return u
		}
	}
	return nil
}

// chanCtxParam names the function's (or an enclosing function's)
// context.Context parameter.
func chanCtxParam(fn *ssa.Function) string {
	for ; fn != nil; fn = fn.Parent() {
		for _, p := range fn.Params {
			if catalog.IsContext(p.Type()) {
				return p.Name()
			}
		}
	}
	return ""
}

// chEscape finds a path from just after from to a return of its function
// on which no instruction is met, skipping the edges void says; a path
// that comes back to from ends there. It returns the return and the path's
// blocks, or nil.
func chEscape(from ssa.Instruction, met func(ssa.Instruction) bool, void func(*ssa.BasicBlock, int) bool) (ssa.Instruction, []*ssa.BasicBlock) {
	start := from.Block()
	if start == nil {
		return nil, nil
	}
	br := obligation.Unmet(obligation.Obligation{From: from, Met: met, Void: func(b *ssa.BasicBlock, succ int) bool {
		// Back into from's block, a path meets from before any return:
		// it ends there (not a breach, as obligation counts it).
		return b.Succs[succ] == start || void != nil && void(b, succ)
	}})
	if br == nil {
		return nil, nil
	}
	return br.Exit, br.Path
}

// chanClosedEdge reports whether the edge is the one taken when a receive
// from the channel finds it closed (v, ok := <-ch; if ok).
func chanClosedEdge(b *ssa.BasicBlock, succ int, vals map[ssa.Value]bool) bool {
	u := closedRecv(b, succ)
	return u != nil && vals[u.X]
}

// closedRecv returns the receive (v, ok := <-ch) whose ok is false on the
// edge from b to its succ-th successor, or nil.
func closedRecv(b *ssa.BasicBlock, succ int) *ssa.UnOp {
	ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return nil
	}
	cond, closed := ifi.Cond, 1
	if n, ok := cond.(*ssa.UnOp); ok && n.Op == token.NOT {
		cond, closed = n.X, 0
	}
	e, ok := cond.(*ssa.Extract)
	if !ok || e.Index != 1 || succ != closed {
		return nil
	}
	if u, ok := e.Tuple.(*ssa.UnOp); ok && u.Op == token.ARROW {
		return u
	}
	return nil
}

// chFailing reports whether instr fails or skips a test: what it leaves
// behind on that path is not worth a report.
func chFailing(instr ssa.Instruction) bool {
	call, ok := instr.(*ssa.Call)
	if !ok {
		return false
	}
	var fn *types.Func
	if call.Call.IsInvoke() {
		fn = call.Call.Method
	} else if callee := call.Call.StaticCallee(); callee != nil {
		fn, _ = callee.Object().(*types.Func)
	}
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "testing" {
		return false
	}
	switch fn.Name() {
	case "Error", "Errorf", "Fatal", "Fatalf", "Fail", "FailNow", "Skip", "Skipf", "SkipNow":
		return true
	}
	return false
}
