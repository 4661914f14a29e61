package program

import "golang.org/x/tools/go/ssa"

// Reaches reports whether the control-flow graph has a path from from to
// to (from itself included) that does not pass through avoid (nil for
// none; from and to are never avoided).
func Reaches(from, to, avoid *ssa.BasicBlock) bool {
	if from == to {
		return true
	}
	seen := map[*ssa.BasicBlock]bool{from: true}
	stack := []*ssa.BasicBlock{from}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range b.Succs {
			if s == to {
				return true
			}
			if !seen[s] && s != avoid {
				seen[s] = true
				stack = append(stack, s)
			}
		}
	}
	return false
}

// InOneLoop reports whether a and b reach each other: some loop runs
// through both.
func InOneLoop(a, b *ssa.BasicBlock) bool {
	return Reaches(a, b, nil) && Reaches(b, a, nil)
}

// OnCycle reports whether b can reach itself: it is in a loop. A nil
// block is in none.
func OnCycle(b *ssa.BasicBlock) bool {
	if b == nil {
		return false
	}
	for _, s := range b.Succs {
		if Reaches(s, b, nil) {
			return true
		}
	}
	return false
}
