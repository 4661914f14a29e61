package main

// These tests run the asynclint binary, standalone and under go vet,
// on the module in testdata/clidemo:
//
//	feeds  LastPrice calls http.Get without a context
//	app    Handle calls feeds.LastPrice while ctx is in scope (a finding
//	       that needs a fact about feeds); Fetch calls http.NewRequest
//	       while ctx is in scope (a finding with a fix); FetchQuiet is
//	       correct. Its test file makes go/packages analyze app.go twice.
//	clean  nothing to report
//	broken does not type-check

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// binary is the asynclint executable built by TestMain, and
// clitestBinary is the one whose suite includes the clitest analyzer,
// which misbehaves on demand (see clitest.go).
var binary, clitestBinary string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "asynclint-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "asynclint")
	clitestBinary = filepath.Join(dir, "clitest", "asynclint")
	for _, args := range [][]string{
		{"build", "-o", binary, "."},
		{"build", "-tags=asynclint_clitest", "-o", clitestBinary, "."},
	} {
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go %s: %v\n%s", strings.Join(args, " "), err, out)
			return 1
		}
	}
	return m.Run()
}

// demo is the directory of the testdata module.
var demo = filepath.Join("..", "..", "testdata", "clidemo")

type result struct {
	stdout, stderr string
	code           int
}

// command returns a command that runs name in dir, in the module of dir
// whatever go.work files lie around it.
func command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	return cmd
}

// runCmd runs cmd and returns its output and exit status.
func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	if exit, ok := errors.AsType[*exec.ExitError](err); ok {
		res.code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", cmd, err)
	}
	t.Logf("%s (in %s): exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(cmd.Args, " "), cmd.Dir, res.code, res.stdout, res.stderr)
	return res
}

func asynclint(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runCmd(t, command(dir, binary, args...))
}

// goVet runs go vet -vettool=asynclint in dir. The go command caches vet
// results, including the output, keyed by package but not by whether
// the package was vetted for its facts only (as a dependency, printing
// nothing) or for diagnostics: a fresh cache ensures every package is
// analyzed.
func goVet(t *testing.T, dir string, args ...string) result {
	t.Helper()
	vet := command(dir, "go", append([]string{"vet", "-vettool=" + binary}, args...)...)
	vet.Env = append(vet.Env, "GOCACHE="+t.TempDir())
	return runCmd(t, vet)
}

// A report is a diagnostic as file:line (without the column) and message,
// followed by its related positions and messages in the same form.
type report string

// findingLine matches the lines of text output. asynclint indents the
// lines of related positions; go vet indents their messages.
var findingLine = regexp.MustCompile(`(?m)^(\t?)([^\s:][^:]*):(\d+):\d+: (\t?)(.*)$`)

// parseText returns the findings printed by asynclint or go vet.
func parseText(out string) []report {
	var findings []report
	for _, m := range findingLine.FindAllStringSubmatch(out, -1) {
		line := fmt.Sprintf("%s:%s: %s", filepath.ToSlash(m[2]), m[3], m[5])
		if m[1] != "" || m[4] != "" {
			if len(findings) > 0 {
				findings[len(findings)-1] += report("\n\t" + line)
			}
			continue
		}
		findings = append(findings, report(line))
	}
	slices.Sort(findings)
	return findings
}

// The JSON schema of go vet -json.
type (
	vetTree map[string]map[string]json.RawMessage

	vetDiagnostic struct {
		Posn           string
		Message        string
		SuggestedFixes []vetFix `json:"suggested_fixes"`
		Related        []struct{ Posn, Message string }
	}

	vetFix struct {
		Message string
		Edits   []struct {
			Filename   string
			Start, End int
			New        string
		}
	}
)

// parseJSON returns the diagnostics of go vet -json output, and fails
// the test on an entry that is an error.
func parseJSON(t *testing.T, out string) []vetDiagnostic {
	t.Helper()
	var all []vetDiagnostic
	for _, diags := range jsonDiagnostics(t, out) {
		all = append(all, diags...)
	}
	return all
}

