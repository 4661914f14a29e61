package main

// This file bundles the staticcheck checks (honnef.co/go/tools, pinned in
// go.mod) that concern the bugs asynclint is about, so that one gate runs
// them: each keeps its staticcheck name (SA1012, …) as its analyzer name,
// flag (-SA2000=false) and JSON key. staticcheck's own command filters
// findings by //lint:ignore directives; its analyzers do not, so each is
// wrapped here in one that honours //lint:ignore, //lint:file-ignore,
// //asynclint:ignore and //nolint.

import (
	"flag"
	"go/ast"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"honnef.co/go/tools/analysis/lint"
	"honnef.co/go/tools/staticcheck/sa1012"
	"honnef.co/go/tools/staticcheck/sa1015"
	"honnef.co/go/tools/staticcheck/sa2000"
	"honnef.co/go/tools/staticcheck/sa2001"
	"honnef.co/go/tools/staticcheck/sa2002"
	"honnef.co/go/tools/staticcheck/sa2003"
)

// staticcheckSuite holds the bundled staticcheck checks, wrapped.
var staticcheckSuite = []*analysis.Analyzer{
	withIgnores(sa1012.Analyzer), // nil context.Context passed
	withIgnores(sa1015.Analyzer), // time.Tick leaks its ticker (code for Go before 1.23)
	withIgnores(sa2000.Analyzer), // WaitGroup.Add inside the goroutine
	withIgnores(sa2001.Analyzer), // empty critical section
	withIgnores(sa2002.Analyzer), // t.FailNow and friends from a goroutine
	withIgnores(sa2003.Analyzer), // defer Lock right after Lock
}

// ctxleakCategory maps a bundled check to the category of the ctxleak
// finding that reports the same bug, which explains more and wins when
// both are on the same line.
var ctxleakCategory = map[string]string{
	"SA1015": "timer",
	"SA2000": "waitgroup",
	"SA2001": "lock",
	"SA2003": "lock",
}

func isStaticcheck(a *analysis.Analyzer) bool {
	return slices.Contains(staticcheckSuite, a)
}

// withoutStaticcheck returns analyzers without the bundled checks.
func withoutStaticcheck(analyzers []*analysis.Analyzer) []*analysis.Analyzer {
	return slices.DeleteFunc(slices.Clone(analyzers), isStaticcheck)
}

// staticcheckFlagUsage is the usage of -staticcheck, in both modes.
const staticcheckFlagUsage = "also run the bundled staticcheck checks SA1012, SA1015, SA2000, SA2001, SA2002 and SA2003"

// vetSuite returns the analyzers to run under go vet, where unitchecker
// owns the command line: -staticcheck is declared on it (so that go
// vet's handshake accepts it) and read from args beforehand. With
// -staticcheck=false the checks are left out, and their -SA… flags are
// still accepted, and ignored.
func vetSuite(args []string) []*analysis.Analyzer {
	flag.Bool("staticcheck", true, staticcheckFlagUsage)
	if staticcheckFlag(args) {
		return suite
	}
	for _, a := range staticcheckSuite {
		flag.Bool(a.Name, false, "ignored: -staticcheck=false")
	}
	return withoutStaticcheck(suite)
}

