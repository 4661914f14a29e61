package directive

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

const src = `package p

// F is ignored as a whole.
//
//asynclint:ignore reason for the whole function
func F() {
	g() //asynclint:ignore trailing reason
	//asynclint:ignore closecheck scoped to another analyzer
	g()
	//asynclint:ignore // want no reason
	g()
	g() //nolint:errcheck,blockingcall // legacy
	g() //nolint
	h := func() {} //asynclint:nonblocking
	//asynclint:detached the audit outlives the request
	go h()
}

func g() {}
`

func parseSrc(t *testing.T) (*token.FileSet, *ast.File, *Set) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	return fset, f, Parse(fset, []*ast.File{f})
}

// line returns a position on the given line.
func line(fset *token.FileSet, f *ast.File, n int) token.Pos {
	return fset.File(f.Pos()).LineStart(n)
}

func TestSuppressed(t *testing.T) {
	fset, f, s := parseSrc(t)
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "g" {
			fn = fd
		}
	}
	if !s.Suppressed("blockingcall", line(fset, f, 7)) {
		t.Error("line 7: the trailing ignore does not apply")
	}
	if !s.Suppressed("blockingcall", line(fset, f, 12)) {
		t.Error("line 12: //nolint:errcheck,blockingcall does not apply to blockingcall")
	}
	if !s.Suppressed("ctxleak", line(fset, f, 13)) {
		t.Error("line 13: a bare //nolint does not apply")
	}
	if s.Suppressed("blockingcall", fn.Pos()) {
		t.Error("g is suppressed, but nothing applies to it")
	}
}

func TestScopeAndReason(t *testing.T) {
	_, _, s := parseSrc(t)
	var scoped, missing int
	for _, d := range s.all {
		if d.Scope == "closecheck" {
			scoped++
			if d.Reason != "scoped to another analyzer" {
				t.Errorf("scoped ignore reason = %q", d.Reason)
			}
		}
	}
	for _, d := range s.MissingReason() {
		missing++
		if d.Kind != Ignore {
			t.Errorf("missing reason on %s", d.Kind)
		}
	}
	if scoped != 1 || missing != 1 {
		t.Errorf("scoped = %d, missing reason = %d; want 1 and 1", scoped, missing)
	}
}

func TestUnused(t *testing.T) {
	fset, f, s := parseSrc(t)
	s.Suppressed("blockingcall", line(fset, f, 7))
	// Line 7's own trailing ignore matches before the function-wide one,
	// which stays unused; the closecheck-scoped ignore is closecheck's to
	// report, not blockingcall's.
	var reasons []string
	for _, d := range s.Unused("blockingcall", true) {
		reasons = append(reasons, d.Reason)
	}
	if len(reasons) != 1 || reasons[0] != "reason for the whole function" {
		t.Errorf("unused = %q, want the function-wide ignore only", reasons)
	}
	if got := s.Unused("closecheck", false); len(got) != 1 {
		t.Errorf("unused closecheck ignores = %d, want 1", len(got))
	}
}

func TestOnLineAndFunc(t *testing.T) {
	fset, f, s := parseSrc(t)
	if d := s.OnLine(line(fset, f, 16), Detached); d == nil || d.Reason != "the audit outlives the request" {
		t.Errorf("detached on line 16 = %+v", d)
	}
	var lit *ast.FuncLit
	ast.Inspect(f, func(n ast.Node) bool {
		if l, ok := n.(*ast.FuncLit); ok {
			lit = l
		}
		return true
	})
	if s.OnFunc(nil, lit, Nonblocking) == nil {
		t.Error("the literal's trailing //asynclint:nonblocking was not found")
	}
	if s.OnFunc(f.Decls[0].(*ast.FuncDecl), nil, Ignore) == nil {
		t.Error("F's doc ignore was not found")
	}
}

func TestOwned(t *testing.T) {
	const src = `package p

// F hands everything to the host.
//
//asynclint:owned the host closes what it is given
func F() {
	g() //asynclint:owned the pool adopts it
	//asynclint:owned
	g()
}

func g() {}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	s := Parse(fset, []*ast.File{f})
	if got := len(s.Of(Owned)); got != 3 {
		t.Errorf("owned directives = %d, want 3", got)
	}
	if d := s.OnFunc(f.Decls[0].(*ast.FuncDecl), nil, Owned); d == nil || d.Reason != "the host closes what it is given" {
		t.Errorf("F's owned = %+v", d)
	}
	if d := s.OnLine(line(fset, f, 7), Owned); d == nil || d.Reason != "the pool adopts it" {
		t.Errorf("owned on line 7 = %+v", d)
	}
	missing := s.MissingReasonOf(Owned)
	if len(missing) != 1 || fset.Position(missing[0].Pos).Line != 8 {
		t.Errorf("owned without a reason = %v, want the one on line 8", missing)
	}
	// Other analyzers report directives without reasons from
	// MissingReason: owned is closecheck's to report.
	for _, d := range s.MissingReason() {
		if d.Kind == Owned {
			t.Errorf("MissingReason lists %s on line %d", d.Kind, fset.Position(d.Pos).Line)
		}
	}
}

func TestIgnoreScopedToStaticcheckID(t *testing.T) {
	for _, tc := range []struct{ text, scope, reason string }{
		{"//asynclint:ignore SA2001 a deliberate barrier", "SA2001", "a deliberate barrier"},
		{"//asynclint:ignore SA20011 too long an id", "", "SA20011 too long an id"},
		{"//asynclint:ignore ctxleak owned elsewhere", "ctxleak", "owned elsewhere"},
	} {
		d := parse(&ast.Comment{Text: tc.text})
		if d.Scope != tc.scope || d.Reason != tc.reason {
			t.Errorf("%s: scope %q reason %q, want %q %q", tc.text, d.Scope, d.Reason, tc.scope, tc.reason)
		}
	}
}
