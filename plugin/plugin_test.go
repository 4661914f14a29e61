package plugin_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestGolangciLint builds golangci-lint with the plugins (tools/custom-gcl,
// as `golangci-lint custom` would from .custom-gcl.yml) and runs it on
// testdata/lintme with the configuration README.md documents: the findings
// are those the `// want <linter>...` comments mark, under the analyzers'
// names, with //nolint:<name> and the settings applied.
//
// Building golangci-lint takes minutes with a cold build cache, so -short
// skips it; .ci/run runs it on its own.
func TestGolangciLint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds golangci-lint (minutes with a cold build cache)")
	}
	gcl := buildCustomGCL(t)
	cache := t.TempDir()
	lint := func(t *testing.T, config string, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), gcl, append([]string{"run", "--config", config}, args...)...)
		cmd.Dir = filepath.Join("testdata", "lintme")
		cmd.Env = append(os.Environ(), "GOLANGCI_LINT_CACHE="+cache, "GOWORK=off")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		err := cmd.Run()
		t.Logf("golangci-lint %s: %v", strings.Join(cmd.Args[1:], " "), time.Since(start).Round(time.Millisecond))
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), errb.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), 0
	}

	t.Run("findings", func(t *testing.T) {
		sarif := filepath.Join(t.TempDir(), "out.sarif")
		stdout, stderr, code := lint(t, ".golangci.yml", "--output.json.path", "stdout", "--output.sarif.path", sarif, "./...")
		if code != 1 {
			t.Fatalf("exit code %d, want 1 (findings)\n%s%s", code, stdout, stderr)
		}
		got := map[string]int{}
		for _, is := range decodeIssues(t, stdout) {
			if strings.Contains(is.Text, "(related information)") {
				continue // golangci-lint reports related positions as issues of their own
			}
			got[fmt.Sprintf("%s:%d: %s", is.Pos.Filename, is.Pos.Line, is.FromLinter)]++
		}
		want := wants(t, filepath.Join("testdata", "lintme"))
		compare(t, got, want)

		// SARIF rule ids are the analyzers' names.
		data, err := os.ReadFile(sarif)
		if err != nil {
			t.Fatal(err)
		}
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(data, &log); err != nil {
			t.Fatal(err)
		}
		rules := map[string]bool{}
		for _, r := range log.Runs {
			for _, res := range r.Results {
				rules[res.RuleID] = true
			}
		}
		if len(rules) != 3 || !rules["blockingcall"] || !rules["closecheck"] || !rules["ctxleak"] {
			t.Errorf("SARIF rule ids %v, want blockingcall, closecheck, ctxleak", slices.Sorted(maps.Keys(rules)))
		}
	})

	t.Run("disable", func(t *testing.T) {
		stdout, stderr, code := lint(t, ".golangci.yml", "--disable", "ctxleak", "--output.json.path", "stdout", "./feeds/...")
		if code != 0 || len(decodeIssues(t, stdout)) != 0 {
			t.Errorf("--disable ctxleak: exit code %d, want 0 and no findings\n%s%s", code, stdout, stderr)
		}
	})

	t.Run("repository config", func(t *testing.T) {
		// The repository's own .golangci.yml loads the plugins and
		// enables them.
		config, err := filepath.Abs(filepath.Join("..", ".golangci.yml"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(t.Context(), gcl, "linters", "--json", "--config", config)
		cmd.Dir = filepath.Join("testdata", "lintme")
		cmd.Env = append(os.Environ(), "GOLANGCI_LINT_CACHE="+cache, "GOWORK=off")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("golangci-lint linters: %v\n%s", err, out)
		}
		var linters struct{ Enabled []struct{ Name string } }
		if err := json.Unmarshal(out, &linters); err != nil {
			t.Fatalf("golangci-lint linters --json: %v\n%s", err, out)
		}
		enabled := map[string]bool{}
		for _, l := range linters.Enabled {
			enabled[l.Name] = true
		}
		for _, name := range []string{"blockingcall", "closecheck", "ctxleak"} {
			if !enabled[name] {
				t.Errorf("%s is not enabled by .golangci.yml (enabled: %v)", name, slices.Sorted(maps.Keys(enabled)))
			}
		}
	})

	t.Run("unknown setting", func(t *testing.T) {
		config := filepath.Join(t.TempDir(), "golangci.yml")
		writeConfig(t, config, "funcs: [example.com/lintme/feeds.Slow]\n          fucns: true")
		stdout, stderr, code := lint(t, config, "./...")
		if code == 0 || code == 1 || !strings.Contains(stderr, `blockingcall: unknown setting "fucns" (the settings are the analyzer's flags: funcs, std)`) {
			t.Errorf("exit code %d, want a configuration error naming the setting\n%s%s", code, stdout, stderr)
		}
	})

	t.Run("bad value", func(t *testing.T) {
		config := filepath.Join(t.TempDir(), "golangci.yml")
		writeConfig(t, config, "funcs: [Slow]")
		stdout, stderr, code := lint(t, config, "./...")
		if code == 0 || code == 1 || !strings.Contains(stderr, `blockingcall: setting funcs: "Slow": want pkg/path.Func`) {
			t.Errorf("exit code %d, want a configuration error naming the value\n%s%s", code, stdout, stderr)
		}
	})
}