// jsonDiagnostics yields the analyzer name and diagnostics of each
// entry of go vet -json output (asynclint's or go vet's), and fails the
// test on invalid output or an entry that is an error.
func jsonDiagnostics(t *testing.T, out string) iter.Seq2[string, []vetDiagnostic] {
	t.Helper()
	return func(yield func(string, []vetDiagnostic) bool) {
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() { // go vet -json prints one tree per package
			var tree vetTree
			if err := dec.Decode(&tree); err != nil {
				t.Fatalf("invalid JSON output: %v", err)
			}
			for id, analyzers := range tree {
				for name, raw := range analyzers {
					var diags []vetDiagnostic
					if err := json.Unmarshal(raw, &diags); err != nil {
						t.Errorf("%s: %s: not a list of diagnostics: %s", id, name, raw)
						continue
					}
					if !yield(name, diags) {
						return
					}
				}
			}
		}
	}
}

// relPosn turns an absolute file:line:col position into file:line,
// relative to dir.
func relPosn(t *testing.T, dir, posn string) string {
	t.Helper()
	m := regexp.MustCompile(`^(.*):(\d+):\d+$`).FindStringSubmatch(posn)
	if m == nil {
		t.Fatalf("bad position %q", posn)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(abs, m[1])
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel) + ":" + m[2]
}

func jsonFindings(t *testing.T, dir string, diags []vetDiagnostic) []report {
	var findings []report
	for _, d := range diags {
		f := relPosn(t, dir, d.Posn) + ": " + d.Message
		for _, rel := range d.Related {
			f += "\n\t" + relPosn(t, dir, rel.Posn) + ": " + rel.Message
		}
		findings = append(findings, report(f))
	}
	slices.Sort(findings)
	return findings
}

// lineOf returns file:line of the first line of the file (relative to
// demo) that contains substr, so that tests do not hard-code lines.
func lineOf(t *testing.T, file, substr string) string {
	t.Helper()
	return lineIn(t, demo, file, substr)
}

// lineIn returns file:line of the first line of file (relative to dir)
// that contains substr.
func lineIn(t *testing.T, dir, file, substr string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, substr) {
			return fmt.Sprintf("%s:%d", file, i+1)
		}
	}
	t.Fatalf("%s has no line containing %q", file, substr)
	return ""
}

// An expectation is a finding that must be reported: at posn
// (file:line), with a message that contains substr.
type expectation struct {
	posn, substr string
}

// Once the blockingcall analyzer is in place, asynclint reports these
// findings in ./app and ./feeds.
func demoExpectations(t *testing.T) (lastPrice, newRequest expectation) {
	lastPrice = expectation{
		lineOf(t, "app/app.go", "feeds.LastPrice(sym)"),
		"feeds.LastPrice blocks without a context (feeds.LastPrice → net/http.Get)",
	}
	newRequest = expectation{
		lineOf(t, "app/app.go", "http.NewRequest("),
		"http.NewRequest blocks without a context while ctx is in scope",
	}
	return
}

// checkFindings checks that findings are exactly those expected,
// each reported once.
func checkFindings(t *testing.T, findings []report, want ...expectation) {
	t.Helper()
	matched := make([]int, len(want))
	for _, f := range findings {
		primary, _, _ := strings.Cut(string(f), "\n")
		i := slices.IndexFunc(want, func(e expectation) bool {
			return strings.HasPrefix(primary, e.posn+": ") && strings.Contains(primary, e.substr)
		})
		if i < 0 {
			t.Errorf("unexpected finding: %s", f)
			continue
		}
		matched[i]++
	}
	for i, e := range want {
		if matched[i] != 1 {
			t.Errorf("finding at %s containing %q reported %d times, want once", e.posn, e.substr, matched[i])
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	res := asynclint(t, demo, "./app", "./feeds")
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d", res.code, exitFindings)
	}
	checkFindings(t, parseText(res.stderr), pair(demoExpectations(t))...)
}

func pair(x, y expectation) []expectation { return []expectation{x, y} }

func TestJSON(t *testing.T) {
	t.Parallel()
	res := asynclint(t, demo, "-json", "./app", "./feeds")
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d", res.code, exitFindings)
	}
	diags := parseJSON(t, res.stdout)
	checkFindings(t, jsonFindings(t, demo, diags), pair(demoExpectations(t))...)

	// The fix of the http.NewRequest finding threads ctx through.
	_, newRequest := demoExpectations(t)
	i := slices.IndexFunc(diags, func(d vetDiagnostic) bool {
		return strings.Contains(d.Message, newRequest.substr)
	})
	if i < 0 {
		return // reported above
	}
	if len(diags[i].SuggestedFixes) == 0 {
		t.Fatalf("%s: no suggested fix", newRequest.posn)
	}
	fix := diags[i].SuggestedFixes[0]
	src, err := os.ReadFile(filepath.Join(demo, "app", "app.go"))
	if err != nil {
		t.Fatal(err)
	}
	for j := len(fix.Edits) - 1; j >= 0; j-- { // edits are sorted; apply from the end
		e := fix.Edits[j]
		src = slices.Concat(src[:e.Start], []byte(e.New), src[e.End:])
	}
	if want := `req, err := http.NewRequestWithContext(ctx, "GET", url, nil)`; !bytes.Contains(src, []byte(want)) {
		t.Errorf("fix %q does not produce %s:\n%s", fix.Message, want, src)
	}
}

