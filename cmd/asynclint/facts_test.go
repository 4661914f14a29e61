package main

// These tests check what running the analyzers one package at a time
// in separate processes (go vet, nogo, Bazel, a golangci plugin)
// depends on: facts that survive gob encoding and are encoded the same
// way every time, so that build caches keyed by content hit, and
// findings that do not depend on facts about the standard library,
// which nogo does not compute.
//
// They run the driver in process on testdata/facts, where lib exports
// a fact of each kind and app has findings that need them, and code
// whose findings would change if the analyzers relied on knowing which
// standard-library functions never return.

import (
	"bytes"
	"cmp"
	"encoding/gob"
	"fmt"
	"go/token"
	"go/types"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/types/objectpath"

	"github.com/asynclint/asynclint/cmd/asynclint/internal/driver"
)

const factsModule = "testdata/facts"

// ownAnalyzers returns asynclint's own analyzers, which export facts.
func ownAnalyzers(t *testing.T) []*analysis.Analyzer {
	var own []*analysis.Analyzer
	for _, a := range suite {
		if ours(a) {
			own = append(own, a)
		}
	}
	if len(own) < 3 {
		t.Fatalf("found %d of asynclint's analyzers in the suite", len(own))
	}
	return own
}

// gobFact is a fact as unitchecker encodes it (internal/facts.gobFact):
// the package, the object's path within it, and the fact.
type gobFact struct {
	PkgPath string
	Object  objectpath.Path
	Fact    analysis.Fact
}

// factRecorder wraps analyzers so that, after each pass, the facts it
// exported about its own package's objects are encoded as unitchecker
// encodes them: sorted by object path and type, gob-encoded.
type factRecorder struct {
	mu      sync.Mutex
	encoded map[string][]byte // by analyzer and package ID
	facts   map[string][]gobFact
	errs    []error
}

func (r *factRecorder) wrap(a *analysis.Analyzer) *analysis.Analyzer {
	w := *a
	w.Run = func(pass *analysis.Pass) (any, error) {
		res, err := a.Run(pass)
		if err == nil {
			r.record(a.Name, pass)
		}
		return res, err
	}
	return &w
}

func (r *factRecorder) record(name string, pass *analysis.Pass) {
	var facts []gobFact
	for _, f := range pass.AllObjectFacts() {
		if f.Object.Pkg() != pass.Pkg {
			continue
		}
		path, err := objectpath.For(f.Object)
		if err != nil {
			continue // not reachable from the package's API: unitchecker drops it too
		}
		facts = append(facts, gobFact{pass.Pkg.Path(), path, f.Fact})
	}
	for _, f := range pass.AllPackageFacts() {
		if f.Package == pass.Pkg {
			facts = append(facts, gobFact{pass.Pkg.Path(), "", f.Fact})
		}
	}
	slices.SortStableFunc(facts, func(x, y gobFact) int {
		return cmp.Or(
			cmp.Compare(x.Object, y.Object),
			cmp.Compare(reflect.TypeOf(x.Fact).String(), reflect.TypeOf(y.Fact).String()))
	})
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(facts)

	r.mu.Lock()
	defer r.mu.Unlock()
	key := name + " " + pass.Pkg.Path()
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: cannot gob-encode facts: %v", key, err))
	}
	r.encoded[key] = buf.Bytes()
	r.facts[key] = facts
}

// runRecording analyses the facts module and returns the encoded facts.
func runRecording(t *testing.T, analyzers []*analysis.Analyzer) *factRecorder {
	t.Helper()
	r := &factRecorder{encoded: make(map[string][]byte), facts: make(map[string][]gobFact)}
	var wrapped []*analysis.Analyzer
	for _, a := range analyzers {
		wrapped = append(wrapped, r.wrap(a))
	}
	runDriver(t, wrapped)
	for _, err := range r.errs {
		t.Error(err)
	}
	return r
}

