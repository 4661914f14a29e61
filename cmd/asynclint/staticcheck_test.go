package main

// These tests run the bundled staticcheck checks on the module in
// testdata/sademo:
//
//	sa       one instance of each bug the checks report (SA2002's in
//	         the test file); Go 1.22, so time.Tick leaks and ctxleak
//	         reports it and the Add inside the goroutine as well
//	ignored  the same bugs, each silenced by a different directive,
//	         and ignores that silence nothing
//	fixes    nil contexts, in a file that imports context and in one
//	         that does not

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var sademo = filepath.Join("testdata", "sademo")

// saWant is, for each bundled check, the line of package sa it reports
// and a part of its message.
var saWant = map[string]expectation{
	"SA1012": {"sa/sa.go:wait(nil)", "do not pass a nil Context"},
	"SA1015": {"sa/sa.go:time.Tick(", "using time.Tick leaks the underlying ticker"},
	"SA2000": {"sa/sa.go:wg.Add(1)", "should call wg.Add(1) before starting the goroutine"},
	"SA2001": {"sa/sa.go:mu.Unlock()", "empty critical section"},
	"SA2002": {"sa/sa_test.go:go func()", "the goroutine calls T.FailNow"},
	"SA2003": {"sa/sa.go:defer mu.Lock()", "deferring Lock right after having locked already"},
}

// wantAt resolves the position of e, given as file:substring.
func wantAt(t *testing.T, e expectation) expectation {
	file, substr, _ := strings.Cut(e.posn, ":")
	return expectation{lineIn(t, sademo, file, substr), e.substr}
}

// byAnalyzer returns the findings of -json output (asynclint's or go
// vet's) by analyzer name, as file:line: message.
func byAnalyzer(t *testing.T, out string) map[string][]report {
	t.Helper()
	found := make(map[string][]report)
	for name, diags := range jsonDiagnostics(t, out) {
		for _, f := range jsonFindings(t, sademo, diags) {
			if !slices.Contains(found[name], f) { // sa and its test variant
				found[name] = append(found[name], f)
			}
		}
	}
	return found
}

// checkChecks checks that exactly the checks named in want report, each
// its finding of package sa.
func checkChecks(t *testing.T, found map[string][]report, want ...string) {
	t.Helper()
	for _, name := range want {
		checkFindings(t, found[name], wantAt(t, saWant[name]))
	}
	for name := range found {
		if strings.HasPrefix(name, "SA") && !slices.Contains(want, name) {
			t.Errorf("%s reported %s, want nothing", name, join(found[name]))
		}
	}
}

// TestStaticcheckFires checks that each bundled check reports its bug,
// under its staticcheck name, standalone and under go vet.
func TestStaticcheckFires(t *testing.T) {
	t.Parallel()
	all := slices.Sorted(maps.Keys(saWant))

	// ctxleak reports two of the bugs too, and its findings win.
	res := asynclint(t, sademo, "-json", "-ctxleak=false", "./sa")
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d", res.code, exitFindings)
	}
	checkChecks(t, byAnalyzer(t, res.stdout), all...)

	res = goVet(t, sademo, "-json", "./sa")
	found := byAnalyzer(t, res.stdout)
	checkChecks(t, found, all...)
	// Under go vet nothing removes the bundled checks' repeats of
	// ctxleak's findings.
	if len(found["ctxleak"]) != 2 {
		t.Errorf("go vet: ctxleak reported %d findings, want 2 (timer, waitgroup):\n%s", len(found["ctxleak"]), join(found["ctxleak"]))
	}
}

// TestStaticcheckRepeats checks that a finding of a bundled check is
// left out where ctxleak reports the same bug on the same line.
func TestStaticcheckRepeats(t *testing.T) {
	t.Parallel()
	res := asynclint(t, sademo, "-json", "./sa")
	found := byAnalyzer(t, res.stdout)
	checkChecks(t, found, "SA1012", "SA2001", "SA2002", "SA2003")
	checkFindings(t, found["ctxleak"],
		expectation{wantAt(t, saWant["SA1015"]).posn, "time.Tick's ticker can never be stopped"},
		expectation{wantAt(t, saWant["SA2000"]).posn, "wg.Add is called inside the goroutine it counts"})
}