// TestVet checks that go vet -vettool=asynclint reports what asynclint
// reports standalone, facts about feeds included.
func TestVet(t *testing.T) {
	t.Parallel()
	standalone := parseText(asynclint(t, demo, "./app", "./feeds").stderr)

	res := goVet(t, demo, "./app", "./feeds")
	if res.code == 0 {
		t.Errorf("go vet exited 0, want non-zero")
	}
	vetted := parseText(res.stderr)
	checkFindings(t, vetted, pair(demoExpectations(t))...)
	if !slices.Equal(vetted, standalone) {
		t.Errorf("go vet findings differ from standalone\ngo vet:\n%s\nstandalone:\n%s", join(vetted), join(standalone))
	}
}

func join(findings []report) string {
	var b strings.Builder
	for _, f := range findings {
		fmt.Fprintf(&b, "%s\n", f)
	}
	return b.String()
}

func TestDiff(t *testing.T) {
	t.Parallel()
	dir := copyDemo(t)
	res := asynclint(t, dir, "-diff", "./app", "./feeds")
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d", res.code, exitFindings)
	}
	want := "--- app/app.go.orig\n+++ app/app.go\n"
	if !strings.HasPrefix(res.stdout, want) {
		t.Errorf("diff does not start with %q", want)
	}
	for _, line := range []string{
		"-\treq, err := http.NewRequest(\"GET\", url, nil)\n",
		"+\treq, err := http.NewRequestWithContext(ctx, \"GET\", url, nil)\n",
	} {
		if !strings.Contains(res.stdout, line) {
			t.Errorf("diff lacks line %q", line)
		}
	}
	checkUnchanged(t, dir)

	// The diff applies to the file as -fix would.
	if _, err := exec.LookPath("patch"); err == nil {
		patch := command(dir, "patch", "-p0")
		patch.Stdin = strings.NewReader(res.stdout)
		if res := runCmd(t, patch); res.code != 0 {
			t.Fatalf("patch failed")
		}
		fixed := copyDemo(t)
		asynclint(t, fixed, "-fix", "./app", "./feeds")
		patched, _ := os.ReadFile(filepath.Join(dir, "app", "app.go"))
		want, _ := os.ReadFile(filepath.Join(fixed, "app", "app.go"))
		if !bytes.Equal(patched, want) {
			t.Errorf("patched file differs from fixed file:\n%s\nwant:\n%s", patched, want)
		}
	}
}