// buildCustomGCL builds tools/custom-gcl into a temporary directory, with
// -buildvcs=false so that its version is "(devel)" and golangci-lint keys
// its result cache on the binary.
func buildCustomGCL(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "custom-gcl")
	src := filepath.Join("..", "tools", "custom-gcl")
	// Build with a copy of its go.mod and go.sum that the go command may
	// update, so that a dependency the main module moves on to since
	// tools/custom-gcl/go.mod was tidied does not fail the build.
	for _, name := range []string{"go.mod", "go.sum"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(readFile(t, filepath.Join(src, name))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), "go", "build", "-buildvcs=false", "-mod=mod", "-modfile="+filepath.Join(dir, "go.mod"), "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./tools/custom-gcl: %v\n%s", err, out)
	}
	t.Logf("go build ./tools/custom-gcl: %v", time.Since(start).Round(time.Millisecond))
	if before, after := readFile(t, filepath.Join(src, "go.mod")), readFile(t, filepath.Join(dir, "go.mod")); before != after {
		t.Logf("the build updated tools/custom-gcl/go.mod (the main module's requirements moved on): run go mod tidy there")
	}
	out, err := exec.CommandContext(t.Context(), bin, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "version (devel)") {
		t.Fatalf("custom-gcl version: %v\n%s", err, out)
	}
	return bin
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// writeConfig writes a configuration with blockingcall's settings.
func writeConfig(t *testing.T, path, settings string) {
	t.Helper()
	config := `version: "2"
linters:
  default: none
  enable: [blockingcall]
  settings:
    custom:
      blockingcall:
        type: module
        settings:
          ` + settings + "\n"
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
}

type issue struct {
	FromLinter string
	Text       string
	Pos        struct {
		Filename string
		Line     int
	}
}

// decodeIssues decodes golangci-lint's JSON output (the first value on
// stdout: the text summary may follow it).
func decodeIssues(t *testing.T, stdout string) []issue {
	t.Helper()
	var report struct{ Issues []issue }
	if err := json.NewDecoder(strings.NewReader(stdout)).Decode(&report); err != nil {
		t.Fatalf("golangci-lint's JSON: %v\n%s", err, stdout)
	}
	return report.Issues
}

// wants collects the `// want <linter>...` comments of the Go files under
// dir, as "file:line: linter" with the number of findings expected.
func wants(t *testing.T, dir string) map[string]int {
	t.Helper()
	want := map[string]int{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(dir, path)
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			_, list, ok := strings.Cut(sc.Text(), "// want ")
			if !ok {
				continue
			}
			for _, name := range strings.Fields(list) {
				want[fmt.Sprintf("%s:%d: %s", filepath.ToSlash(rel), line, name)]++
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("no // want comments in testdata")
	}
	return want
}

func compare(t *testing.T, got, want map[string]int) {
	t.Helper()
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		switch g, w := got[k], want[k]; {
		case w == 0:
			t.Errorf("unexpected finding %s (%d)", k, g)
		case g != w:
			t.Errorf("%s: %d findings, want %d", k, g, w)
		}
	}
}