// staticcheckFlag returns the value of the last -staticcheck flag among
// the flags at the start of args (true if there is none).
func staticcheckFlag(args []string) bool {
	on := true
	for _, arg := range args {
		if !strings.HasPrefix(arg, "-") {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name != "staticcheck" {
			continue
		}
		if !hasValue {
			on = true
		} else if b, err := strconv.ParseBool(value); err == nil {
			on = b
		}
	}
	return on
}

// dropRepeated removes the findings of bundled checks that a ctxleak
// finding of the same bug repeats on the same line.
func dropRepeated(findings []*finding) []*finding {
	type key struct {
		file     string
		line     int
		category string
	}
	ctxleak := make(map[key]bool)
	for _, f := range findings {
		if f.analyzer.Name == "ctxleak" {
			ctxleak[key{f.posn.Filename, f.posn.Line, f.diag.Category}] = true
		}
	}
	if len(ctxleak) == 0 {
		return findings
	}
	return slices.DeleteFunc(findings, func(f *finding) bool {
		cat, ok := ctxleakCategory[f.analyzer.Name]
		return ok && isStaticcheck(f.analyzer) && ctxleak[key{f.posn.Filename, f.posn.Line, cat}]
	})
}

// withIgnores returns an analyzer that runs a and drops the findings the
// directives of the package's files suppress for a, then reports the
// //asynclint:ignore comments that applied to a and suppressed nothing,
// as asynclint's own analyzers do.
func withIgnores(a *analysis.Analyzer) *analysis.Analyzer {
	title, body, _ := strings.Cut(strings.TrimSpace(a.Doc), "\n")
	if body = strings.TrimSpace(body); body != "" {
		body = "\n\n" + body
	}
	return &analysis.Analyzer{
		Name: a.Name,
		Doc: a.Name + ": " + title + body +
			"\n\nThis is staticcheck's " + a.Name + " (honnef.co/go/tools v0.8.2), bundled with asynclint; see " + a.URL +
			".\nIt honours //lint:ignore " + a.Name + " <reason>, //lint:file-ignore, //asynclint:ignore [" + a.Name + "] <reason>, and //nolint:" + a.Name + ".",
		URL:              a.URL,
		Requires:         a.Requires,
		ResultType:       a.ResultType,
		FactTypes:        a.FactTypes,
		RunDespiteErrors: a.RunDespiteErrors,
		Run: func(pass *analysis.Pass) (any, error) {
			ig := parseIgnores(pass.Fset, pass.Files, a.Name)
			report := pass.Report
			pass.Report = func(d analysis.Diagnostic) {
				if !ig.suppressed(d.Pos) {
					report(withoutBrokenFixes(pass, d))
				}
			}
			defer func() { pass.Report = report }()
			result, err := a.Run(pass)
			if err == nil {
				for _, d := range ig.unused() {
					category := "directive"
					if d.scope == "" {
						category = unusedIgnore
					}
					report(analysis.Diagnostic{Pos: d.pos, Category: category,
						Message: "//asynclint:ignore suppresses no finding: remove it"})
				}
			}
			return result, err
		},
	}
}

// withoutBrokenFixes drops the fixes of d that refer to package
// context in a file that does not import it as context: SA1012's
// context.TODO() would not compile there.
func withoutBrokenFixes(pass *analysis.Pass, d analysis.Diagnostic) analysis.Diagnostic {
	refersToContext := func(fix analysis.SuggestedFix) bool {
		for _, e := range fix.TextEdits {
			if strings.Contains(string(e.NewText), "context.") {
				return true
			}
		}
		return false
	}
	if !slices.ContainsFunc(d.SuggestedFixes, refersToContext) {
		return d
	}
	for _, f := range pass.Files {
		if f.FileStart <= d.Pos && d.Pos <= f.FileEnd {
			for _, imp := range f.Imports {
				if imp.Path.Value == `"context"` && (imp.Name == nil || imp.Name.Name == "context") {
					return d
				}
			}
		}
	}
	d.SuggestedFixes = slices.DeleteFunc(slices.Clone(d.SuggestedFixes), refersToContext)
	return d
}

// An ignore is an //asynclint:ignore that applies to one check.
type ignore struct {
	pos   token.Pos
	scope string // the check's name, or "" for an unscoped ignore
	used  bool
}

// ignores holds the directives of a package's files that apply to one
// check: where they apply, and which //asynclint:ignore were used.
type ignores struct {
	fset  *token.FileSet
	lines map[lineKey]bool      // //nolint and //lint:ignore
	files map[string]bool       // //lint:file-ignore
	own   map[lineKey][]*ignore // //asynclint:ignore on a line
	funcs []funcIgnore          // //asynclint:ignore in a function's doc comment
	all   []*ignore
}

type lineKey struct {
	file string
	line int
}

type funcIgnore struct {
	decl *ast.FuncDecl
	ig   *ignore
}

// scopeNames are the words that scope an //asynclint:ignore to a check
// other than those bundled here.
var scopeNames = []string{"blockingcall", "closecheck", "ctxleak"}

var checkID = regexp.MustCompile(`^(SA|S|ST|QF|U)[0-9]{4}$`)

// parseIgnores collects the directives of files that apply to check:
//
//   - //asynclint:ignore [check] <reason> on a line or the line above it,
//     or in the doc comment of a function, unscoped or scoped to check;
//   - //nolint, //nolint:check (also :asynclint, :staticcheck, :all),
//     on the line or the line above it;
//   - staticcheck's //lint:ignore check1,check2 <reason> (glob patterns,
//     any case), which applies to the line where the statement or
//     declaration it is attached to begins, and //lint:file-ignore.
func parseIgnores(fset *token.FileSet, files []*ast.File, check string) *ignores {
	ig := &ignores{
		fset:  fset,
		lines: make(map[lineKey]bool),
		files: make(map[string]bool),
		own:   make(map[lineKey][]*ignore),
	}
	for _, f := range files {
		tf := fset.File(f.Pos())
		if tf == nil {
			continue
		}
		name := tf.Name()
		doc := make(map[*ast.Comment]*ast.FuncDecl)
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Doc != nil {
				for _, c := range fd.Doc.List {
					doc[c] = fd
				}
			}
		}
		var code map[int]bool
		staticcheckDirectives := false
		for _, group := range f.Comments {
			for _, c := range group.List {
				if strings.HasPrefix(c.Text, "//lint:") {
					staticcheckDirectives = true
					continue
				}
				if !strings.HasPrefix(c.Text, "//asynclint:ignore") && !strings.HasPrefix(c.Text, "//nolint") {
					continue
				}
				if code == nil {
					code = codeLines(tf, f)
				}
				line := tf.Line(c.Slash)
				target := line
				if !code[line] {
					target = line + 1 // a comment alone on its line applies to the next
				}
				if names, ok := nolintNames(c.Text); ok {
					for _, n := range names {
						if n == "all" || n == "asynclint" || n == "staticcheck" || strings.EqualFold(n, check) {
							ig.lines[lineKey{name, line}] = true
							ig.lines[lineKey{name, target}] = true
						}
					}
					continue
				}
				d, ok := parseIgnore(c, check)
				if !ok {
					continue
				}
				ig.all = append(ig.all, d)
				if fd := doc[c]; fd != nil {
					ig.funcs = append(ig.funcs, funcIgnore{fd, d})
				} else {
					k := lineKey{name, target}
					ig.own[k] = append(ig.own[k], d)
				}
			}
		}
		if staticcheckDirectives {
			ig.addLintDirectives(f, check)
		}
	}
	return ig
}