func TestFix(t *testing.T) {
	t.Parallel()
	lastPrice, newRequest := demoExpectations(t)
	dir := copyDemo(t)

	// LastPrice has no fix: -fix leaves it, and says so.
	res := asynclint(t, dir, "-fix", "./app", "./feeds")
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d (a finding was not fixed)", res.code, exitFindings)
	}
	checkFindings(t, parseText(res.stderr), lastPrice)
	src, err := os.ReadFile(filepath.Join(dir, "app", "app.go"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\treq, err := http.NewRequestWithContext(ctx, \"GET\", url, nil)\n"; !bytes.Contains(src, []byte(want)) {
		t.Errorf("app.go after -fix lacks %q:\n%s", want, src)
	}

	res = asynclint(t, dir, "./app", "./feeds")
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d", res.code, exitFindings)
	}
	checkFindings(t, parseText(res.stderr), lastPrice)

	// Fixing every finding of a package exits 0, and leaves nothing to report.
	writeFile(t, filepath.Join(dir, "fetch", "fetch.go"), fetchGo)
	res = asynclint(t, dir, "./fetch")
	if res.code != exitFindings {
		t.Errorf("before -fix: exit status %d, want %d", res.code, exitFindings)
	}
	checkFindings(t, parseText(res.stderr), expectation{"fetch/fetch.go:11", newRequest.substr})
	if res := asynclint(t, dir, "-fix", "./fetch"); res.code != exitClean {
		t.Errorf("-fix: exit status %d, want %d (every finding was fixed)", res.code, exitClean)
	}
	if res := asynclint(t, dir, "./fetch"); res.code != exitClean {
		t.Errorf("after -fix: exit status %d, want %d", res.code, exitClean)
	}
}

// fetchGo is a package whose only finding has a fix.
const fetchGo = `package fetch

import (
	"context"
	"net/http"
)

// Fetch builds its request without ctx.
func Fetch(ctx context.Context, c *http.Client, url string) error {
	// The finding is on the next line, line 11.
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
`

func TestExplain(t *testing.T) {
	t.Parallel()
	for _, a := range suite {
		res := asynclint(t, demo, "-explain", a.Name)
		if res.code != exitClean {
			t.Errorf("-explain %s: exit status %d, want %d", a.Name, res.code, exitClean)
		}
		if want := explainText(a); res.stdout != want || !strings.HasPrefix(res.stdout, strings.TrimSpace(a.Doc)) {
			t.Errorf("-explain %s printed:\n%s\nwant:\n%s", a.Name, res.stdout, want)
		}
	}

	res := asynclint(t, demo, "-explain", "nosuch")
	if res.code != exitError {
		t.Errorf("-explain nosuch: exit status %d, want %d", res.code, exitError)
	}
	for _, a := range suite {
		if !strings.Contains(res.stderr, a.Name) {
			t.Errorf("-explain nosuch: error does not list analyzer %s", a.Name)
		}
	}
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name   string
		args   []string
		code   int
		stderr string // regexp that must match standard error
	}{
		{"clean", []string{"./clean"}, exitClean, `^$`},
		{"type error", []string{"./broken"}, exitError, `(?m)^broken/broken\.go:\d+:\d+: cannot use "s"`},
		{"unknown flag", []string{"-nosuch", "./clean"}, exitError, `-nosuch`},
		{"no packages matched", []string{"example.com/clidemo/nosuch/..."}, exitError, `matched no packages`},
		{"no such directory", []string{"./nosuch"}, exitError, `nosuch`},
		{"no patterns", nil, exitError, `Usage`},
		{"-json with -fix", []string{"-json", "-fix", "./clean"}, exitError, `-json`},
		{"analyzer disabled", []string{"-" + suite[0].Name + "=false", "./app"}, exitClean, `^$`},
		{"help", []string{"-help"}, exitClean, `Usage`},
	} {
		t.Run(test.name, func(t *testing.T) {
			t.Parallel()
			res := asynclint(t, demo, test.args...)
			if res.code != test.code {
				t.Errorf("exit status %d, want %d", res.code, test.code)
			}
			if !regexp.MustCompile(test.stderr).MatchString(res.stderr) {
				t.Errorf("stderr does not match %q", test.stderr)
			}
		})
	}
}

// TestBrokenAmongOthers checks that a package that does not type-check
// does not stop the analysis of the others.
func TestBrokenAmongOthers(t *testing.T) {
	t.Parallel()
	res := asynclint(t, demo, "./broken", "./app", "./feeds")
	if res.code != exitError {
		t.Errorf("exit status %d, want %d", res.code, exitError)
	}
	typeError := regexp.MustCompile(`(?m)^broken/broken\.go:\d+:\d+: .*\n`)
	if !typeError.MatchString(res.stderr) {
		t.Errorf("stderr lacks the type error of broken")
	}
	checkFindings(t, parseText(typeError.ReplaceAllString(res.stderr, "")), pair(demoExpectations(t))...)
}

