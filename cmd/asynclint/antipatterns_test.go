package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// antipatterns is a module of trading code written the naive way, in which
// every bug line carries a comment "// ANTIPATTERN: <analyzer>" (or several
// analyzers, comma-separated) naming what must report it.
var antipatterns = filepath.Join("..", "..", "testdata", "antipatterns")

var antipatternMark = regexp.MustCompile(`//\s*ANTIPATTERN:\s*([a-z]+(?:\s*,\s*[a-z]+)*)\s*$`)

// antipatternMarks returns the analyzers each marked line of the module
// names, by file:line relative to the module.
func antipatternMarks(t *testing.T) map[string][]string {
	t.Helper()
	marks := make(map[string][]string)
	err := filepath.WalkDir(antipatterns, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, err := filepath.Rel(antipatterns, path)
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			if m := antipatternMark.FindStringSubmatch(sc.Text()); m != nil {
				for name := range strings.SplitSeq(m[1], ",") {
					posn := fmt.Sprintf("%s:%d", filepath.ToSlash(rel), n)
					marks[posn] = append(marks[posn], strings.TrimSpace(name))
				}
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return marks
}

// TestAntipatterns checks that asynclint -json reports every marked line
// of testdata/antipatterns with the analyzer its mark names, and nothing on
// unmarked lines.
func TestAntipatterns(t *testing.T) {
	t.Parallel()
	want := antipatternMarks(t)
	if len(want) == 0 {
		t.Fatal("no ANTIPATTERN marks found")
	}
	res := asynclint(t, antipatterns, "-json", "./...")
	if res.code != exitFindings {
		t.Errorf("exit status %d, want %d", res.code, exitFindings)
	}

	// got: file:line → analyzer → messages.
	got := make(map[string]map[string][]string)
	for name, diags := range jsonDiagnostics(t, res.stdout) {
		for _, d := range diags {
			posn := relPosn(t, antipatterns, d.Posn)
			if got[posn] == nil {
				got[posn] = make(map[string][]string)
			}
			got[posn][name] = append(got[posn][name], d.Message)
		}
	}

	for _, posn := range slices.Sorted(maps.Keys(want)) {
		for _, name := range want[posn] {
			if len(got[posn][name]) == 0 {
				t.Errorf("%s: marked ANTIPATTERN: %s, but %s reports nothing there (reported there: %v)", posn, name, name, got[posn])
			}
		}
	}
	for _, posn := range slices.Sorted(maps.Keys(got)) {
		for name, msgs := range got[posn] {
			if !slices.Contains(want[posn], name) {
				for _, msg := range msgs {
					t.Errorf("%s: unexpected %s finding on a line not marked for it: %s", posn, name, msg)
				}
			}
		}
	}
}
