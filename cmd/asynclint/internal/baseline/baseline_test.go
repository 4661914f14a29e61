package baseline

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"not closed on the path through the return at line 48: leaks": "not closed on the path through the return at line N: leaks",
		"locked at line 3, and lines 4, 5 and 7":                      "locked at line N, and lines N",
		"ranges at line 35 over a ticker (feed.go:35)":                "ranges at line N over a ticker (feed.go)",
		"see x_test.go:12:4 and 40 goroutines":                        "see x_test.go and 40 goroutines",
		"pipeline 2 of online 3":                                      "pipeline 2 of online 3",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnclosing(t *testing.T) {
	src := []byte(`package p

var v = func() int { return 1 }()

func F() {
	_ = func() { println() }
}

func (s *S[T]) M() {
	println()
}

func (S[T]) N() {}
`)
	at := func(s string) int { return bytes.Index(src, []byte(s)) }
	for offset, want := range map[int]string{
		at("return 1"):    "",
		at("println() }"): "F",
		at("println()\n"): "S.M",
		at("N()"):         "S.N",
		len(src):          "",
	} {
		if got := Enclosing("p.go", src, offset); got != want {
			t.Errorf("Enclosing at %d = %q, want %q", offset, got, want)
		}
	}
	if got := Enclosing("p.go", []byte("not Go"), 0); got != "" {
		t.Errorf("Enclosing in a file that does not parse = %q", got)
	}
}

func TestMatch(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "p", "p.go")
	f := func(fn, msg string) Finding { return Finding{File: file, Analyzer: "a", Function: fn, Message: msg} }
	old := []Finding{
		f("F", "leaks at line 10"),
		f("F", "leaks at line 20"), // the same key twice
		f("G", "blocks"),
		f("H", "gone later"),
	}
	var buf bytes.Buffer
	if err := New(dir, "t", old).Encode(&buf); err != nil {
		t.Fatal(err)
	}
	b, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	b.dir = dir
	if b.Findings[0].File != "p/p.go" || b.Findings[0].Count != 2 || b.Findings[0].Message != "leaks at line N" {
		t.Errorf("first entry %+v, want p/p.go, count 2, normalised message", b.Findings[0])
	}

	now := []Finding{
		f("F", "leaks at line 12"), // shifted
		f("F", "leaks at line 22"),
		f("F", "leaks at line 30"), // a third: new
		f("G", "blocks"),
		f("K", "blocks"), // moved to another function: new
	}
	fresh, gone := b.Match(now)
	if want := []int{2, 4}; !slices.Equal(fresh, want) {
		t.Errorf("new findings %v, want %v", fresh, want)
	}
	if len(gone) != 1 || gone[0].Function != "H" || gone[0].Count != 1 {
		t.Errorf("gone %+v, want H's", gone)
	}
	if KeyOf(dir, now[0]).Fingerprint() != KeyOf(dir, now[1]).Fingerprint() || KeyOf(dir, now[0]).Fingerprint() == KeyOf(dir, now[3]).Fingerprint() {
		t.Errorf("fingerprints do not follow keys")
	}

	if _, err := Decode([]byte(`{"version": 2, "findings": []}`)); err == nil {
		t.Errorf("Decode accepted version 2")
	}
	if _, err := Decode([]byte(`[]`)); err == nil {
		t.Errorf("Decode accepted a list")
	}
}
