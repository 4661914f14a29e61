package ctxleak

import "golang.org/x/tools/go/ssa"

// TODO(locks helper): rule 5. Replaced by the real implementation.
func (c *checker) doneParams(fn *ssa.Function) []int { return nil }
func (c *checker) checkWaitGroups()                  {}
