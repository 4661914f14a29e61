// Package obligation answers one question over a function's SSA
// control-flow graph: on every path from an instruction to an exit of its
// function, does one of a set of events happen?
//
// closecheck asks it of an acquired resource (is it released or handed on
// on every path?); the same question, with other events, is "is cancel
// called on every path?" and "is the mutex unlocked on every path?".
//
// Paths end at a Return (an exit that owes), at an event (the obligation is
// met), at a panic or a call that does not return (the program or goroutine
// is going down: deferred calls run, nothing else is owed), and at the
// instruction that created the obligation, reached again round a loop
// before it was met: the next iteration creates a new one while the old is
// still owed. Edges on which the obligation cannot hold, such as the
// err != nil branch after an acquisition, are pruned.
package obligation

import (
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/catalog"
	"github.com/asynclint/asynclint/analyzers/internal/program"
)

// An Obligation is created by one instruction and met by others.
type Obligation struct {
	// From is the instruction that creates the obligation. Paths start
	// just after it.
	From ssa.Instruction
	// Fn, when From is nil, is the function at whose entry the obligation
	// holds: what it owes for a parameter, say.
	Fn *ssa.Function
	// Met reports whether an instruction meets the obligation: a release,
	// a hand-off, a deferred call that will do either.
	Met func(ssa.Instruction) bool
	// Void reports whether the edge from b to its succ-th successor is one
	// on which nothing is owed, such as the branch on which the acquired
	// value is nil. May be nil.
	Void func(b *ssa.BasicBlock, succ int) bool
}

// A Breach is a path on which the obligation is not met.
type Breach struct {
	// Exit is where the path ends: a *ssa.Return, or From itself when
	// the path goes round a loop back to it (Again).
	Exit  ssa.Instruction
	Again bool
	// Path lists the blocks of the path, from From's block to Exit's.
	Path []*ssa.BasicBlock
}

// Unmet returns the shortest path (in blocks) on which o is not met, or nil
// if it is met on every path.
func Unmet(o Obligation) *Breach {
	var start *ssa.BasicBlock
	from := -1
	if o.From == nil {
		if o.Fn == nil || len(o.Fn.Blocks) == 0 {
			return nil
		}
		start = o.Fn.Blocks[0]
	} else {
		start = o.From.Block()
		if start == nil {
			return nil
		}
		for i, instr := range start.Instrs {
			if instr == o.From {
				from = i
				break
			}
		}
		if from < 0 {
			return nil
		}
	}
	fn := start.Parent()

	parent := make([]*ssa.BasicBlock, len(fn.Blocks))
	seen := make([]bool, len(fn.Blocks))
	var queue []*ssa.BasicBlock
	// path reconstructs the blocks from start to b; again: b is start,
	// reached round a loop.
	path := func(b *ssa.BasicBlock, again bool) []*ssa.BasicBlock {
		rev := []*ssa.BasicBlock{b}
		if b != start || again {
			for x := parent[b.Index]; x != nil; x = parent[x.Index] {
				rev = append(rev, x)
				if x == start {
					break
				}
			}
		}
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		return rev
	}
	// scan walks b's instructions from index i: it returns the breach the
	// block ends in, and whether the path goes on to b's successors.
	scan := func(b *ssa.BasicBlock, i int, entered bool) (*Breach, bool) {
		for ; i < len(b.Instrs); i++ {
			instr := b.Instrs[i]
			if entered && o.From != nil && instr == o.From {
				return &Breach{Exit: instr, Again: true, Path: path(b, true)}, false
			}
			if o.Met(instr) {
				return nil, false
			}
			switch instr.(type) {
			case *ssa.Return:
				return &Breach{Exit: instr, Path: path(b, false)}, false
			case *ssa.Panic:
				return nil, false
			}
		}
		return nil, true
	}
	push := func(b *ssa.BasicBlock) {
		for i, s := range b.Succs {
			if o.Void != nil && o.Void(b, i) {
				continue
			}
			if !seen[s.Index] {
				seen[s.Index] = true
				parent[s.Index] = b
				queue = append(queue, s)
			}
		}
	}

	if br, goOn := scan(start, from+1, false); br != nil || !goOn {
		return br
	}
	push(start)
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		br, goOn := scan(b, 0, true)
		if br != nil {
			return br
		}
		if goOn {
			push(b)
		}
	}
	return nil
}

// NilPruner returns a Void function for an obligation held by a value that
// may be nil: the edge out of `if v == nil` or `if v != nil` on which v is
// nil, for v such that held(v), and the edge out of `if err != nil` on which
// err is not nil, for err such that failed(err) — the convention that a call
// returning (T, error) returns no T worth releasing with a non-nil error —
// as well as the edge on which errors.As(err, …) and the other
// catalog.ErrorTests hold.
func NilPruner(held, failed func(ssa.Value) bool) func(*ssa.BasicBlock, int) bool {
	return func(b *ssa.BasicBlock, succ int) bool {
		ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			return false
		}
		if call, ok := ifi.Cond.(*ssa.Call); ok {
			// errors.As(err, &target) holds only for a non-nil err.
			_, fn := program.Callee(&call.Call)
			args := call.Call.Args
			return succ == 0 && failed != nil && fn != nil && len(args) > 0 && failed(args[0]) &&
				catalog.ErrorTests[catalog.Name(fn)]
		}
		cmp, ok := ifi.Cond.(*ssa.BinOp)
		if !ok || (cmp.Op != token.EQL && cmp.Op != token.NEQ) {
			return false
		}
		v := cmp.X
		if !isNil(cmp.Y) {
			if !isNil(cmp.X) {
				return false
			}
			v = cmp.Y
		}
		// nilEdge is the successor taken when v is nil.
		nilEdge := 0
		if cmp.Op == token.NEQ {
			nilEdge = 1
		}
		switch {
		case held != nil && held(v):
			return succ == nilEdge
		case failed != nil && failed(v):
			return succ != nilEdge
		}
		return false
	}
}

func isNil(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.IsNil()
}

// ExitPos returns the position of an exit: the return statement, or for
// the implicit return at the end of a body, its closing brace. NoPos if
// neither is known.
func ExitPos(exit ssa.Instruction) token.Pos {
	if p := exit.Pos(); p.IsValid() {
		return p
	}
	switch s := exit.Parent().Syntax().(type) {
	case *ast.FuncDecl:
		if s.Body != nil {
			return s.Body.Rbrace
		}
	case *ast.FuncLit:
		return s.Body.Rbrace
	}
	return token.NoPos
}
