package ctxleak_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/asynclint/asynclint/analyzers/ctxleak"
)

// TestAnalyzer runs the analyzer on each testdata package: its // want
// comments are the findings and facts it must report, and every line
// without one must stay quiet.
func TestAnalyzer(t *testing.T) {
	for name, pkgs := range map[string][]string{
		"goroutines that never stop":         {"forever", "forevermain"},
		"timers, version-aware":              {"timers", "timersnew", "timersdebug"},
		"waits under a lock the waker needs": {"lockwait"},
		"condition variables":                {"cond"},
		"lock order":                         {"lockorder"},
		"the same test written twice":        {"lockcond"},
		"channel fields nothing completes":   {"fieldchan", "servicemain"},
		"lost cancel":                        {"cancel"},
		"cancel facts across packages":       {"cancelfacts", "canceluser"},
		"stranded senders and receivers":     {"chans"},
		"locks":                              {"locks"},
		"lock facts across packages":         {"lockfacts", "lockuser"},
		"wait groups":                        {"waitgroup"},
	} {
		t.Run(name, func(t *testing.T) {
			analysistest.Run(t, analysistest.TestData(), ctxleak.Analyzer, pkgs...)
		})
	}
}

func TestSuggestedFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), ctxleak.Analyzer, "cancelfix", "chansfix")
}