// TestAnalyzerFlags checks that each analyzer flag is accepted as
// -NAME.FLAG, standalone and by go vet (through -flags).
func TestAnalyzerFlags(t *testing.T) {
	t.Parallel()
	res := asynclint(t, demo, "-flags")
	if res.code != 0 {
		t.Fatalf("-flags: exit status %d", res.code)
	}
	type jsonFlag struct {
		Name  string
		Bool  bool
		Usage string
	}
	var flags []jsonFlag
	if err := json.Unmarshal([]byte(res.stdout), &flags); err != nil {
		t.Fatalf("-flags printed invalid JSON: %v", err)
	}
	want := []string{"V", "flags", "json"}
	for _, a := range suite {
		want = append(want, a.Name)
		a.Flags.VisitAll(func(f *flag.Flag) { want = append(want, a.Name+"."+f.Name) })
	}
	for _, name := range want {
		if !slices.ContainsFunc(flags, func(f jsonFlag) bool { return f.Name == name }) {
			t.Errorf("-flags lacks %s", name)
		}
	}

	// Setting every flag to its default changes nothing.
	var args []string
	for _, a := range suite {
		a.Flags.VisitAll(func(f *flag.Flag) {
			args = append(args, fmt.Sprintf("-%s.%s=%s", a.Name, f.Name, f.DefValue))
		})
	}
	if res := asynclint(t, demo, append(args, "./clean")...); res.code != exitClean {
		t.Errorf("exit status %d, want %d", res.code, exitClean)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	res := asynclint(t, demo, "-V=full")
	if res.code != 0 {
		t.Errorf("-V=full: exit status %d", res.code)
	}
	// The go command identifies the tool, for its cache, by the
	// buildID of a line of the form "NAME version devel ... buildID=ID".
	fields := strings.Fields(res.stdout)
	if len(fields) < 4 || filepath.Base(fields[0]) != "asynclint" || fields[1] != "version" || fields[2] != "devel" ||
		!strings.HasPrefix(fields[len(fields)-1], "buildID=") {
		t.Errorf("-V=full printed %q, want \"asynclint version devel ... buildID=...\"", res.stdout)
	}
}

// TestVetTypeError checks that a package that does not type-check
// fails go vet with its position.
func TestVetTypeError(t *testing.T) {
	t.Parallel()
	res := goVet(t, demo, "./broken")
	if res.code == 0 {
		t.Errorf("go vet exited 0, want non-zero")
	}
	if !regexp.MustCompile(`(?m)^broken/broken\.go:\d+:\d+: `).MatchString(res.stderr) {
		t.Errorf("stderr lacks the type error of broken")
	}
}

// TestAnalyzerFailure checks that an analyzer that panics or fails
// on a package is reported, with the package, and does not stop the
// analysis of the other packages.
func TestAnalyzerFailure(t *testing.T) {
	t.Parallel()
	dir := copyDemo(t)
	writeFile(t, filepath.Join(dir, "failing", "panics", "panics.go"), "package panics\n\n//clitest:panic\n")
	writeFile(t, filepath.Join(dir, "failing", "fails", "fails.go"), "package fails\n\n//clitest:error\n")
	writeFile(t, filepath.Join(dir, "failing", "fine", "fine.go"), "package fine\n\n//clitest:overlap\n")

	res := runCmd(t, command(dir, clitestBinary, "./failing/..."))
	if res.code != exitError {
		t.Errorf("exit status %d, want %d", res.code, exitError)
	}
	for _, want := range []string{
		"example.com/clidemo/failing/panics: analyzer clitest failed: panic: clitest: told to panic\n",
		"example.com/clidemo/failing/fails: analyzer clitest failed: clitest: told to fail\n",
		"failing/fine/fine.go:3:1: overlap: // fixed once\n",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}

	res = runCmd(t, command(dir, clitestBinary, "-json", "./failing/..."))
	if res.code != exitError {
		t.Errorf("-json: exit status %d, want %d", res.code, exitError)
	}
	var tree map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(res.stdout), &tree); err != nil {
		t.Fatalf("-json: invalid JSON: %v", err)
	}
	for pkg, want := range map[string]string{
		"example.com/clidemo/failing/panics": `{"error":"panic: clitest: told to panic`,
		"example.com/clidemo/failing/fails":  `{"error":"clitest: told to fail"}`,
		"example.com/clidemo/failing/fine":   `[{"posn":`,
	} {
		var buf bytes.Buffer
		json.Compact(&buf, tree[pkg]["clitest"])
		if !strings.HasPrefix(buf.String(), want) {
			t.Errorf("-json: %s: clitest: got %s, want %s...", pkg, buf.String(), want)
		}
	}
}

