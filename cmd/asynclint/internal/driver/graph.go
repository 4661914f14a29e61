package driver

import (
	"context"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
)

// A graph is the import graph of the roots, with the analyzers to run
// on each package.
type graph struct {
	fset      *token.FileSet
	sizes     types.Sizes
	analyzers []*analysis.Analyzer // given and required, each after those it requires
	index     map[*analysis.Analyzer]int
	given     []bool // by index: given to Run, so its diagnostics are kept

	roots []*node
	nodes []*node // each after its dependencies

	// byTypes finds the node of a package, to decide whether a
	// fact about one of its objects is visible to another.
	// It is complete before any package is processed.
	byTypes map[*types.Package]*node

	// exportMu serializes reading export data, which may add
	// objects to the not yet loaded packages it mentions.
	exportMu sync.Mutex
}

// A node is one package of the graph.
type node struct {
	pkg     *Package // what Run reports
	types   *types.Package
	imports map[string]*node // keyed like pkg.Imports
	deps    []*node          // the values of imports, in order of import path
	rdeps   []*node          // importers
	root    bool
	std     bool   // in GOROOT/src
	export  string // export data file, for a package not checked from source

	// want[i] says that g.analyzers[i] runs on the package.
	want []bool

	// source says that the package is type-checked from syntax,
	// and importers see those types. separate says that it is
	// analysed from syntax type-checked into a types.Package of
	// its own, while importers see its types from export data and
	// its facts moved onto them. Otherwise its types come from
	// export data, read when an importer first needs them.
	source, separate bool

	pending atomic.Int32 // dependencies not yet processed

	loaded    bool  // export data read; guarded by graph.exportMu
	exportErr error // why it could not be; guarded by graph.exportMu

	// failed[i] says that g.analyzers[i] did not complete, so
	// importers needing its facts cannot run it either.
	failed []bool
	facts  []*factSet // by analyzer index; nil if none exported

	// closure holds the transitive dependencies while the
	// package is being analysed: computed on demand, then
	// dropped.
	closure map[*node]bool
}

func newGraph(cfg Config, analyzers []*analysis.Analyzer, roots []*packages.Package, goroot string) *graph {
	g := &graph{
		fset:    token.NewFileSet(),
		index:   make(map[*analysis.Analyzer]int),
		byTypes: make(map[*types.Package]*node),
	}

	// Order the analyzers so that each comes after those it requires,
	// and run them in that order on each package.
	var order func(a *analysis.Analyzer)
	order = func(a *analysis.Analyzer) {
		if _, ok := g.index[a]; ok {
			return
		}
		for _, req := range a.Requires {
			order(req)
		}
		g.index[a] = len(g.analyzers)
		g.analyzers = append(g.analyzers, a)
	}
	for _, a := range analyzers {
		order(a)
	}
	g.given = make([]bool, len(g.analyzers))
	for _, a := range analyzers {
		g.given[g.index[a]] = true
	}

	stdPrefix := ""
	if goroot != "" {
		stdPrefix = filepath.Join(goroot, "src") + string(filepath.Separator)
	}
	nodes := make(map[*packages.Package]*node)
	for lp := range packages.Postorder(roots) {
		n := &node{
			pkg: &Package{
				ID:              lp.ID,
				PkgPath:         lp.PkgPath,
				Name:            lp.Name,
				Module:          lp.Module,
				GoFiles:         lp.GoFiles,
				CompiledGoFiles: lp.CompiledGoFiles,
				OtherFiles:      lp.OtherFiles,
				IgnoredFiles:    lp.IgnoredFiles,
				Errors:          lp.Errors,
				Imports:         make(map[string]*Package, len(lp.Imports)),
			},
			imports: make(map[string]*node, len(lp.Imports)),
			std:     stdPrefix != "" && strings.HasPrefix(lp.Dir+string(filepath.Separator), stdPrefix),
			want:    make([]bool, len(g.analyzers)),
			failed:  make([]bool, len(g.analyzers)),
		}
		if lp.PkgPath == "unsafe" {
			n.types = types.Unsafe
		} else {
			// Importers of a package read from export data
			// may mention it before it is read: create it now,
			// so that there is one types.Package per node.
			n.types = types.NewPackage(lp.PkgPath, lp.Name)
		}
		for path, imp := range lp.Imports {
			dep := nodes[imp]
			if dep == nil {
				// An import cycle, which go list reports as an
				// error: leave the edge out, or the package
				// would wait for itself.
				continue
			}
			n.imports[path] = dep
			n.pkg.Imports[path] = dep.pkg
			dep.rdeps = append(dep.rdeps, n)
		}
		for _, path := range sortedKeys(n.imports) {
			n.deps = append(n.deps, n.imports[path])
		}
		n.pending.Store(int32(len(n.deps)))
		nodes[lp] = n
		g.nodes = append(g.nodes, n)
		g.byTypes[n.types] = n
		if g.sizes == nil {
			g.sizes = lp.TypesSizes
		}
	}
	for _, lp := range roots {
		n := nodes[lp]
		n.root = true
		g.roots = append(g.roots, n)
	}
	if g.sizes == nil {
		g.sizes = types.SizesFor("gc", runtime.GOARCH)
	}

	// Decide what runs where, importers before their dependencies:
	// the given analyzers on the roots, an analyzer with facts on
	// the dependencies of every package it runs on, and the
	// analyzers required by one wherever it runs.
	var want func(n *node, i int)
	want = func(n *node, i int) {
		if n.want[i] {
			return
		}
		n.want[i] = true
		for _, req := range g.analyzers[i].Requires {
			want(n, g.index[req])
		}
	}
	for _, n := range g.roots {
		for _, a := range analyzers {
			want(n, g.index[a])
		}
	}
	for _, n := range slices.Backward(g.nodes) {
		for i, a := range g.analyzers {
			if n.want[i] && len(a.FactTypes) > 0 {
				for _, dep := range n.deps {
					want(dep, i)
				}
			}
		}
	}
	for _, n := range g.nodes {
		// Export data is found by package path, which names
		// no test variant.
		variant := n.pkg.ID != n.pkg.PkgPath
		switch {
		case !slices.Contains(n.want, true):
			n.source = variant && n.types != types.Unsafe
		case n.std && !n.root && !cfg.SourceStd && !variant:
			n.separate = true
		default:
			n.source = true
		}
	}
	return g
}

