package main

import (
	"golang.org/x/tools/go/analysis"

	"github.com/asynclint/asynclint/analyzers/blockingcall"
	"github.com/asynclint/asynclint/analyzers/closecheck"
	"github.com/asynclint/asynclint/analyzers/ctxleak"
)

// suite lists the analyzers asynclint runs, standalone and under go vet.
// Each analyzer's Name is also the prefix of its flags on the command
// line, so names must stay stable once released. The bundled staticcheck
// checks (staticcheck.go) keep their staticcheck names, such as SA2000.
var suite = append([]*analysis.Analyzer{
	blockingcall.Analyzer,
	closecheck.Analyzer,
	ctxleak.Analyzer,
}, staticcheckSuite...)
