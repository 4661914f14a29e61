// Package baseline records the findings of a code base at one time, so
// that a later run can report only the findings that are new: the way to
// adopt asynclint on legacy code without fixing everything first.
//
// A finding is keyed by what survives unrelated edits: its file (relative
// to the baseline file's directory), its analyzer, the function that
// encloses it, and its message with line numbers taken out ("the return
// at line 48" becomes "the return at line N", "feed.go:35" becomes
// "feed.go"). Lines inserted above a finding leave its key unchanged; a
// finding that moves to another function, or whose message changes, is
// new. Keys are counted, so a second identical finding in the same
// function is new too.
//
// The file is JSON, sorted, one entry per key, so that it diffs well
// under version control.
package baseline

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// FormatVersion is the version of the file format.
const FormatVersion = 1

// A Finding is what the baseline needs to know of a finding.
type Finding struct {
	File     string // absolute file name
	Analyzer string
	Function string // enclosing function, as Enclosing names it; "" outside any
	Message  string
}

// A Key identifies findings across runs.
type Key struct {
	File     string `json:"file"` // slash-separated, relative to the baseline's directory
	Analyzer string `json:"analyzer"`
	Function string `json:"function,omitempty"`
	Message  string `json:"message"` // normalised by Normalize
}

// An Entry is a key and the number of findings it had.
type Entry struct {
	Key
	Count int `json:"count"`
}

// A Baseline is the content of a baseline file.
type Baseline struct {
	Version  int     `json:"version"`
	Tool     string  `json:"tool"`
	Findings []Entry `json:"findings"`

	dir string // directory of the file, to which keys are relative
}

// KeyOf returns the key of f in a baseline file kept in dir.
func KeyOf(dir string, f Finding) Key {
	file := f.File
	if dir != "" {
		if rel, err := filepath.Rel(dir, f.File); err == nil {
			file = rel
		}
	}
	return Key{
		File:     filepath.ToSlash(file),
		Analyzer: f.Analyzer,
		Function: f.Function,
		Message:  Normalize(f.Message),
	}
}

// Fingerprint returns a short stable hash of the key, suitable as a
// SARIF partial fingerprint.
func (k Key) Fingerprint() string {
	h := sha256.New()
	for _, s := range []string{k.File, k.Analyzer, k.Function, k.Message} {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

var (
	lineNumbers = regexp.MustCompile(`\b(lines?) \d+((?:(?:, | and | or |-|–)\d+)*)`)
	fileLines   = regexp.MustCompile(`([\w.+-]+\.go):\d+(?::\d+)?`)
)

// Normalize returns msg without the line numbers it mentions, which
// change whenever lines are inserted above them.
func Normalize(msg string) string {
	msg = lineNumbers.ReplaceAllString(msg, "$1 N")
	return fileLines.ReplaceAllString(msg, "$1")
}

// New returns a baseline of findings, to be written into a file in dir.
func New(dir, tool string, findings []Finding) *Baseline {
	counts := make(map[Key]int)
	for _, f := range findings {
		counts[KeyOf(dir, f)]++
	}
	b := &Baseline{Version: FormatVersion, Tool: tool, Findings: []Entry{}, dir: dir}
	for k, n := range counts {
		b.Findings = append(b.Findings, Entry{k, n})
	}
	slices.SortFunc(b.Findings, func(x, y Entry) int {
		return cmp.Or(
			cmp.Compare(x.File, y.File),
			cmp.Compare(x.Analyzer, y.Analyzer),
			cmp.Compare(x.Function, y.Function),
			cmp.Compare(x.Message, y.Message))
	})
	return b
}

// Encode writes b as indented JSON.
func (b *Baseline) Encode(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "\t")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteFile writes a baseline of findings to the named file.
func WriteFile(name, tool string, findings []Finding) (*Baseline, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, err
	}
	b := New(filepath.Dir(abs), tool, findings)
	var buf bytes.Buffer
	if err := b.Encode(&buf); err != nil {
		return nil, err
	}
	return b, os.WriteFile(name, buf.Bytes(), 0666)
}

// ReadFile reads the named baseline file.
func ReadFile(name string) (*Baseline, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, err
	}
	b, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	b.dir = filepath.Dir(abs)
	return b, nil
}

// Decode parses the content of a baseline file; its keys are then
// relative to the current directory.
func Decode(data []byte) (*Baseline, error) {
	b := new(Baseline)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(b); err != nil {
		return nil, fmt.Errorf("not a baseline file: %v", err)
	}
	if b.Version != FormatVersion {
		return nil, fmt.Errorf("baseline format version %d, want %d", b.Version, FormatVersion)
	}
	return b, nil
}

// Dir returns the directory to which the keys are relative.
func (b *Baseline) Dir() string { return b.dir }

// Match splits findings into those the baseline does not know, as
// indices into findings in their order, and the baseline's entries that
// matched fewer findings than they counted, with the number missing.
// Where a key has more findings than its count, the first ones (in the
// order given) are taken as known, the rest as new.
func (b *Baseline) Match(findings []Finding) (fresh []int, gone []Entry) {
	left := make(map[Key]int)
	for _, e := range b.Findings {
		left[e.Key] += e.Count
	}
	for i, f := range findings {
		k := KeyOf(b.dir, f)
		if left[k] > 0 {
			left[k]--
			continue
		}
		fresh = append(fresh, i)
	}
	for _, e := range b.Findings {
		if n := left[e.Key]; n > 0 {
			gone = append(gone, Entry{e.Key, n})
			left[e.Key] = 0
		}
	}
	return fresh, gone
}

// Enclosing returns the name of the function declaration in src that
// encloses offset: "F", or "T.M" for a method (whatever its receiver's
// pointerness and type parameters), or "" if none does or src does not
// parse. Function literals belong to the declaration they appear in.
func Enclosing(filename string, src []byte, offset int) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil && f == nil {
		return ""
	}
	tf := fset.File(f.FileStart)
	if tf == nil || offset < 0 || offset > tf.Size() {
		return ""
	}
	pos := tf.Pos(offset)
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || pos < fd.Pos() || pos >= fd.End() {
			continue
		}
		if fd.Recv == nil || len(fd.Recv.List) == 0 {
			return fd.Name.Name
		}
		return recvName(fd.Recv.List[0].Type) + "." + fd.Name.Name
	}
	return ""
}

func recvName(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return strings.TrimSpace(fmt.Sprint(x))
		}
	}
}
