package driver_test

import (
	"context"
	"errors"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/asynclint/asynclint/analyzers/blockingcall"
	"github.com/asynclint/asynclint/cmd/asynclint/internal/driver"
)

var suite = []*analysis.Analyzer{blockingcall.Analyzer}

func testdataMod(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("testdata", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// run runs the driver and returns its findings, failing the test on
// package errors or analyzer failures.
func run(t *testing.T, cfg driver.Config, patterns ...string) []string {
	return runWith(t, suite, cfg, patterns...)
}

func runWith(t *testing.T, suite []*analysis.Analyzer, cfg driver.Config, patterns ...string) []string {
	t.Helper()
	res, err := driver.Run(t.Context(), cfg, suite, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range res.All() {
		for _, err := range pkg.Errors {
			t.Errorf("%s: %s: %s", pkg.ID, err.Pos, err.Msg)
		}
		for a, err := range pkg.Failures {
			t.Errorf("%s: %s failed: %v", pkg.ID, a.Name, err)
		}
	}
	var found []string
	for _, pkg := range res.Packages {
		for _, diags := range pkg.Diagnostics {
			found = append(found, format(res.Fset, diags)...)
		}
	}
	return unique(found)
}

// runChecker returns what the checker package finds on the same
// packages loaded with all their syntax.
func runChecker(t *testing.T, dir string, tests bool, patterns ...string) []string {
	return runCheckerWith(t, suite, dir, tests, patterns...)
}

func runCheckerWith(t *testing.T, suite []*analysis.Analyzer, dir string, tests bool, patterns ...string) []string {
	t.Helper()
	pkgs, err := packages.Load(&packages.Config{
		Context: t.Context(),
		Mode:    packages.LoadAllSyntax | packages.NeedModule,
		Dir:     dir,
		Tests:   tests,
	}, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	graph, err := checker.Analyze(suite, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, act := range graph.Roots {
		if act.Err != nil {
			t.Errorf("checker: %s: %v", act, act.Err)
		}
		found = append(found, format(act.Package.Fset, act.Diagnostics)...)
	}
	return unique(found)
}

func format(fset *token.FileSet, diags []analysis.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		out = append(out, fset.Position(d.Pos).String()+": "+d.Message)
	}
	return out
}

// unique sorts findings and removes those that a test variant repeats.
func unique(found []string) []string {
	slices.Sort(found)
	return slices.Compact(found)
}

func TestCrossPackageFacts(t *testing.T) {
	dir := testdataMod(t)
	got := run(t, driver.Config{Dir: dir}, "./app", "./feeds")
	const want = "feeds.LastPrice blocks without a context (feeds.LastPrice → net/http.Get)"
	if !slices.ContainsFunc(got, func(f string) bool {
		return strings.HasPrefix(f, filepath.Join(dir, "app", "app.go")+":") && strings.Contains(f, want)
	}) {
		t.Errorf("no finding in app/app.go containing %q; found:\n%s", want, strings.Join(got, "\n"))
	}
	if want := runChecker(t, dir, false, "./app", "./feeds"); !slices.Equal(got, want) {
		t.Errorf("driver and checker differ\ndriver:\n%s\nchecker:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTestVariants(t *testing.T) {
	dir := testdataMod(t)
	got := run(t, driver.Config{Dir: dir, Tests: true}, "./app", "./feeds")
	if want := runChecker(t, dir, true, "./app", "./feeds"); !slices.Equal(got, want) {
		t.Errorf("driver and checker differ\ndriver:\n%s\nchecker:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	const want = "feeds_test.go:9:2: feeds.LastPrice blocks without a context"
	if !slices.ContainsFunc(got, func(f string) bool { return strings.Contains(f, want) }) {
		t.Errorf("no finding containing %q; found:\n%s", want, strings.Join(got, "\n"))
	}
}

func TestTypeError(t *testing.T) {
	res, err := driver.Run(t.Context(), driver.Config{Dir: testdataMod(t)}, suite, "./broken")
	if err != nil {
		t.Fatal(err)
	}
	pkg := res.Packages[0]
	if !pkg.IllTyped || len(pkg.Errors) != 1 {
		t.Fatalf("got IllTyped=%t and errors %v; want one type error", pkg.IllTyped, pkg.Errors)
	}
	e := pkg.Errors[0]
	if e.Kind != packages.TypeError || !strings.HasSuffix(e.Pos, filepath.Join("broken", "broken.go")+":5:9") {
		t.Errorf("got %v error at %q; want a type error at broken/broken.go:5:9", e.Kind, e.Pos)
	}
	if err := pkg.Failures[blockingcall.Analyzer]; err != driver.ErrIllTyped {
		t.Errorf("blockingcall failure: got %v, want %v", err, driver.ErrIllTyped)
	}
}

func TestNoMatch(t *testing.T) {
	dir := testdataMod(t)
	if res, err := driver.Run(t.Context(), driver.Config{Dir: dir}, suite, "example.com/none/..."); err == nil {
		t.Errorf("pattern matching no package: got %d packages and no error", len(res.Packages))
	}
	res, err := driver.Run(t.Context(), driver.Config{Dir: dir}, suite, "./none")
	if err != nil {
		t.Fatal(err)
	}
	if errs := res.Packages[0].Errors; len(errs) == 0 {
		t.Errorf("directory that does not exist: no error")
	}
}

// TestRepository compares the driver with the checker package on the
// packages of this repository, tests included: the same type errors,
// and the same findings in the packages that type-check.
func TestRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("loads all of the repository from source")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const pattern = "github.com/asynclint/asynclint/..."

	res, err := driver.Run(t.Context(), driver.Config{Dir: dir, Tests: true}, suite, pattern)
	if err != nil {
		t.Fatal(err)
	}
	var gotErrs []string
	for pkg := range res.All() {
		for _, err := range pkg.Errors {
			gotErrs = append(gotErrs, err.Pos+": "+err.Msg)
		}
	}
	// Findings are compared only where the checker package analyses:
	// in roots that, like all their dependencies, type-check.
	clean := make(map[string]bool)
	var got []string
	for _, pkg := range res.Packages {
		if !dependsOnIllTyped(pkg) {
			clean[pkg.ID] = true
			for _, diags := range pkg.Diagnostics {
				got = append(got, format(res.Fset, diags)...)
			}
		}
		for a, err := range pkg.Failures {
			if err != driver.ErrIllTyped {
				t.Errorf("%s: %s failed: %v", pkg.ID, a.Name, err)
			}
		}
	}

	pkgs, err := packages.Load(&packages.Config{
		Context: t.Context(),
		Mode:    packages.LoadAllSyntax | packages.NeedModule,
		Dir:     dir,
		Tests:   true,
	}, pattern)
	if err != nil {
		t.Fatal(err)
	}
	var wantErrs []string
	for pkg := range packages.Postorder(pkgs) {
		for _, err := range pkg.Errors {
			wantErrs = append(wantErrs, err.Pos+": "+err.Msg)
		}
	}
	graph, err := checker.Analyze(suite, pkgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, act := range graph.Roots {
		if clean[act.Package.ID] {
			want = append(want, format(act.Package.Fset, act.Diagnostics)...)
		}
	}

	if gotErrs, wantErrs := unique(gotErrs), unique(wantErrs); !slices.Equal(gotErrs, wantErrs) {
		t.Errorf("driver and go/packages find different errors\ndriver:\n%s\ngo/packages:\n%s", strings.Join(gotErrs, "\n"), strings.Join(wantErrs, "\n"))
	}
	if got, want := unique(got), unique(want); !slices.Equal(got, want) {
		t.Errorf("driver and checker differ\ndriver:\n%s\nchecker:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	t.Logf("%d findings in %d of %d roots", len(unique(got)), len(clean), len(res.Packages))
}

func dependsOnIllTyped(pkg *driver.Package) bool {
	seen := make(map[*driver.Package]bool)
	var visit func(p *driver.Package) bool
	visit = func(p *driver.Package) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		if p.IllTyped {
			return true
		}
		for _, imp := range p.Imports {
			if visit(imp) {
				return true
			}
		}
		return false
	}
	return visit(pkg)
}

// TestStdFacts compares the driver with the checker package where
// facts about the standard library matter: ctrlflow's facts say that
// log.Fatal and t.Skip do not return, so nothing after them blocks.
func TestStdFacts(t *testing.T) {
	if testing.Short() {
		t.Skip("the checker needs the standard library from source")
	}
	dir := testdataMod(t)
	want := runChecker(t, dir, true, "./exits")
	for _, sourceStd := range []bool{false, true} {
		got := run(t, driver.Config{Dir: dir, Tests: true, SourceStd: sourceStd}, "./exits")
		if !slices.Equal(got, want) {
			t.Errorf("SourceStd=%t: driver and checker differ\ndriver:\n%s\nchecker:\n%s", sourceStd, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// A mark is a fact about anything.
type mark struct{}

func (*mark) AFact() {}

// factsAnalyzer marks every package and every object declared at
// package level, methods and fields included, and reports which marks
// of the testdata module it sees from each package, so that the
// driver's visibility of facts can be compared with the checker's.
var factsAnalyzer = &analysis.Analyzer{
	Name:      "facts",
	Doc:       "report the facts visible in each package",
	FactTypes: []analysis.Fact{new(mark)},
	Run: func(pass *analysis.Pass) (any, error) {
		local := func(pkg *types.Package) bool {
			return pkg != nil && strings.HasPrefix(pkg.Path(), "example.com/")
		}
		if !local(pass.Pkg) || len(pass.Files) == 0 {
			return nil, nil
		}
		export := func(obj types.Object) {
			if obj.Pkg() == pass.Pkg {
				pass.ExportObjectFact(obj, new(mark))
			}
		}
		pass.ExportPackageFact(new(mark))
		scope := pass.Pkg.Scope()
		for _, name := range scope.Names() {
			obj := scope.Lookup(name)
			export(obj)
			if named, ok := obj.Type().(*types.Named); ok {
				for m := range named.Methods() {
					export(m)
				}
				if st, ok := named.Underlying().(*types.Struct); ok {
					for f := range st.Fields() {
						export(f)
					}
				}
			}
		}
		pos := pass.Files[0].Package
		for _, f := range pass.AllObjectFacts() {
			if local(f.Object.Pkg()) {
				pass.Reportf(pos, "sees %s", f.Object)
			}
		}
		for _, f := range pass.AllPackageFacts() {
			if local(f.Package) {
				pass.Reportf(pos, "sees package %s", f.Package.Path())
			}
		}
		for id, obj := range pass.TypesInfo.Uses {
			if local(obj.Pkg()) && pass.ImportObjectFact(obj, new(mark)) {
				pass.Reportf(id.Pos(), "imports %s", obj)
			}
		}
		return nil, nil
	},
}

func TestFactVisibility(t *testing.T) {
	if testing.Short() {
		t.Skip("the checker needs every dependency from source")
	}
	dir := testdataMod(t)
	suite := []*analysis.Analyzer{factsAnalyzer}
	got := runWith(t, suite, driver.Config{Dir: dir}, "./app")
	want := runCheckerWith(t, suite, dir, false, "./app")
	if !slices.Equal(got, want) {
		t.Errorf("driver and checker differ\ndriver:\n%s\nchecker:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without an object of wire in its API, feeds would hide wire
	// from app altogether: the test would prove little.
	if !slices.ContainsFunc(got, func(f string) bool { return strings.Contains(f, "imports func (*example.com/mod/wire.Conn).Send") }) {
		t.Errorf("app does not see the fact about (*wire.Conn).Send:\n%s", strings.Join(got, "\n"))
	}
}

// TestPanic checks that an analyzer that panics fails on the package
// where it panicked, and on the importers that needed its facts.
func TestPanic(t *testing.T) {
	panicky := &analysis.Analyzer{
		Name:      "panicky",
		Doc:       "panic in package feeds",
		FactTypes: []analysis.Fact{new(mark)},
		Run: func(pass *analysis.Pass) (any, error) {
			if pass.Pkg.Name() == "feeds" {
				panic("told to panic")
			}
			return nil, nil
		},
	}
	res, err := driver.Run(t.Context(), driver.Config{Dir: testdataMod(t)}, []*analysis.Analyzer{panicky}, "./app")
	if err != nil {
		t.Fatal(err)
	}
	app := res.Packages[0]
	feeds := app.Imports["example.com/mod/feeds"]
	if err := feeds.Failures[panicky]; err == nil || !strings.Contains(err.Error(), "panic: told to panic") {
		t.Errorf("feeds: got failure %v, want the panic", err)
	}
	if err := app.Failures[panicky]; !errors.Is(err, driver.ErrPrerequisite) {
		t.Errorf("app: got failure %v, want one wrapping ErrPrerequisite", err)
	}
	if wire := feeds.Imports["example.com/mod/wire"]; wire.Failures != nil {
		t.Errorf("wire: got failures %v, want none", wire.Failures)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := driver.Run(ctx, driver.Config{Dir: testdataMod(t)}, suite, "./app"); !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want %v", err, context.Canceled)
	}
}