// TestStaticcheckFlags checks -staticcheck=false and -SA… in both modes.
func TestStaticcheckFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-staticcheck=false"}, nil},
		{[]string{"-SA2001"}, []string{"SA2001"}},
		{[]string{"-SA2001=false", "-SA2003=false", "-ctxleak=false"}, []string{"SA1012", "SA1015", "SA2000", "SA2002"}},
		{[]string{"-staticcheck=false", "-SA2001=false"}, nil},
	} {
		args := append(append([]string{"-json"}, tc.args...), "./sa")
		checkChecks(t, byAnalyzer(t, asynclint(t, sademo, args...).stdout), tc.want...)

		res := goVet(t, sademo, args...)
		if strings.Contains(res.stderr, "flag provided but not defined") {
			t.Errorf("go vet %s: %s", strings.Join(tc.args, " "), res.stderr)
		}
		checkChecks(t, byAnalyzer(t, res.stdout), tc.want...)
	}
}

// TestStaticcheckIgnores checks the directives that silence the bundled
// checks: //lint:ignore and //lint:file-ignore as staticcheck reads
// them, //asynclint:ignore unscoped or scoped to the check, and //nolint.
func TestStaticcheckIgnores(t *testing.T) {
	t.Parallel()
	const file = "ignored/ignored.go"
	res := asynclint(t, sademo, "./ignored")
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d", res.code, exitFindings)
	}
	const unused = "//asynclint:ignore suppresses no finding: remove it"
	checkFindings(t, parseText(res.stderr),
		// //lint:ignore is staticcheck's: ctxleak does not read it.
		expectation{lineIn(t, sademo, file, "wg.Add(1)"), "wg.Add is called inside the goroutine it counts"},
		// An ignore scoped to SA2003 leaves SA2001 alone.
		expectation{lineIn(t, sademo, file, "not the check that reports here"), "empty critical section"},
		expectation{lineIn(t, sademo, file, "not the check that reports here"), unused},
		expectation{lineIn(t, sademo, file, "nothing to suppress"), unused})

	// With only the checks, //lint:ignore silences SA2000, and the
	// unscoped ignore SA1012 used is not stale.
	res = asynclint(t, sademo, "-ctxleak=false", "-blockingcall=false", "-closecheck=false", "./ignored")
	if got := parseText(res.stderr); len(got) != 3 {
		t.Errorf("with only the bundled checks, got %d findings, want 3:\n%s", len(got), join(got))
	}
}

func TestStaticcheckFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"-staticcheck=false", "x.cfg"}, false},
		{[]string{"--staticcheck=0", "-staticcheck", "x.cfg"}, true},
		{[]string{"-json", "-staticcheck=f", "x.cfg"}, false},
		{[]string{"x.cfg", "-staticcheck=false"}, true},
	} {
		if got := staticcheckFlag(tc.args); got != tc.want {
			t.Errorf("staticcheckFlag(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

// TestStaticcheckFixes checks that SA1012's fix (context.TODO()) is
// offered only in a file that imports package context.
func TestStaticcheckFixes(t *testing.T) {
	t.Parallel()
	res := asynclint(t, sademo, "-json", "-SA1012", "./fixes")
	diags := parseJSON(t, res.stdout)
	if len(diags) != 2 {
		t.Fatalf("got %d findings, want 2", len(diags))
	}
	for _, d := range diags {
		withImport := strings.Contains(d.Posn, "wait.go")
		if got := len(d.SuggestedFixes) > 0; got != withImport {
			t.Errorf("%s: fixes offered %v, want %v", d.Posn, got, withImport)
		}
	}
}
