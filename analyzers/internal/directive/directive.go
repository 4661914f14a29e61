// Package directive reads the //asynclint:… comments the analyzers honour
// and golangci-lint's //nolint, and keeps track of which ignores were used so
// that stale ones can be reported.
//
// A directive applies to the line it ends, or to the line below when it
// stands alone on its line; in a function's doc comment it applies to the
// whole function, function literals included.
package directive

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Kinds of directive.
const (
	Ignore      = "ignore"      // //asynclint:ignore [analyzer] <reason>
	Nonblocking = "nonblocking" // //asynclint:nonblocking
	Blocking    = "blocking"    // //asynclint:blocking
	Detached    = "detached"    // //asynclint:detached <reason>
	Daemon      = "daemon"      // //asynclint:daemon <reason>
	// Owned marks a deliberate hand-off of a resource that closecheck
	// cannot see: //asynclint:owned <reason>. It needs a reason, but is
	// not in needsReason: closecheck alone reports its absence
	// (ReportMisuse), so that other analyzers do not repeat it.
	Owned = "owned"
)

// UnusedCategory is the diagnostic category of a report that an unscoped
// ignore suppressed nothing for the reporting analyzer. Such an ignore may
// be used by another analyzer, so a driver that runs several keeps the
// report only when all of them made it.
const UnusedCategory = "unused-ignore"

// needsReason lists the kinds whose use must be justified in the comment.
var needsReason = map[string]bool{Ignore: true, Detached: true, Daemon: true}

// Analyzers are the names an ignore may be scoped to, as in
// //asynclint:ignore closecheck handed to the pool.
var Analyzers = []string{"blockingcall", "closecheck", "ctxleak"}

// A Directive is one //asynclint: comment.
type Directive struct {
	Kind   string
	Scope  string // the analyzer an ignore is limited to, or ""
	Reason string
	Pos    token.Pos

	file string
	line int // the line the directive applies to, 0 for a function directive
	fn   *ast.FuncDecl
	used bool
}

// A Set holds the directives of one package's files.
type Set struct {
	fset   *token.FileSet
	all    []*Directive
	byLine map[lineKey][]*Directive
	byFunc map[*ast.FuncDecl][]*Directive
	lit    map[lineKey][]*Directive // candidates for function literals: by the line they apply to
	nolint map[lineKey][]string
	decls  map[string][]*ast.FuncDecl // by file name, in source order
}

type lineKey struct {
	file string
	line int
}

// Parse collects the directives in files.
func Parse(fset *token.FileSet, files []*ast.File) *Set {
	s := &Set{
		fset:   fset,
		byLine: map[lineKey][]*Directive{},
		byFunc: map[*ast.FuncDecl][]*Directive{},
		lit:    map[lineKey][]*Directive{},
		nolint: map[lineKey][]string{},
		decls:  map[string][]*ast.FuncDecl{},
	}
	for _, f := range files {
		s.parseFile(f)
	}
	return s
}

func (s *Set) parseFile(f *ast.File) {
	tf := s.fset.File(f.Pos())
	if tf == nil {
		return
	}
	name := tf.Name()
	docOf := map[*ast.Comment]*ast.FuncDecl{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		s.decls[name] = append(s.decls[name], fd)
		if fd.Doc != nil {
			for _, c := range fd.Doc.List {
				docOf[c] = fd
			}
		}
	}
	var code map[int]bool
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if !strings.HasPrefix(c.Text, "//asynclint:") && !strings.HasPrefix(c.Text, "//nolint") {
				continue
			}
			if code == nil {
				code = codeLines(tf, f)
			}
			line := tf.Line(c.Slash)
			target := line
			if !code[line] {
				target = line + 1
			}
			if names, ok := nolintNames(c.Text); ok {
				k := lineKey{name, target}
				s.nolint[k] = append(s.nolint[k], names...)
				if target != line {
					s.nolint[lineKey{name, line}] = append(s.nolint[lineKey{name, line}], names...)
				}
				continue
			}
			d := parse(c)
			if d == nil {
				continue
			}
			d.file = name
			s.all = append(s.all, d)
			if fd := docOf[c]; fd != nil {
				d.fn = fd
				s.byFunc[fd] = append(s.byFunc[fd], d)
				continue
			}
			d.line = target
			k := lineKey{name, target}
			s.byLine[k] = append(s.byLine[k], d)
			s.lit[k] = append(s.lit[k], d)
		}
	}
}

