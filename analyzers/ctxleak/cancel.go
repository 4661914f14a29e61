package ctxleak

import "golang.org/x/tools/go/ssa"

func (c *checker) cancelledParams(fn *ssa.Function) []int { return nil }
func (c *checker) cancelResults(fn *ssa.Function) []int   { return nil }
func (c *checker) checkCancels()                          {}
func (c *checker) checkTimers()                           {}
