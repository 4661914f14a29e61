package closecheck_test

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/asynclint/asynclint/analyzers/closecheck"
)

func TestLeaks(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), closecheck.Analyzer, "leaks")
}

// Facts travel between packages gob-encoded (go vet, nogo): a summary must
// survive the trip unchanged.
func TestFactGobRoundTrip(t *testing.T) {
	in := &closecheck.Ownership{
		Releases: []int{0},
		Retains:  []int{1, 2},
		Passes:   []closecheck.Passed{{Result: 0, Param: 0}},
		Fresh:    []closecheck.Fresh{{Result: 0, Kind: "body"}, {Result: 1, Kind: ""}},
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(in); err != nil {
		t.Fatal(err)
	}
	out := new(closecheck.Ownership)
	if err := gob.NewDecoder(&buf).Decode(out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip: got %+v, want %+v", out, in)
	}
}

func TestQuiet(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), closecheck.Analyzer, "quiet", "quietmain")
}

// Summaries cross packages as facts: a constructor in one package obliges
// its callers in another, and helpers there release what they are given.
func TestFactsCrossPackages(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), closecheck.Analyzer, "streams", "streamuser")
}

func TestTransportPerCall(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), closecheck.Analyzer, "transport")
}

// Timers are resources only before go1.23.
func TestTimersBeforeGo123(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), closecheck.Analyzer, "timers")
}

func TestDirectives(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), closecheck.Analyzer, "directives")
	// Unscoped ignores that silence nothing here may silence another
	// analyzer's findings: the driver keeps the report only if every
	// analyzer made it, by its category.
	categories := map[string]int{}
	for _, r := range results {
		for _, d := range r.Diagnostics {
			categories[d.Category]++
		}
	}
	if categories["unused-ignore"] != 1 || categories["directive"] != 3 {
		t.Errorf("categories = %v, want 1 unused-ignore (the unscoped stale ignore) and 3 directive", categories)
	}
}

func TestSuggestedFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), closecheck.Analyzer, "fixes")
}

// An exchange SDK and trading code on top of it: its real leaks, and its
// correct idioms quiet.
func TestExchangeShapes(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), closecheck.Analyzer, "exchange")
}

func TestRangeOverFunc(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), closecheck.Analyzer, "rangefunc")
}