// codeLines returns the lines of f on which some code ends: a directive on
// such a line is a trailing comment and applies to its own line.
func codeLines(tf *token.File, f *ast.File) map[int]bool {
	lines := map[int]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n.(type) {
		case nil, *ast.CommentGroup, *ast.Comment:
			return false
		}
		if n.End().IsValid() {
			lines[tf.Line(n.End()-1)] = true
		}
		return true
	})
	return lines
}

func parse(c *ast.Comment) *Directive {
	text, ok := strings.CutPrefix(c.Text, "//asynclint:")
	if !ok {
		return nil
	}
	kind, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	d := &Directive{Kind: kind, Pos: c.Slash}
	// A trailing "// ..." is a comment on the directive, not its reason.
	if i := strings.Index(rest, "//"); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.TrimSpace(rest)
	if kind == Ignore {
		first, after, _ := strings.Cut(rest, " ")
		for _, a := range Analyzers {
			if first == a {
				d.Scope, rest = a, strings.TrimSpace(after)
			}
		}
		// The bundled staticcheck checks go by their ids.
		if d.Scope == "" && staticcheckID(first) {
			d.Scope, rest = first, strings.TrimSpace(after)
		}
	}
	d.Reason = rest
	return d
}

// staticcheckID reports whether s names a staticcheck check, as SA2001.
func staticcheckID(s string) bool {
	if len(s) != 6 || s[:2] != "SA" {
		return false
	}
	for _, r := range s[2:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func nolintNames(text string) ([]string, bool) {
	text = strings.TrimSpace(strings.TrimPrefix(text, "//"))
	rest, ok := strings.CutPrefix(text, "nolint")
	if !ok {
		return nil, false
	}
	if rest == "" || rest[0] == ' ' {
		return []string{"all"}, true
	}
	if rest[0] != ':' {
		return nil, false
	}
	list, _, _ := strings.Cut(rest[1:], " ")
	var names []string
	for _, n := range strings.Split(list, ",") {
		names = append(names, strings.TrimSpace(n))
	}
	return names, true
}

// OnFunc returns the directive of the given kind that applies to the function
// declared by decl, or to the function literal lit (pass nil for the other).
func (s *Set) OnFunc(decl *ast.FuncDecl, lit *ast.FuncLit, kind string) *Directive {
	if decl != nil {
		for _, d := range s.byFunc[decl] {
			if d.Kind == kind {
				return d
			}
		}
		return nil
	}
	if lit != nil {
		p := s.fset.Position(lit.Pos())
		for _, d := range s.lit[lineKey{p.Filename, p.Line}] {
			if d.Kind == kind {
				return d
			}
		}
	}
	return nil
}

// OnLine returns the directive of the given kind that applies to pos's line.
func (s *Set) OnLine(pos token.Pos, kind string) *Directive {
	p := s.fset.Position(pos)
	for _, d := range s.byLine[lineKey{p.Filename, p.Line}] {
		if d.Kind == kind {
			return d
		}
	}
	return nil
}

// Applies returns the directive of the given kind on pos's line or on the
// function declaration enclosing pos.
func (s *Set) Applies(pos token.Pos, kind string) *Directive {
	if d := s.OnLine(pos, kind); d != nil {
		return d
	}
	if fd := s.enclosing(pos); fd != nil {
		return s.OnFunc(fd, nil, kind)
	}
	return nil
}

// Suppressed reports whether a finding of analyzer at pos is silenced by an
// //asynclint:ignore (on the line or the enclosing function) or a //nolint
// naming the analyzer, "asynclint" or nothing. A matching ignore is marked
// used.
func (s *Set) Suppressed(analyzer string, pos token.Pos) bool {
	p := s.fset.Position(pos)
	for _, n := range s.nolint[lineKey{p.Filename, p.Line}] {
		if n == "all" || n == "asynclint" || n == analyzer {
			return true
		}
	}
	match := func(ds []*Directive) bool {
		for _, d := range ds {
			if d.Kind == Ignore && d.Reason != "" && (d.Scope == "" || d.Scope == analyzer) {
				d.used = true
				return true
			}
		}
		return false
	}
	if match(s.byLine[lineKey{p.Filename, p.Line}]) {
		return true
	}
	if fd := s.enclosing(pos); fd != nil && match(s.byFunc[fd]) {
		return true
	}
	return false
}

func (s *Set) enclosing(pos token.Pos) *ast.FuncDecl {
	name := s.fset.Position(pos).Filename
	decls := s.decls[name]
	i := sort.Search(len(decls), func(i int) bool { return decls[i].End() >= pos })
	if i < len(decls) && decls[i].Pos() <= pos {
		return decls[i]
	}
	return nil
}

// Unused returns the ignores for analyzer (scoped to it, or unscoped when
// unscoped is set) that suppressed nothing.
func (s *Set) Unused(analyzer string, unscoped bool) []*Directive {
	var out []*Directive
	for _, d := range s.all {
		if d.Kind != Ignore || d.used || d.Reason == "" {
			continue
		}
		if d.Scope == analyzer || (unscoped && d.Scope == "") {
			out = append(out, d)
		}
	}
	return out
}

// MissingReason returns the directives that must give a reason and do not.
func (s *Set) MissingReason() []*Directive {
	var out []*Directive
	for _, d := range s.all {
		if needsReason[d.Kind] && d.Reason == "" {
			out = append(out, d)
		}
	}
	return out
}

// Of returns the directives of the given kind, in source order.
func (s *Set) Of(kind string) []*Directive {
	var out []*Directive
	for _, d := range s.all {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}

// MissingReasonOf returns the directives of the given kind that give no
// reason.
func (s *Set) MissingReasonOf(kind string) []*Directive {
	var out []*Directive
	for _, d := range s.all {
		if d.Kind == kind && d.Reason == "" {
			out = append(out, d)
		}
	}
	return out
}

// Any reports whether the files hold any //asynclint: directive.
func (s *Set) Any() bool { return len(s.all) > 0 }

// ReportUnused reports the ignores that suppressed nothing for analyzer:
// those scoped to it, and unscoped ones under UnusedCategory, which a
// driver running several analyzers keeps only if all of them report it.
func (s *Set) ReportUnused(pass *analysis.Pass, analyzer string) {
	for _, d := range s.Unused(analyzer, true) {
		category := "directive"
		if d.Scope == "" {
			category = UnusedCategory
		}
		pass.Report(analysis.Diagnostic{Pos: d.Pos, Category: category,
			Message: "//asynclint:ignore suppresses no finding: remove it"})
	}
}

// ReportMisuse reports the misuse of analyzer's directives: those it owns
// that give no reason — the ignores scoped to it, the unscoped ones too when
// unscoped is set (one analyzer reports them, so that they are not reported
// once per analyzer), and the directives of the given kinds — and then, as
// ReportUnused, the ignores that suppressed nothing.
func (s *Set) ReportMisuse(pass *analysis.Pass, analyzer string, unscoped bool, kinds ...string) {
	for _, d := range s.all {
		if d.Reason != "" {
			continue
		}
		owned := slices.Contains(kinds, d.Kind)
		if d.Kind == Ignore {
			owned = d.Scope == analyzer || (unscoped && d.Scope == "")
		}
		if owned {
			pass.Report(analysis.Diagnostic{Pos: d.Pos, Category: "directive",
				Message: fmt.Sprintf("//asynclint:%s needs a reason: say why, as in //asynclint:%s <reason>", d.Kind, d.Kind)})
		}
	}
	s.ReportUnused(pass, analyzer)
}