// TestFixConflicts checks that -fix skips a fix that overlaps another,
// and does not write a file that the fixes would make invalid.
func TestFixConflicts(t *testing.T) {
	t.Parallel()
	dir := copyDemo(t)
	overlap := filepath.Join(dir, "fixes", "overlap.go")
	invalid := filepath.Join(dir, "fixes", "invalid.go")
	writeFile(t, overlap, "package fixes\n\n//clitest:overlap\nvar X int\n")
	writeFile(t, invalid, "package fixes\n\n//clitest:invalid\nvar Y int\n")

	res := runCmd(t, command(dir, clitestBinary, "-diff", "./fixes"))
	if res.code != exitFindings {
		t.Errorf("-diff: exit status %d, want %d", res.code, exitFindings)
	}
	want := "--- fixes/overlap.go.orig\n+++ fixes/overlap.go\n@@ -1,4 +1,4 @@\n package fixes\n \n-//clitest:overlap\n+// fixed once\n var X int\n"
	if res.stdout != want {
		t.Errorf("-diff printed:\n%s\nwant:\n%s", res.stdout, want)
	}
	checkUnchanged(t, dir)

	res = runCmd(t, command(dir, clitestBinary, "-fix", "./fixes"))
	if res.code != exitFindings {
		t.Errorf("-fix: exit status %d, want %d", res.code, exitFindings)
	}
	for _, want := range []string{
		`fixes/overlap.go:3:2: warning: skipping fix "replace with // fixed twice": it overlaps the fix for fixes/overlap.go:3:1`,
		"not fixing fixes/invalid.go: the fixes would make it invalid Go",
		"fixes/overlap.go:3:2: overlap: // fixed twice\n",
		"fixes/invalid.go:3:1: invalid\n",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("-fix: stderr lacks %q", want)
		}
	}
	if got, want := string(mustRead(t, overlap)), "package fixes\n\n// fixed once\nvar X int\n"; got != want {
		t.Errorf("overlap.go after -fix:\n%s\nwant:\n%s", got, want)
	}
	if got, want := string(mustRead(t, invalid)), "package fixes\n\n//clitest:invalid\nvar Y int\n"; got != want {
		t.Errorf("invalid.go after -fix:\n%s\nwant:\n%s", got, want)
	}

	// A file that gofmt would change is fixed but not formatted.
	unformatted := filepath.Join(dir, "unformatted", "unformatted.go")
	writeFile(t, unformatted, "package unformatted\n\n//clitest:overlap\nvar   Z   int\n")
	runCmd(t, command(dir, clitestBinary, "-fix", "./unformatted"))
	if got, want := string(mustRead(t, unformatted)), "package unformatted\n\n// fixed once\nvar   Z   int\n"; got != want {
		t.Errorf("unformatted.go after -fix:\n%s\nwant:\n%s", got, want)
	}
}

// copyDemo returns a copy of the testdata module, to be modified.
func copyDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(demo)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkUnchanged checks that the files of the copy of the module in
// dir are those of the module.
func checkUnchanged(t *testing.T, dir string) {
	t.Helper()
	err := fs.WalkDir(os.DirFS(demo), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !bytes.Equal(mustRead(t, filepath.Join(demo, path)), mustRead(t, filepath.Join(dir, path))) {
			t.Errorf("%s was modified", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0666); err != nil {
		t.Fatal(err)
	}
}

// TestUnusedIgnoreAcrossAnalyzers checks that an unscoped ignore is
// reported as unused only when no analyzer of the run used it.
func TestUnusedIgnoreAcrossAnalyzers(t *testing.T) {
	t.Parallel()
	dir := copyDemo(t)
	const stale = "package ignores\n\nfunc f() {\n\t_ = 1 //asynclint:ignore nothing blocks here\n}\n"
	writeFile(t, filepath.Join(dir, "ignores", "stale", "stale.go"), stale)
	writeFile(t, filepath.Join(dir, "ignores", "used", "used.go"), "//clitest:ignores\n\n"+stale)

	res := runCmd(t, command(dir, clitestBinary, "./ignores/..."))
	const msg = "//asynclint:ignore suppresses no finding: remove it"
	if got := strings.Count(res.stderr, msg); got != 1 || !strings.Contains(res.stderr, "stale.go:4:8: "+msg) {
		t.Errorf("want one unused-ignore report, in stale.go; got %d", got)
	}
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d", res.code, exitFindings)
	}
}