// parseIgnore parses an //asynclint:ignore comment and reports whether it
// applies to check: it gives a reason and is unscoped or scoped to check.
func parseIgnore(c *ast.Comment, check string) (*ignore, bool) {
	rest, ok := strings.CutPrefix(c.Text, "//asynclint:ignore")
	if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return nil, false
	}
	if i := strings.Index(rest, "//"); i >= 0 {
		rest = rest[:i] // a trailing comment on the directive
	}
	first, after, _ := strings.Cut(strings.TrimSpace(rest), " ")
	d := &ignore{pos: c.Slash}
	reason := strings.TrimSpace(rest)
	switch {
	case first == check:
		d.scope, reason = check, strings.TrimSpace(after)
	case slices.Contains(scopeNames, first) || checkID.MatchString(first):
		return nil, false // scoped to another analyzer
	}
	return d, reason != ""
}

// addLintDirectives adds the //lint:ignore and //lint:file-ignore
// directives of f that name check, as staticcheck reads them.
func (ig *ignores) addLintDirectives(f *ast.File, check string) {
	for _, d := range lint.ParseDirectives([]*ast.File{f}, ig.fset) {
		if d.Command != "ignore" && d.Command != "file-ignore" || len(d.Arguments) < 2 {
			continue // staticcheck requires a reason, and ignores nothing without one
		}
		matches := false
		for _, pattern := range strings.Split(d.Arguments[0], ",") {
			if ok, _ := filepath.Match(strings.ToLower(pattern), strings.ToLower(check)); ok {
				matches = true
			}
		}
		if !matches {
			continue
		}
		posn := ig.fset.Position(d.Node.Pos())
		if d.Command == "file-ignore" {
			ig.files[posn.Filename] = true
		} else {
			ig.lines[lineKey{posn.Filename, posn.Line}] = true
		}
	}
}

// suppressed reports whether a finding at pos is suppressed, and marks
// the //asynclint:ignore that suppresses it used.
func (ig *ignores) suppressed(pos token.Pos) bool {
	posn := ig.fset.Position(pos)
	k := lineKey{posn.Filename, posn.Line}
	if ig.files[k.file] || ig.lines[k] {
		return true
	}
	if ds := ig.own[k]; len(ds) > 0 {
		for _, d := range ds {
			d.used = true
		}
		return true
	}
	for _, fi := range ig.funcs {
		if fi.decl.Pos() <= pos && pos < fi.decl.End() {
			fi.ig.used = true
			return true
		}
	}
	return false
}

// unused returns the //asynclint:ignore comments that suppressed nothing.
func (ig *ignores) unused() []*ignore {
	var out []*ignore
	for _, d := range ig.all {
		if !d.used {
			out = append(out, d)
		}
	}
	return out
}

// codeLines returns the lines of f on which some code ends: a directive
// on such a line is a trailing comment and applies to its own line.
func codeLines(tf *token.File, f *ast.File) map[int]bool {
	lines := make(map[int]bool)
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

// nolintNames returns the linters a //nolint comment names ("all" for a
// bare //nolint), and whether the comment is one.
func nolintNames(text string) ([]string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(text, "//")), "nolint")
	switch {
	case !ok:
		return nil, false
	case rest == "" || rest[0] == ' ':
		return []string{"all"}, true
	case rest[0] != ':':
		return nil, false
	}
	list, _, _ := strings.Cut(rest[1:], " ")
	var names []string
	for n := range strings.SplitSeq(list, ",") {
		names = append(names, strings.TrimSpace(n))
	}
	return names, true
}
