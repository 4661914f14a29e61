package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// A synthetic kernel: declarations, methods, nested literals, go and defer
// statements with and without wrappers.
const kernelSrc = `package main

import (
	"sync"
	"time"
)

func init() {
	register("Toy1", Toy1)
}

type box_toy1 struct {
	mu sync.Mutex
	ch chan int
}

func (b *box_toy1) run() {
	b.mu.Lock()
	b.ch <- 1
}

func (b box_toy1) peek() int { return len(b.ch) }

func (b *box_toy1) helper() {
	b.mu.Lock() // line 25
}

func worker_toy1(b *box_toy1) {
	b.helper()
}

func Toy1() {
	b := &box_toy1{ch: make(chan int)}
	defer func() { // Toy1.func1
		time.Sleep(time.Millisecond)
	}()
	go func() { // Toy1.func2
		func() { // Toy1.func2.1
			<-b.ch // line 39
		}()
		go func() { // Toy1.func2.2
			b.ch <- 2 // line 42
		}()
	}()
	go b.run()          // Toy1.gowrap1
	go worker_toy1(b)   // Toy1.gowrap2, line 46
	defer b.mu.Unlock() // Toy1.deferwrap3
	x := func() {}      // Toy1.func3
	x()
}
`

// go and defer statements share one wrapper counter; "defer func(){...}()"
// and "go func(){...}()" call literals without parameters and are not
// wrapped.

const casesSrc = "package runtime_test\n\nfunc TestX() {\n" +
	"\tgokerTestCases := []testCase{\n" +
	"\t\tmakeFlakyTest(\"Toy1\",\n" +
	"\t\t\t`Toy1\\.func2\\.2\\(.* \\[chan send\\]`,\n" +
	"\t\t\t`\\(\\*box_toy1\\)\\.run\\(.* \\[sync\\.(RW)?Mutex\\.Lock\\]`,\n" +
	"\t\t\t`worker_toy1\\(.* \\[sync\\.Mutex\\.Lock\\]`,\n" +
	"\t\t),\n" +
	"\t\t// makeTest(testCase{name: \"Toy2\"},\n" +
	"\t\t// \t`Toy2\\.gowrap1\\(.* \\[chan send\\]`),\n" +
	"\t\tmakeTest(\"Toy3\"),\n" +
	"\t}\n}\n"

func TestNames(t *testing.T) {
	k, err := parseKernel("toy1/toy1.go", []byte(kernelSrc))
	if err != nil {
		t.Fatal(err)
	}
	if k.name != "Toy1" {
		t.Errorf("registered name = %q", k.name)
	}
	want := []string{
		"(*box_toy1).helper", "(*box_toy1).run", "Toy1",
		"Toy1.deferwrap3", "Toy1.func1", "Toy1.func2", "Toy1.func2.1", "Toy1.func2.2", "Toy1.func3",
		"Toy1.gowrap1", "Toy1.gowrap2", "box_toy1.peek", "init.0", "worker_toy1",
	}
	if got := k.names(); !reflect.DeepEqual(got, want) {
		t.Errorf("names:\n got %q\nwant %q", got, want)
	}
	// Toy1.gowrap2 wraps go worker_toy1(b).
	if got := k.byNm["Toy1.gowrap2"].wrapsFor; !reflect.DeepEqual(got, []string{"worker_toy1"}) {
		t.Errorf("Toy1.gowrap2 wraps %q", got)
	}
	// A position in the deferred literal belongs to Toy1 too; one in the
	// literal called in place inside the go literal to Toy1.func2.
	chainNames := func(line, col int) []string {
		var out []string
		for _, x := range k.chain(k.pos(line, col)) {
			out = append(out, x.name)
		}
		return out
	}
	if got := chainNames(35, 3); !reflect.DeepEqual(got, []string{"Toy1.func1", "Toy1"}) {
		t.Errorf("chain at 35:3 = %q", got)
	}
	if got := chainNames(39, 4); !reflect.DeepEqual(got, []string{"Toy1.func2.1", "Toy1.func2"}) {
		t.Errorf("chain at 39:4 = %q", got)
	}
	if got := chainNames(42, 4); !reflect.DeepEqual(got, []string{"Toy1.func2.2"}) {
		t.Errorf("chain at 42:4 = %q", got)
	}
}

