package blockingcall_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/asynclint/asynclint/analyzers/blockingcall"
)

func TestAsyncPaths(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "a")
}

func TestFactsCrossPackages(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "app")
}

func TestNonblocking(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "nonblock")
}

func TestPropagation(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "propagate")
}

func TestSuggestedFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), blockingcall.Analyzer, "fixes")
}

func TestTestingContextFromGo124(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "legacy")
}

func TestDirectives(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "ignore")
}

func TestQuiet(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "quiet")
}
