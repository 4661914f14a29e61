package blockingcall_test

import (
	"bytes"
	"encoding/gob"
	"reflect"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/asynclint/asynclint/analyzers/blockingcall"
)

// TestAnalyzer runs the analyzer on each testdata package: its // want
// comments are the findings and facts it must report, and every line
// without one must stay quiet.
func TestAnalyzer(t *testing.T) {
	for name, pkgs := range map[string][]string{
		"async paths":           {"a"},
		"facts across packages": {"app"},
		"nonblocking":           {"nonblock"},
		"propagation":           {"propagate"},
		"t.Context from go1.24": {"legacy"},
		"directives":            {"ignore"},
		"quiet cases":           {"quiet"},
		"SDK shapes":            {"sdk", "sdkuser"},
		"t.Cleanup":             {"cleanup"},
		"errgroup Wait":         {"grouped"},
	} {
		t.Run(name, func(t *testing.T) {
			analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, pkgs...)
		})
	}
}

func TestSuggestedFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), blockingcall.Analyzer, "fixes")
}

func TestFuncsFlag(t *testing.T) {
	f := blockingcall.Analyzer.Flags.Lookup("funcs")
	if err := f.Value.Set("legacyrpc.Call,(*legacyrpc.Client).Invoke"); err != nil {
		t.Fatal(err)
	}
	defer f.Value.Set("")
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "extra")
}

func TestFuncsFlagRejectsBareNames(t *testing.T) {
	var fs = blockingcall.Analyzer.Flags
	if err := fs.Set("funcs", "Call"); err == nil {
		t.Fatal("-funcs=Call accepted; want an error naming the expected form")
	}
}

// Facts travel between packages gob-encoded (go vet, nogo): a summary must
// survive the trip unchanged.
func TestFactGobRoundTrip(t *testing.T) {
	in := &blockingcall.Blocks{
		NoCtx:     []string{"feeds.LastPrice", "net/http.Get"},
		Any:       []string{"feeds.LastPrice", "net/http.Get"},
		CtxInside: true,
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(in); err != nil {
		t.Fatal(err)
	}
	out := new(blockingcall.Blocks)
	if err := gob.NewDecoder(&buf).Decode(out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip: got %+v, want %+v", out, in)
	}
}
