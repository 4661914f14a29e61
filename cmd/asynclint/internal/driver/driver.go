// Package driver runs analyzers on packages, and on those of their
// dependencies whose facts the analyzers need, holding the syntax of
// only a few packages in memory at a time.
//
// Unlike golang.org/x/tools/go/analysis/checker, which wants every
// package of the import graph parsed and type-checked up front
// (packages.LoadAllSyntax), the driver asks go list for metadata, and
// for the export data of the packages it will not check from source.
// It then visits the graph in dependency order, several packages at
// once: a package that some analyzer must see is parsed, type-checked
// against its dependencies' types and analysed, after which its
// syntax, type information and analysis results are dropped, keeping
// its types and facts for its importers. A package no analyzer needs
// to see gets its types from export data, and only if an importer
// asks for them.
//
// Standard-library dependencies are analysed too, though the
// analyzers of this suite know their API from a catalog and do nothing
// there, because the analyzers they require do not: ctrlflow records
// that log.Fatal, os.Exit and t.Skip do not return, and without those
// facts the code after such calls would count as reachable. But their
// types, which every importer keeps, come from export data, which is
// much smaller than the types of a package checked from source: each
// is checked into a types.Package of its own, analysed, and its facts
// moved onto the objects of the export data, as a driver that analyses
// packages in separate processes (unitchecker) would.
package driver

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
)

// A Config says how to find packages.
type Config struct {
	Dir        string   // directory in which to run go list; "" means the current one
	Tests      bool     // also analyse the test packages and test variants of the roots
	Env        []string // added to os.Environ() for go commands; later entries win
	BuildFlags []string // passed to go list

	// SourceStd says that importers of standard-library packages
	// see their types as checked from source, as with the checker
	// package, rather than from export data. It should make no
	// difference but to memory, of which it takes half as much
	// again or more.
	SourceStd bool
}

// A Result holds what analysis found in the packages that matched the
// patterns given to Run.
type Result struct {
	Fset     *token.FileSet // positions of diagnostics and errors
	Packages []*Package     // the roots, in the order go list printed them
}

// All returns the roots and every package they depend on, each after
// its dependencies.
func (r *Result) All() iter.Seq[*Package] {
	return func(yield func(*Package) bool) {
		seen := make(map[*Package]bool)
		var visit func(p *Package) bool
		visit = func(p *Package) bool {
			if seen[p] {
				return true
			}
			seen[p] = true
			for _, path := range sortedKeys(p.Imports) {
				if !visit(p.Imports[path]) {
					return false
				}
			}
			return yield(p)
		}
		for _, p := range r.Packages {
			if !visit(p) {
				return
			}
		}
	}
}

// A Package describes one package of the import graph. For packages
// other than the roots it holds only what explains missing findings:
// their errors and the failures of analyzers on them.
type Package struct {
	ID      string // as go list prints it, such as "p [p.test]"
	PkgPath string
	Name    string
	Module  *packages.Module // nil in the standard library

	GoFiles         []string
	CompiledGoFiles []string // the files parsed, as cgo rewrote them; positions map back to GoFiles
	OtherFiles      []string
	IgnoredFiles    []string
	// GeneratedFiles are those CompiledGoFiles of a root marked
	// "Code generated ... DO NOT EDIT.", which fixes should not touch.
	GeneratedFiles []string

	Imports map[string]*Package // keyed by import path as written in the source

	// Errors are go list, parse and type errors, and failures to
	// read export data. Type errors have positions "file:line:col".
	Errors []packages.Error
	// IllTyped reports whether the package has errors of its own.
	// Analyzers that do not RunDespiteErrors skip it; its importers
	// are analysed all the same, with whatever types it has.
	IllTyped bool

	// Diagnostics are those of the analyzers given to Run, in the
	// order each reported them. Only roots have them.
	Diagnostics map[*analysis.Analyzer][]analysis.Diagnostic

	// Failures holds, for each analyzer that should have run on
	// the package but did not complete, why. Errors of the
	// analyzer itself (including a panic) are reported where they
	// happened; importers that needed its facts, and analyzers
	// that require it, fail with an error wrapping
	// ErrPrerequisite. On a root, an analyzer given to Run but
	// skipped because of IllTyped fails with ErrIllTyped.
	Failures map[*analysis.Analyzer]error
}

var (
	// ErrIllTyped is the failure of an analyzer not run because of
	// errors in the package.
	ErrIllTyped = errors.New("analysis skipped due to errors in package")

	// ErrPrerequisite is wrapped by the failure of an analyzer not
	// run because it, or an analyzer it requires, failed on the
	// package or one of its dependencies.
	ErrPrerequisite = errors.New("failed prerequisites")
)

// Run loads the packages matching patterns and analyses them with the
// analyzers, running each also on the dependencies whose facts it
// needs, and the analyzers they require wherever they run.
//
// Run fails only if the analyzers are invalid, go list cannot run or
// matches nothing, or ctx is done before the analysis is. Errors in
// packages, and failures of analyzers, are in the Result.
func Run(ctx context.Context, cfg Config, analyzers []*analysis.Analyzer, patterns ...string) (*Result, error) {
	if err := analysis.Validate(analyzers); err != nil {
		return nil, err
	}
	env := append(os.Environ(), cfg.Env...)

	// The standard library is recognised by its directory.
	root, err := goroot(ctx, cfg.Dir, env)
	if err != nil {
		return nil, err
	}
	roots, err := packages.Load(&packages.Config{
		Context: ctx,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
			packages.NeedImports | packages.NeedDeps | packages.NeedModule | packages.NeedTypesSizes,
		Dir:        cfg.Dir,
		Env:        env,
		BuildFlags: cfg.BuildFlags,
		Tests:      cfg.Tests,
	}, patterns...)
	if err != nil {
		return nil, err
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("%s matched no packages", strings.Join(patterns, " "))
	}

	g := newGraph(cfg, analyzers, roots, root)
	if err := g.findExportData(ctx, cfg, env); err != nil {
		return nil, err
	}
	if err := g.run(ctx); err != nil {
		return nil, err
	}

	res := &Result{Fset: g.fset}
	for _, n := range g.roots {
		res.Packages = append(res.Packages, n.pkg)
	}
	return res, nil
}

// goroot returns the GOROOT of the go command that lists packages, which
// need not be the one this program was built with.
func goroot(ctx context.Context, dir string, env []string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOROOT")
	cmd.Dir = dir
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("go env GOROOT: %w: %s", err, msg)
		}
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	root := strings.TrimSpace(string(out))
	if root == "" {
		return "", nil
	}
	return filepath.Clean(root), nil
}
