package blockingcall_test

import (
	"bytes"
	"encoding/gob"
	"reflect"
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

func TestSDKShapes(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "sdk", "sdkuser")
}

func TestTestCleanup(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "cleanup")
}

func TestErrgroupWait(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blockingcall.Analyzer, "grouped")
}
