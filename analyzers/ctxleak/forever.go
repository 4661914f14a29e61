package ctxleak

import "golang.org/x/tools/go/ssa"

func (c *checker) neverReturns(fn *ssa.Function) (bool, string) { return false, "" }
func (c *checker) checkGoroutines()                             {}
