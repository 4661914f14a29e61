package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"go/token"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"

	"github.com/asynclint/asynclint/cmd/asynclint/internal/driver"
)

// unusedIgnore is the category of an analyzer's report that an unscoped
// //asynclint:ignore did nothing for it (directive.UnusedCategory in the
// analyzers' shared code, which commands cannot import).
const unusedIgnore = "unused-ignore"

// A finding is a diagnostic of a root package, reported once even if
// its file was analyzed as part of several packages.
type finding struct {
	pkg      *driver.Package // the first package that reported it
	analyzer *analysis.Analyzer
	diag     analysis.Diagnostic
	posn     token.Position
	fset     *token.FileSet
}

// analyze loads the packages, runs the analyzers on them, prints or
// fixes what they find according to opts, and returns the exit status.
func analyze(analyzers []*analysis.Analyzer, opts options) int {
	// The driver checks one package at a time and keeps only types and
	// facts of the dependencies, which is what keeps memory flat on large
	// module graphs.
	res, err := driver.Run(context.Background(), driver.Config{Tests: opts.tests}, analyzers, opts.patterns...)
	if err != nil {
		log.Print(err)
		return exitError
	}
	if len(res.Packages) == 0 {
		log.Printf("%s matched no packages", strings.Join(opts.patterns, " "))
		return exitError
	}
	status := exitClean
	if printLoadErrors(res) {
		status = exitError
	}
	if printAnalysisErrors(res) {
		status = exitError
	}

	findings := dropRepeated(collect(res, len(analyzers)))
	findings, done, code := gate(res, findings, status)
	if done {
		return code
	}
	switch {
	case gateOpts.sarif:
		err = printSARIF(os.Stdout, res, analyzers, findings, status)
	case opts.json:
		err = printJSON(os.Stdout, res, findings)
	case opts.fix || opts.diff:
		unfixed, ok := fix(res, findings, !opts.diff)
		if !ok {
			status = exitError
		}
		printText(os.Stderr, unfixed)
		if opts.diff && len(findings) > 0 || len(unfixed) > 0 {
			status = max(status, exitFindings)
		}
		return status
	default:
		printText(os.Stderr, findings)
	}
	if err != nil {
		log.Print(err)
		return exitError
	}
	if len(findings) > 0 {
		status = max(status, exitFindings)
	}
	return status
}

// printLoadErrors prints the errors of every package in the import
// graph, each once, and reports whether there were any.
//
// Package errors, unlike analysis errors, are printed whatever the
// output format: they mean some findings may be missing.
func printLoadErrors(res *driver.Result) bool {
	seen := make(map[string]bool)
	print := func(msg string) {
		if !seen[msg] {
			seen[msg] = true
			fmt.Fprintln(os.Stderr, msg)
		}
	}
	for pkg := range res.All() {
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

// rootCause reports whether an analyzer's failure is its own rather than
// the echo of a failure already printed: a dependency's failure, or a
// package skipped for its type errors.
func rootCause(err error) bool {
	return err != nil && !errors.Is(err, driver.ErrIllTyped) && !errors.Is(err, driver.ErrPrerequisite)
}

// printAnalysisErrors prints the errors of analyzers, each at the
// package where it failed, and reports whether there were any.
func printAnalysisErrors(res *driver.Result) bool {
	failed := false
	for pkg := range res.All() {
		for _, a := range sortedAnalyzers(pkg.Failures) {
			if err := pkg.Failures[a]; rootCause(err) {
				log.Printf("%s: analyzer %s failed: %v", pkg.ID, a.Name, err)
				failed = true
			}
		}
	}
	return failed
}

func sortedAnalyzers[V any](m map[*analysis.Analyzer]V) []*analysis.Analyzer {
	return slices.SortedFunc(maps.Keys(m), func(x, y *analysis.Analyzer) int { return cmp.Compare(x.Name, y.Name) })
}

// collect returns the diagnostics of the root packages, without the
// copies that arise when a file is analyzed both as part of its
// package and of the package's test variant, in order of position.
//
// An unscoped //asynclint:ignore that suppressed nothing is reported by
// each analyzer it did nothing for (unusedIgnore); it is stale
// only if it did nothing for all n analyzers of the run.
func collect(res *driver.Result, n int) []*finding {
	roots := slices.Clone(res.Packages)
	// Sort so that each finding is attributed to the same
	// package every time: p before "p [p.test]".
	slices.SortFunc(roots, func(x, y *driver.Package) int { return cmp.Compare(x.ID, y.ID) })
	type key struct {
		analyzer string
		posn     token.Position
		message  string
	}
	unusedBy := make(map[token.Position]map[string]bool)
	for _, pkg := range roots {
		for a, diags := range pkg.Diagnostics {
			for _, diag := range diags {
				if diag.Category == unusedIgnore {
					posn := res.Fset.Position(diag.Pos)
					if unusedBy[posn] == nil {
						unusedBy[posn] = make(map[string]bool)
					}
					unusedBy[posn][a.Name] = true
				}
			}
		}
	}
	seen := make(map[key]bool)
	var findings []*finding
	for _, pkg := range roots {
		for _, a := range sortedAnalyzers(pkg.Diagnostics) {
			for _, diag := range pkg.Diagnostics[a] {
				posn := res.Fset.Position(diag.Pos)
				k := key{a.Name, posn, diag.Message}
				if diag.Category == unusedIgnore {
					if len(unusedBy[posn]) < n {
						continue // another analyzer used the ignore
					}
					k.analyzer = "" // one report, not one per analyzer
				}
				if !seen[k] {
					seen[k] = true
					findings = append(findings, &finding{pkg, a, diag, posn, res.Fset})
				}
			}
		}
	}
	slices.SortStableFunc(findings, func(x, y *finding) int {
		return cmp.Or(
			cmp.Compare(x.posn.Filename, y.posn.Filename),
			cmp.Compare(x.posn.Offset, y.posn.Offset),
			cmp.Compare(x.analyzer.Name, y.analyzer.Name),
			cmp.Compare(x.diag.Message, y.diag.Message))
	})
	return findings
}

// workDir returns the current directory, which asynclint never changes,
// once rather than for every printed position.
var workDir = sync.OnceValues(os.Getwd)

// shortPath returns path relative to the current directory if that is
// shorter and does not leave it, as the go command prints file names.
func shortPath(path string) string {
	if cwd, err := workDir(); err == nil {
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