func TestParseCases(t *testing.T) {
	cases, err := parseCases("x_test.go", []byte(casesSrc), "gokerTestCases")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cases {
		got = append(got, fmt.Sprintf("%s flaky=%v commented=%v %d", c.name, c.flaky, c.commented, len(c.patterns)))
	}
	want := []string{"Toy1 flaky=true commented=false 3", "Toy3 flaky=false commented=false 0", "Toy2 flaky=false commented=true 1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cases:\n got %q\nwant %q", got, want)
	}
}

func TestResolvePattern(t *testing.T) {
	k, err := parseKernel("toy1/toy1.go", []byte(kernelSrc))
	if err != nil {
		t.Fatal(err)
	}
	reasons := parseWaitReasons(nil)
	for _, tc := range []struct {
		pattern string
		funcs   []string
		reasons []string
	}{
		{`Toy1\.func2\.2\(.* \[chan send\]`, []string{"Toy1.func2.2"}, []string{"chan send"}},
		{`\(\*box_toy1\)\.run\(.* \[sync\.(RW)?Mutex\.Lock\]`, []string{"(*box_toy1).run"}, []string{"sync.Mutex.Lock", "sync.RWMutex.Lock"}},
		// As written in the runtime test for Cockroach10214: "\(*" is "any
		// number of (", so the match starts inside the name; still resolved.
		{`\(*box_toy1\)\.helper\(.* \[sync\.Mutex\.Lock\]`, []string{"(*box_toy1).helper"}, []string{"sync.Mutex.Lock"}},
		{`Toy1\.func2\(.* \[chan receive\]`, []string{"Toy1.func2"}, []string{"chan receive"}},
		{`Toy1\.gowrap2\(.* \[sync\.Mutex\.Lock\]`, []string{"Toy1.gowrap2"}, []string{"sync.Mutex.Lock"}},
	} {
		l, err := resolvePattern(k, tc.pattern, reasons)
		if err != nil {
			t.Errorf("%s: %v", tc.pattern, err)
			continue
		}
		sort.Strings(l.reasons)
		if !reflect.DeepEqual(l.funcs, tc.funcs) || !reflect.DeepEqual(l.reasons, tc.reasons) {
			t.Errorf("%s: funcs %q reasons %q, want %q %q", tc.pattern, l.funcs, l.reasons, tc.funcs, tc.reasons)
		}
	}
	if _, err := resolvePattern(k, `nosuch\(.* \[select\]`, reasons); err == nil {
		t.Errorf("pattern naming no function resolved")
	}
}

