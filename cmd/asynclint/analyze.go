package main

import (
	"cmp"
	"fmt"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// A finding is a diagnostic of a root package, reported once even if
// its file was analyzed as part of several packages.
type finding struct {
	act  *checker.Action // the first action that reported it
	diag analysis.Diagnostic
	posn token.Position
}

func (f *finding) fset() *token.FileSet { return f.act.Package.Fset }

// analyze loads the packages, runs the analyzers on them, prints or
// fixes what they find according to opts, and returns the exit status.
func analyze(analyzers []*analysis.Analyzer, opts options) int {
	conf := &packages.Config{
		// The analyzers exchange facts across packages, so every
		// dependency is needed from source, not just the roots.
		Mode:  packages.LoadAllSyntax | packages.NeedModule,
		Tests: opts.tests,
	}
	pkgs, err := packages.Load(conf, opts.patterns...)
	if err != nil {
		log.Print(err)
		return exitError
	}
	if len(pkgs) == 0 {
		log.Printf("%s matched no packages", strings.Join(opts.patterns, " "))
		return exitError
	}
	status := exitClean
	if printLoadErrors(pkgs) {
		status = exitError
	}

	guard(analyzers)
	graph, err := checker.Analyze(analyzers, pkgs, nil)
	if err != nil {
		log.Print(err) // an invalid analyzer
		return exitError
	}
	if printAnalysisErrors(graph) {
		status = exitError
	}

	findings := collect(graph)
	switch {
	case opts.json:
		if err := printJSON(os.Stdout, graph, findings); err != nil {
			log.Print(err)
			return exitError
		}
		if len(findings) > 0 {
			status = max(status, exitFindings)
		}
	case opts.fix || opts.diff:
		unfixed, ok := fix(graph, findings, !opts.diff)
		if !ok {
			status = exitError
		}
		printText(os.Stderr, unfixed)
		if opts.diff && len(findings) > 0 || len(unfixed) > 0 {
			status = max(status, exitFindings)
		}
	default:
		printText(os.Stderr, findings)
		if len(findings) > 0 {
			status = max(status, exitFindings)
		}
	}
	return status
}

// printLoadErrors prints the errors of every package in the import
// graph of pkgs, each once, and reports whether there were any.
//
// Package errors, unlike analysis errors, are printed whatever the
// output format: they mean some findings may be missing.
func printLoadErrors(pkgs []*packages.Package) bool {
	seen := make(map[string]bool)
	print := func(msg string) {
		if !seen[msg] {
			seen[msg] = true
			fmt.Fprintln(os.Stderr, msg)
		}
	}
	for pkg := range packages.Postorder(pkgs) {
		for _, err := range pkg.Errors {
			if err.Pos == "" {
				print(pkg.PkgPath + ": " + err.Msg)
			} else {
				print(shortPosn(err.Pos) + ": " + err.Msg)
			}
		}
		if mod := pkg.Module; mod != nil && mod.Error != nil {
			print(mod.Error.Err)
		}
	}
	return len(seen) > 0
}

// printAnalysisErrors prints the errors of analyzers, each at the
// action that failed, and reports whether there were any.
//
// The checker does not run analyzers on ill-typed packages (their
// errors were printed by printLoadErrors), and fails each action that
// depends on a failed one; neither adds information.
func printAnalysisErrors(graph *checker.Graph) bool {
	failed := false
	for act := range graph.All() {
		if act.Err == nil || act.Package.IllTyped || slices.ContainsFunc(act.Deps, hasErr) {
			continue
		}
		log.Printf("%s: analyzer %s failed: %v", act.Package.ID, act.Analyzer.Name, act.Err)
		failed = true
	}
	return failed
}

func hasErr(act *checker.Action) bool { return act.Err != nil }

// collect returns the diagnostics of the root actions, without the
// copies that arise when a file is analyzed both as part of its
// package and of the package's test variant, in order of position.
func collect(graph *checker.Graph) []*finding {
	roots := slices.Clone(graph.Roots)
	// Sort so that each finding is attributed to the same
	// package every time: p before "p [p.test]".
	slices.SortFunc(roots, func(x, y *checker.Action) int {
		return cmp.Or(
			cmp.Compare(x.Package.ID, y.Package.ID),
			cmp.Compare(x.Analyzer.Name, y.Analyzer.Name))
	})
	type key struct {
		analyzer string
		posn     token.Position
		message  string
	}
	seen := make(map[key]bool)
	var findings []*finding
	for _, act := range roots {
		for _, diag := range act.Diagnostics {
			posn := act.Package.Fset.Position(diag.Pos)
			k := key{act.Analyzer.Name, posn, diag.Message}
			if !seen[k] {
				seen[k] = true
				findings = append(findings, &finding{act, diag, posn})
			}
		}
	}
	slices.SortStableFunc(findings, func(x, y *finding) int {
		return cmp.Or(
			cmp.Compare(x.posn.Filename, y.posn.Filename),
			cmp.Compare(x.posn.Offset, y.posn.Offset),
			cmp.Compare(x.act.Analyzer.Name, y.act.Analyzer.Name),
			cmp.Compare(x.diag.Message, y.diag.Message))
	})
	return findings
}

// guard turns a panic in any of the analyzers, or in the analyzers
// they require, into an error of the action that panicked: the checker
// runs analyzers on goroutines of its own and does not recover, so a
// panic would otherwise end the process without naming the package.
func guard(analyzers []*analysis.Analyzer) {
	seen := make(map[*analysis.Analyzer]bool)
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		run := a.Run
		a.Run = func(pass *analysis.Pass) (_ any, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
				}
			}()
			return run(pass)
		}
		for _, req := range a.Requires {
			visit(req)
		}
	}
	for _, a := range analyzers {
		visit(a)
	}
}

// shortPath returns path relative to the current directory if that is
// shorter and does not leave it, as the go command prints file names.
func shortPath(path string) string {
	if cwd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(cwd, path); err == nil && len(rel) < len(path) &&
			rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return rel
		}
	}
	return path
}

// shortPosn applies shortPath to the file name of a position printed
// as file:line:col, file:line or file.
func shortPosn(posn string) string {
	file, rest := posn, ""
	for range 2 {
		i := strings.LastIndexByte(file, ':')
		if i < 0 || !isDigits(file[i+1:]) {
			break
		}
		file, rest = file[:i], file[i:]+rest
	}
	return shortPath(file) + rest
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