func runDriver(t *testing.T, analyzers []*analysis.Analyzer) *driver.Result {
	t.Helper()
	res, err := driver.Run(t.Context(), driver.Config{Dir: factsModule, Tests: true, Env: []string{"GOWORK=off"}}, analyzers, "./...")
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range res.All() {
		for _, e := range pkg.Errors {
			t.Errorf("%s: %v", pkg.ID, e)
		}
		for a, err := range pkg.Failures {
			t.Errorf("%s: %s failed: %v", pkg.ID, a.Name, err)
		}
	}
	return res
}

// TestFactsDeterministic analyses the facts module twice and checks that
// every analyzer encodes the facts of every package to the same bytes,
// that the facts survive decoding, and that they are gob-encodable in
// full (no unexported fields that gob would silently drop).
func TestFactsDeterministic(t *testing.T) {
	own := ownAnalyzers(t)
	for _, a := range own {
		for _, f := range a.FactTypes {
			gob.Register(f)
			if bad := unexportedFields(reflect.TypeOf(f)); len(bad) > 0 {
				t.Errorf("%s: fact %T has fields gob does not encode: %s", a.Name, f, strings.Join(bad, ", "))
			}
		}
	}
	first := runRecording(t, own)
	second := runRecording(t, own)

	withFacts := make(map[string]bool)
	for key, data := range first.encoded {
		name, pkg, _ := strings.Cut(key, " ")
		if strings.HasPrefix(pkg, "example.com/facts/") && len(first.facts[key]) > 0 {
			withFacts[name] = true
		}
		if other, ok := second.encoded[key]; !ok {
			t.Errorf("%s: facts encoded in one run only", key)
		} else if !bytes.Equal(data, other) {
			t.Errorf("%s: facts encode differently from one run to the next:\n%s\nthen:\n%s", key, describe(first.facts[key]), describe(second.facts[key]))
		}

		var decoded []gobFact
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&decoded); err != nil {
			t.Errorf("%s: cannot decode facts: %v", key, err)
			continue
		}
		var again bytes.Buffer
		if err := gob.NewEncoder(&again).Encode(decoded); err != nil || !bytes.Equal(again.Bytes(), data) {
			t.Errorf("%s: facts change when decoded and encoded again (%v):\n%s\nthen:\n%s", key, err, describe(first.facts[key]), describe(decoded))
		}
	}
	for _, a := range own {
		if !withFacts[a.Name] {
			t.Errorf("%s exported no facts about testdata/facts: the test proves nothing for it", a.Name)
		}
	}
}

func describe(facts []gobFact) string {
	var b strings.Builder
	for _, f := range facts {
		fmt.Fprintf(&b, "\t%s %s: %+v\n", f.PkgPath, f.Object, f.Fact)
	}
	return b.String()
}

// unexportedFields returns the unexported fields reachable from a fact
// type, which gob ignores.
func unexportedFields(t reflect.Type) []string {
	var bad []string
	seen := make(map[reflect.Type]bool)
	var visit func(t reflect.Type, path string)
	visit = func(t reflect.Type, path string) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			visit(t.Elem(), path)
		case reflect.Map:
			visit(t.Key(), path+"[key]")
			visit(t.Elem(), path+"[]")
		case reflect.Struct:
			if t.Implements(reflect.TypeFor[gob.GobEncoder]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[gob.GobEncoder]()) {
				return
			}
			for f := range t.Fields() {
				if !f.IsExported() {
					bad = append(bad, path+"."+f.Name)
					continue
				}
				visit(f.Type, path+"."+f.Name)
			}
		}
	}
	visit(t, t.String())
	return bad
}

// stdPackages returns the import paths of the standard library.
func stdPackages(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "list", "std").Output()
	if err != nil {
		t.Fatal(err)
	}
	std := make(map[string]bool)
	for _, path := range strings.Fields(string(out)) {
		std[path] = true
	}
	return std
}

