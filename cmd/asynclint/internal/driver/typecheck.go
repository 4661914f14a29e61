package driver

import (
	"bufio"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/types"
	"os"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// A unit is the syntax and type information of a package checked from
// source, which live only while the package is analysed.
type unit struct {
	pkg        *types.Package
	files      []*ast.File
	info       *types.Info
	typeErrors []types.Error
}

// check parses and type-checks a package into pkg, recording its
// errors.
func (g *graph) check(n *node, pkg *types.Package) *unit {
	u := &unit{
		pkg: pkg,
		info: &types.Info{
			Types:        make(map[ast.Expr]types.TypeAndValue),
			Defs:         make(map[*ast.Ident]types.Object),
			Uses:         make(map[*ast.Ident]types.Object),
			Implicits:    make(map[ast.Node]types.Object),
			Instances:    make(map[*ast.Ident]types.Instance),
			Scopes:       make(map[ast.Node]*types.Scope),
			Selections:   make(map[*ast.SelectorExpr]*types.Selection),
			FileVersions: make(map[*ast.File]string),
		},
	}
	errs := &n.pkg.Errors
	for _, name := range n.pkg.CompiledGoFiles {
		src, err := os.ReadFile(name)
		if err != nil {
			*errs = append(*errs, packages.Error{Pos: name + ":1", Msg: err.Error(), Kind: packages.ParseError})
			continue
		}
		// Object resolution is kept, as go/packages keeps it, for
		// analyzers that still consult ast.Ident.Obj.
		f, err := parser.ParseFile(g.fset, name, src, parser.AllErrors|parser.ParseComments)
		var list scanner.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				*errs = append(*errs, packages.Error{Pos: e.Pos.String(), Msg: e.Msg, Kind: packages.ParseError})
			}
		} else if err != nil {
			*errs = append(*errs, packages.Error{Pos: name + ":1", Msg: err.Error(), Kind: packages.ParseError})
		}
		if f != nil {
			u.files = append(u.files, f)
			if n.root && ast.IsGenerated(f) {
				n.pkg.GeneratedFiles = append(n.pkg.GeneratedFiles, name)
			}
		}
	}

	conf := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			return g.importFor(n, path)
		}),
		Sizes: g.sizes,
		Error: func(err error) {
			terr, ok := err.(types.Error)
			if !ok {
				*errs = append(*errs, packages.Error{Pos: "-", Msg: err.Error(), Kind: packages.TypeError})
				return
			}
			u.typeErrors = append(u.typeErrors, terr)
			*errs = append(*errs, packages.Error{
				Pos:  terr.Fset.Position(terr.Pos).String(),
				Msg:  terr.Msg,
				Kind: packages.TypeError,
			})
		},
	}
	if mod := n.pkg.Module; mod != nil && mod.GoVersion != "" {
		conf.GoVersion = "go" + mod.GoVersion
	}
	err := types.NewChecker(conf, g.fset, pkg, u.info).Files(u.files)
	if err != nil && len(*errs) == 0 {
		// An error the checker did not pass to conf.Error,
		// such as a Go version it does not support.
		*errs = append(*errs, packages.Error{Pos: "-", Msg: err.Error(), Kind: packages.TypeError})
	}
	n.pkg.IllTyped = len(*errs) > 0
	return u
}

// importFor returns the types of the package that n imports by path,
// reading them from export data if no importer has yet.
func (g *graph) importFor(n *node, path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	dep := n.imports[path]
	if dep == nil {
		return nil, fmt.Errorf("no metadata for %s", path)
	}
	if dep.source {
		return dep.types, nil // complete: dependencies are processed first
	}
	// Importers of a separately analysed package see its types
	// from export data too, like those of any other.
	if err := g.load(dep); err != nil {
		return nil, err
	}
	return dep.types, nil
}

// load reads the export data of n, once.
func (g *graph) load(n *node) error {
	g.exportMu.Lock()
	defer g.exportMu.Unlock()
	if n.loaded {
		return n.exportErr
	}
	n.loaded = true
	n.exportErr = g.readExport(n)
	if n.exportErr != nil {
		n.pkg.Errors = append(n.pkg.Errors, packages.Error{Pos: "-", Msg: n.exportErr.Error(), Kind: packages.UnknownError})
	}
	return n.exportErr
}

func (g *graph) readExport(n *node) error {
	f, err := os.Open(n.export)
	if err != nil {
		return err
	}
	defer f.Close()
	//nolint:staticcheck // SA1019: go list -export gives archives, which NewReader reads until Go 1.29
	r, err := gcexportdata.NewReader(bufio.NewReader(f))
	if err != nil {
		return fmt.Errorf("reading export data of %s: %v", n.pkg.ID, err)
	}

	// Export data names packages by path, which is unique within
	// the transitive dependencies of one package, test variants
	// included. The view holds them all, n too, so that every
	// object the data mentions is found in, or added to, the
	// types.Package of its node.
	view := make(map[string]*types.Package)
	var visit func(m *node)
	visit = func(m *node) {
		if _, ok := view[m.pkg.PkgPath]; !ok {
			view[m.pkg.PkgPath] = m.types
			for _, dep := range m.deps {
				visit(dep)
			}
		}
	}
	visit(n)
	if _, err := gcexportdata.Read(r, g.fset, view, n.pkg.PkgPath); err != nil {
		return fmt.Errorf("reading export data of %s: %v", n.pkg.ID, err)
	}
	return nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
