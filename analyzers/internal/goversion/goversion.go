// Package goversion answers the version questions the analyzers ask of the
// code under analysis: which Go a file is built for, and whether its timers
// behave as they did before Go 1.23.
package goversion

import (
	"go/token"
	"strings"

	"go/version"
	"golang.org/x/tools/go/analysis"
)

// Of returns the Go version of the file holding pos ("go1.22"), falling
// back to the package's when the driver sets no per-file versions, and ""
// when neither is known.
func Of(pass *analysis.Pass, pos token.Pos) string {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			if v := pass.TypesInfo.FileVersions[f]; v != "" {
				return v
			}
			break
		}
	}
	return pass.Pkg.GoVersion()
}

// AtLeast reports whether the file holding pos is built for Go v or later.
// An unknown version counts as the newest: the checks that depend on it
// assume today's semantics rather than guess at old ones.
func AtLeast(pass *analysis.Pass, pos token.Pos, v string) bool {
	got := Of(pass, pos)
	return got == "" || version.Compare(got, v) >= 0
}

// OldTimers reports whether timers at pos behave as before Go 1.23: an
// unstopped Ticker or an unfired time.After timer is not collected until it
// fires (for a Ticker, never). That is so in files built for an older Go,
// and in packages that ask for it with //go:debug asynctimerchan=1.
func OldTimers(pass *analysis.Pass, pos token.Pos) bool {
	if AsyncTimerChan(pass) {
		return true
	}
	v := Of(pass, pos)
	return v != "" && version.Compare(v, "go1.23") < 0
}

// AsyncTimerChan reports whether a file of the package sets
// //go:debug asynctimerchan=1.
func AsyncTimerChan(pass *analysis.Pass) bool {
	for _, f := range pass.Files {
		for _, cg := range f.Comments {
			for _, cm := range cg.List {
				if strings.HasPrefix(cm.Text, "//go:debug") && strings.Contains(cm.Text, "asynctimerchan=1") {
					return true
				}
			}
		}
	}
	return false
}