// findExportData asks go list for the export data of the packages
// whose types come from it and that a package checked from source
// imports, and of the separately analysed ones: those are the only
// ones read. go list compiles them and their dependencies, if the
// build cache lacks them, but not the packages checked from source, as
// go list -deps -export would.
//
// A package without export data, say because it does not compile, is
// checked from source instead, and so are its dependencies that lack
// export data in turn.
func (g *graph) findExportData(ctx context.Context, cfg Config, env []string) error {
	need := make(map[string]*node)
	for _, n := range g.nodes {
		if n.separate {
			need[n.pkg.PkgPath] = n
		}
		if n.source || n.separate {
			for _, dep := range n.deps {
				if !dep.source && dep.types != types.Unsafe {
					need[dep.pkg.PkgPath] = dep
				}
			}
		}
	}
	if len(need) > 0 {
		pkgs, err := packages.Load(&packages.Config{
			Context:    ctx,
			Mode:       packages.NeedName | packages.NeedExportFile,
			Dir:        cfg.Dir,
			Env:        env,
			BuildFlags: cfg.BuildFlags,
		}, sortedKeys(need)...)
		if err != nil {
			return err
		}
		for _, p := range pkgs {
			if n := need[p.PkgPath]; n != nil && len(p.Errors) == 0 {
				n.export = p.ExportFile
			}
		}
	}
	for _, n := range slices.Backward(g.nodes) {
		if n.separate && n.export == "" {
			n.separate, n.source = false, true
		}
		if n.source || n.separate {
			for _, dep := range n.deps {
				if !dep.source && !dep.separate && dep.types != types.Unsafe && dep.export == "" {
					dep.source = true
				}
			}
		}
	}
	return nil
}

// run processes the packages, each once its dependencies are done, as
// many at a time as there are CPUs, until ctx is done.
func (g *graph) run(ctx context.Context) error {
	ready := make(chan *node, len(g.nodes))
	for _, n := range g.nodes {
		if n.pending.Load() == 0 {
			ready <- n
		}
	}
	var (
		wg   sync.WaitGroup
		left atomic.Int32
	)
	left.Store(int32(len(g.nodes)))
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for n := range ready {
				if ctx.Err() == nil {
					g.process(n)
				}
				for _, r := range n.rdeps {
					if r.pending.Add(-1) == 0 {
						ready <- r
					}
				}
				if left.Add(-1) == 0 {
					close(ready)
				}
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// process type-checks a package from source, if it is one, and
// analyses it, keeping only its types, facts and, for a root, its
// diagnostics. Packages whose types come from export data are read
// when an importer first needs them.
func (g *graph) process(n *node) {
	switch {
	case n.source:
		u := g.check(n, n.types)
		if slices.Contains(n.want, true) {
			g.analyse(n, u)
		}
	case n.separate:
		// The types importers see must be there to receive
		// the facts; an error reading them is the package's.
		_ = g.load(n)
		u := g.check(n, types.NewPackage(n.pkg.PkgPath, n.pkg.Name))
		g.analyse(n, u)
		g.moveFacts(n, u.pkg)
		// Nothing refers to the syntax any longer: not even the
		// objects importers see, whose positions are those of
		// the export data.
		for _, f := range u.files {
			g.fset.RemoveFile(g.fset.File(f.FileStart))
		}
	}
	n.closure = nil
}

// dependsOn reports whether dep is among the transitive dependencies
// of n.
func (n *node) dependsOn(dep *node) bool {
	return n.transitive()[dep]
}

// transitive returns the transitive dependencies of n.
func (n *node) transitive() map[*node]bool {
	if n.closure == nil {
		n.closure = make(map[*node]bool)
		var visit func(*node)
		visit = func(m *node) {
			for _, d := range m.deps {
				if !n.closure[d] {
					n.closure[d] = true
					visit(d)
				}
			}
		}
		visit(n)
	}
	return n.closure
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