// TestScore feeds a hand-written findings file through run.
func TestScore(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "mod")
	for _, d := range []string{"toy1", "toy3"} {
		if err := os.MkdirAll(filepath.Join(mod, d), 0o777); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(mod, d, "main.go"), "package main\n")
	}
	write(t, filepath.Join(mod, "toy1", "toy1.go"), kernelSrc)
	write(t, filepath.Join(mod, "toy3", "toy3.go"), "package main\n\nfunc init() { register(\"Toy3\", Toy3) }\n\nfunc Toy3() {}\n")
	cases := filepath.Join(dir, "cases_test.go")
	write(t, cases, casesSrc)

	type rel struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	}
	type diag struct {
		Category string `json:"category,omitempty"`
		Posn     string `json:"posn"`
		End      string `json:"end"`
		Message  string `json:"message"`
		Related  []rel  `json:"related,omitempty"`
	}
	at := func(line, col int) string { return fmt.Sprintf("/elsewhere/toy1/toy1.go:%d:%d", line, col) }
	findings := map[string]map[string][]diag{
		"goker/toy1": {
			"ctxleak": {
				// In Toy1's code, related to the stuck send at line 42.
				{Category: "stranded", Posn: at(33, 2), Message: "a", Related: []rel{{at(42, 4), "send"}}},
				// In a callee holding a Lock (helper), called by worker_toy1 (gowrap2).
				{Category: "lock", Posn: at(25, 2), Message: "b"},
				// Nowhere near a leak: Toy1's own code.
				{Category: "timer", Posn: at(35, 3), Message: "c"},
			},
			"closecheck": {
				// On the go statement starting worker_toy1.
				{Posn: at(46, 2), Message: "d"},
			},
		},
	}
	b, _ := json.Marshal(findings)
	fj := filepath.Join(dir, "f.json")
	write(t, fj, string(b))

	s, err := load(mod, fj, cases, "", "", []string{"main.go"})
	if err != nil {
		t.Fatal(err)
	}
	s.analyzer = "ctxleak"
	s.score()
	levels := map[string]int{}
	for _, f := range s.findings {
		levels[f.Message] = f.level
	}
	want := map[string]int{"a": levelStuck, "b": levelCallee, "c": levelFile, "d": levelStuck}
	if !reflect.DeepEqual(levels, want) {
		t.Errorf("levels = %v, want %v", levels, want)
	}
	var out bytes.Buffer
	s.report(&out, true)
	for _, line := range []string{
		"at the leaked goroutine's function or its go statement           1/2           1/2",
		"  stranded                       1         1          0        1",
		"Toy1~",
		"without leak patterns",
		"toy1/toy1.go:35:3 ctxleak/timer: c",
	} {
		if !strings.Contains(squash(out.String()), strings.TrimSpace(squash(line))) {
			t.Errorf("report lacks %q:\n%s", line, out.String())
		}
	}
}

// squash collapses runs of blanks, so that column widths do not matter.
func squash(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(strings.Join(strings.Fields(l), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

func write(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o666); err != nil {
		t.Fatal(err)
	}
}

// TestCompilerNames checks the naming against the compiler: every kernel
// function of the GoKer kernels that survives in a binary (inlining off)
// has the name parseKernel gives it.
func TestCompilerNames(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the GoKer kernels")
	}
	goroot, err := exec.CommandContext(t.Context(), "go", "env", "GOROOT").Output()
	if err != nil {
		t.Skip("no go command")
	}
	goker := filepath.Join(strings.TrimSpace(string(goroot)), "src/runtime/testdata/testgoroutineleakprofile/goker")
	files, _ := filepath.Glob(filepath.Join(goker, "*.go"))
	if len(files) == 0 {
		t.Skip("no GoKer kernels in GOROOT")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module goker\n")
	mine := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, filepath.Base(f)), string(b))
		if filepath.Base(f) == "main.go" {
			continue
		}
		k, err := parseKernel(posnKey(f), b)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range k.names() {
			mine[n] = true
		}
	}
	bin := filepath.Join(dir, "goker.bin")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-gcflags=-l", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(t.Context(), "go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, line := range strings.Split(string(out), "\n") {
		fs := strings.Fields(line)
		if len(fs) < 3 || fs[len(fs)-2] != "T" || !strings.HasPrefix(fs[len(fs)-1], "main.") {
			continue
		}
		n := strings.TrimPrefix(fs[len(fs)-1], "main.")
		// Only closures and go/defer wrappers are numbered by position;
		// method values (-fm) and promoted methods are generated.
		if !strings.Contains(n, ".func") && !strings.Contains(n, "wrap") {
			continue
		}
		if strings.HasPrefix(n, "init.") || strings.HasPrefix(n, "main.") || strings.HasPrefix(n, "register") {
			continue
		}
		checked++
		if !mine[n] {
			t.Errorf("compiler symbol %s not among the names parseKernel gives", n)
		}
	}
	if checked == 0 {
		t.Errorf("no closure symbols checked")
	}
	t.Logf("%d closure and wrapper symbols checked", checked)
}