// withoutStdFacts makes the analyzers, and those they require, export
// no facts about standard-library packages, as under nogo, which
// analyses only the packages of the build: it analyses them as usual
// but drops what they export. It returns a function that undoes this.
//
// The analyzers are changed in place, because they find the results of
// the analyzers they require (ctrlflow) by pointer: the test must not
// run in parallel with others that run them in process.
func withoutStdFacts(analyzers []*analysis.Analyzer, std map[string]bool) (restore func()) {
	var undo []func()
	seen := make(map[*analysis.Analyzer]bool)
	var wrap func(a *analysis.Analyzer)
	wrap = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		for _, req := range a.Requires {
			wrap(req)
		}
		run := a.Run
		undo = append(undo, func() { a.Run = run })
		a.Run = func(pass *analysis.Pass) (any, error) {
			if !std[pass.Pkg.Path()] {
				return run(pass)
			}
			p := *pass
			p.ExportObjectFact = func(types.Object, analysis.Fact) {}
			p.ExportPackageFact = func(analysis.Fact) {}
			return run(&p)
		}
	}
	for _, a := range analyzers {
		wrap(a)
	}
	return func() {
		for _, f := range undo {
			f()
		}
	}
}

// TestWithoutStdFacts checks that the findings are the same whether or
// not the standard library's packages export facts: what the analyzers
// know of it must come from their catalogs.
func TestWithoutStdFacts(t *testing.T) {
	own := ownAnalyzers(t)
	std := stdPackages(t)
	if !slices.ContainsFunc(own, func(a *analysis.Analyzer) bool { return slices.Contains(a.Requires, ctrlflow.Analyzer) }) {
		t.Log("no analyzer requires ctrlflow any longer")
	}
	with := findingsOf(runDriver(t, own))
	restore := withoutStdFacts(own, std)
	without := findingsOf(runDriver(t, own))
	restore()

	if len(with) == 0 {
		t.Fatal("no findings in testdata/facts")
	}
	seen := make(map[string]bool)
	check := func(f, only string) {
		for _, known := range knownStdFactDependence {
			if strings.HasPrefix(f, known) {
				seen[known] = true
				t.Logf("known dependence on standard-library facts: found only %s them:\n%s", only, f)
				return
			}
		}
		t.Errorf("found only %s facts about the standard library:\n%s", only, f)
	}
	for _, f := range with {
		if !slices.Contains(without, f) {
			check(f, "with")
		}
	}
	for _, f := range without {
		if !slices.Contains(with, f) {
			check(f, "without")
		}
	}
	for _, known := range knownStdFactDependence {
		if !seen[known] {
			t.Errorf("%s no longer depends on facts about the standard library: remove it from knownStdFactDependence", known)
		}
	}
}

// knownStdFactDependence lists the findings of testdata/facts known to
// differ without facts about the standard library, by analyzer and
// position. The analyzers know the standard library's functions that
// never return from the catalog (catalog.NoReturn); what they cannot know
// without ctrlflow's facts is that a function of another package that
// calls one (lib.Die, which calls log.Fatal) does not return either: under
// nogo, ctrlflow computes that fact from the standard library's, which
// nogo does not compute.
var knownStdFactDependence = []string{
	"closecheck: app/app.go:73:", // Status: lib.Die, which calls log.Fatal
}

// findingsOf returns the findings of a run as analyzer: file:line:col:
// message, with related positions, sorted.
func findingsOf(res *driver.Result) []string {
	var out []string
	posn := func(pos token.Pos) string {
		p := res.Fset.Position(pos)
		p.Filename = p.Filename[strings.LastIndex(p.Filename, "/facts/")+len("/facts/"):]
		return p.String()
	}
	for _, f := range collect(res, 3) {
		s := fmt.Sprintf("%s: %s: %s", f.analyzer.Name, posn(f.diag.Pos), f.diag.Message)
		for _, rel := range f.diag.Related {
			s += fmt.Sprintf("\n\t%s: %s", posn(rel.Pos), rel.Message)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
