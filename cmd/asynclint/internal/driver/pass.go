package driver

import (
	"cmp"
	"fmt"
	"go/token"
	"go/types"
	"net/url"
	"os"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/objectpath"
)

// A factSet holds the facts one analyzer exported on one package.
type factSet struct {
	objects  map[objectFactKey]analysis.Fact // about objects of the package
	packages map[reflect.Type]analysis.Fact  // about the package
}

type objectFactKey struct {
	obj types.Object
	typ reflect.Type
}

// analyse runs the analyzers wanted on n, each after those it requires.
func (g *graph) analyse(n *node, u *unit) {
	results := make([]any, len(g.analyzers))
	skipped := make([]bool, len(g.analyzers))
	for i, a := range g.analyzers {
		if !n.want[i] {
			continue
		}
		err := g.prerequisites(n, i)
		reqSkipped := false
		for _, req := range a.Requires {
			reqSkipped = reqSkipped || skipped[g.index[req]]
		}
		if err == nil && n.pkg.IllTyped && (!a.RunDespiteErrors || reqSkipped) {
			// Not a failure that importers inherit: they
			// run with whatever facts there are.
			skipped[i] = true
			if n.root && g.given[i] {
				n.setFailure(a, ErrIllTyped)
			}
			continue
		}
		if err == nil {
			// Diagnostics reported before a failure are
			// kept, as the checker package keeps them.
			var diags []analysis.Diagnostic
			results[i], diags, err = g.runPass(n, u, i, results)
			if n.root && g.given[i] && len(diags) > 0 {
				if n.pkg.Diagnostics == nil {
					n.pkg.Diagnostics = make(map[*analysis.Analyzer][]analysis.Diagnostic)
				}
				n.pkg.Diagnostics[a] = diags
			}
		}
		if err != nil {
			n.failed[i] = true
			n.setFailure(a, err)
		}
	}
}

func (n *node) setFailure(a *analysis.Analyzer, err error) {
	if n.pkg.Failures == nil {
		n.pkg.Failures = make(map[*analysis.Analyzer]error)
	}
	n.pkg.Failures[a] = err
}

// prerequisites returns an error if the analyzer g.analyzers[i] cannot
// run on n because an analyzer it requires failed on n, or because it
// failed on a dependency whose facts it needs.
func (g *graph) prerequisites(n *node, i int) error {
	a := g.analyzers[i]
	var failed []string
	for _, req := range a.Requires {
		if n.failed[g.index[req]] {
			failed = append(failed, req.Name+"@"+n.pkg.ID)
		}
	}
	if len(a.FactTypes) > 0 {
		for _, dep := range n.deps {
			if dep.failed[i] {
				failed = append(failed, a.Name+"@"+dep.pkg.ID)
			}
		}
	}
	if failed == nil {
		return nil
	}
	slices.Sort(failed)
	return fmt.Errorf("%w: %s", ErrPrerequisite, strings.Join(failed, ", "))
}

// runPass runs g.analyzers[i] on n, returning its result and
// diagnostics. A panic in the analyzer becomes its error.
func (g *graph) runPass(n *node, u *unit, i int, results []any) (result any, diags []analysis.Diagnostic, err error) {
	a := g.analyzers[i]
	resultOf := make(map[*analysis.Analyzer]any, len(a.Requires))
	for _, req := range a.Requires {
		resultOf[req] = results[g.index[req]]
	}
	module := &analysis.Module{} // never nil, as in the other drivers
	if n.pkg.Module != nil {
		module = convertModule(n.pkg.Module)
	}

	var pass *analysis.Pass
	pass = &analysis.Pass{
		Analyzer:     a,
		Fset:         g.fset,
		Files:        u.files,
		OtherFiles:   n.pkg.OtherFiles,
		IgnoredFiles: n.pkg.IgnoredFiles,
		Pkg:          u.pkg,
		TypesInfo:    u.info,
		TypesSizes:   g.sizes,
		TypeErrors:   u.typeErrors,
		Module:       module,
		ResultOf:     resultOf,
		Report: func(d analysis.Diagnostic) {
			for j := range d.SuggestedFixes {
				if err := validateFix(g.fset, &d.SuggestedFixes[j]); err != nil {
					panic(fmt.Sprintf("invalid suggested fix %q: %v", d.SuggestedFixes[j].Message, err))
				}
			}
			diags = append(diags, d)
		},
		ReadFile: func(name string) ([]byte, error) {
			if !n.hasFile(name) {
				return nil, fmt.Errorf("Pass.ReadFile: %s is not a file of package %s", name, n.pkg.ID)
			}
			return os.ReadFile(name)
		},
		ImportObjectFact: func(obj types.Object, fact analysis.Fact) bool {
			return g.importObjectFact(n, u.pkg, i, obj, fact)
		},
		ImportPackageFact: func(pkg *types.Package, fact analysis.Fact) bool {
			return g.importPackageFact(n, u.pkg, i, pkg, fact)
		},
		ExportObjectFact: func(obj types.Object, fact analysis.Fact) {
			if pass.ExportObjectFact == nil {
				panic(fmt.Sprintf("%s: Pass.ExportObjectFact(%s, %T) called after Run", a.Name, obj, fact))
			}
			if obj.Pkg() != u.pkg {
				panic(fmt.Sprintf("%s: cannot export a fact about %s: it belongs to another package than %s", a.Name, obj, n.pkg.ID))
			}
			n.factsOf(i).objects[objectFactKey{obj, factType(fact)}] = fact
		},
		ExportPackageFact: func(fact analysis.Fact) {
			if pass.ExportPackageFact == nil {
				panic(fmt.Sprintf("%s: Pass.ExportPackageFact(%T) called after Run", a.Name, fact))
			}
			n.factsOf(i).packages[factType(fact)] = fact
		},
		AllObjectFacts: func() []analysis.ObjectFact {
			return g.allObjectFacts(n, i)
		},
		AllPackageFacts: func() []analysis.PackageFact {
			return g.allPackageFacts(n, u.pkg, i)
		},
	}

	result, err = func() (result any, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return a.Run(pass)
	}()
	// Run is over: facts exported from now on, say by a goroutine
	// it left behind, would be seen by some importers only.
	pass.ExportObjectFact = nil
	pass.ExportPackageFact = nil
	if err != nil {
		return nil, diags, err
	}
	if got := reflect.TypeOf(result); got != a.ResultType {
		return nil, diags, fmt.Errorf("internal error: on package %s, analyzer %s returned a result of type %v, but declared ResultType %v",
			n.pkg.PkgPath, a.Name, got, a.ResultType)
	}
	for j := range diags {
		if diags[j].URL, err = resolveURL(a, diags[j]); err != nil {
			return nil, diags, err
		}
	}
	return result, diags, nil
}

// hasFile reports whether name is one of the files of n, which an
// analyzer may read.
func (n *node) hasFile(name string) bool {
	p := n.pkg
	return slices.Contains(p.CompiledGoFiles, name) || slices.Contains(p.GoFiles, name) ||
		slices.Contains(p.OtherFiles, name) || slices.Contains(p.IgnoredFiles, name)
}

func (n *node) factsOf(i int) *factSet {
	if n.facts == nil {
		n.facts = make([]*factSet, len(n.want))
	}
	if n.facts[i] == nil {
		n.facts[i] = &factSet{
			objects:  make(map[objectFactKey]analysis.Fact),
			packages: make(map[reflect.Type]analysis.Fact),
		}
	}
	return n.facts[i]
}

// The facts an analyzer exported on a dependency are visible to it on
// an importer as the checker package makes them visible: facts about a
// package travel to all its direct and indirect importers; facts about
// an object travel only as far as the object can be named. Its own
// package's direct importers see an exported function or variable of
// it; further importers see only methods, fields, types and
// constants, which may reach them through the API of packages in
// between.
//
// Dependencies finish before their importers start, so their facts
// are read without locks.

// importObjectFact implements Pass.ImportObjectFact for analyzer i on
// n, which is type-checked into self: n.types, or a package of its own
// if n is analysed separately.
func (g *graph) importObjectFact(n *node, self *types.Package, i int, obj types.Object, ptr analysis.Fact) bool {
	if obj == nil {
		panic("nil object")
	}
	owner := g.byTypes[obj.Pkg()]
	if obj.Pkg() == self {
		owner = n
	}
	if owner == nil || owner.facts == nil || owner.facts[i] == nil || !n.seesFactsAbout(owner, obj) {
		return false
	}
	fact, ok := owner.facts[i].objects[objectFactKey{obj, factType(ptr)}]
	if ok {
		reflect.ValueOf(ptr).Elem().Set(reflect.ValueOf(fact).Elem())
	}
	return ok
}

func (g *graph) importPackageFact(n *node, self *types.Package, i int, pkg *types.Package, ptr analysis.Fact) bool {
	if pkg == nil {
		panic("nil package")
	}
	owner := g.byTypes[pkg]
	if pkg == self {
		owner = n
	}
	if owner == nil || owner.facts == nil || owner.facts[i] == nil || owner != n && !n.dependsOn(owner) {
		return false
	}
	fact, ok := owner.facts[i].packages[factType(ptr)]
	if ok {
		reflect.ValueOf(ptr).Elem().Set(reflect.ValueOf(fact).Elem())
	}
	return ok
}

func (g *graph) allObjectFacts(n *node, i int) []analysis.ObjectFact {
	var facts []analysis.ObjectFact
	g.eachFactSet(n, i, func(owner *node, set *factSet) {
		for k, fact := range set.objects {
			if n.seesFactsAbout(owner, k.obj) {
				facts = append(facts, analysis.ObjectFact{Object: k.obj, Fact: fact})
			}
		}
	})
	return facts
}

func (g *graph) allPackageFacts(n *node, self *types.Package, i int) []analysis.PackageFact {
	var facts []analysis.PackageFact
	g.eachFactSet(n, i, func(owner *node, set *factSet) {
		pkg := owner.types
		if owner == n {
			pkg = self
		}
		for _, fact := range set.packages {
			facts = append(facts, analysis.PackageFact{Package: pkg, Fact: fact})
		}
	})
	return facts
}

// moveFacts rekeys the object facts of a separately analysed package,
// exported about the objects of self, by the objects its importers
// see. Objects not found there, such as unexported functions, cannot
// be named by importers: their facts are dropped.
func (g *graph) moveFacts(n *node, self *types.Package) {
	// Reading export data may add objects to n.types.
	g.exportMu.Lock()
	defer g.exportMu.Unlock()

	var enc objectpath.Encoder
	for _, set := range n.facts {
		if set == nil {
			continue
		}
		moved := make(map[objectFactKey]analysis.Fact, len(set.objects))
		for k, fact := range set.objects {
			path, err := enc.For(k.obj)
			if err != nil {
				continue
			}
			obj, err := objectpath.Object(n.types, path)
			if err != nil {
				continue
			}
			moved[objectFactKey{obj, k.typ}] = fact
		}
		set.objects = moved
	}
}

// eachFactSet calls f with the facts of analyzer i on n and on each of
// its transitive dependencies.
func (g *graph) eachFactSet(n *node, i int, f func(owner *node, set *factSet)) {
	if n.facts != nil && n.facts[i] != nil {
		f(n, n.facts[i])
	}
	for dep := range n.transitive() {
		if dep.facts != nil && dep.facts[i] != nil {
			f(dep, dep.facts[i])
		}
	}
}

// seesFactsAbout reports whether facts about obj, an object of owner,
// are visible on n.
func (n *node) seesFactsAbout(owner *node, obj types.Object) bool {
	if owner == n {
		return true
	}
	if nameableVia(obj, owner.types) && slices.Contains(n.deps, owner) {
		return true
	}
	return nameableVia(obj, nil) && n.dependsOn(owner)
}

// nameableVia reports whether an importer of pkg may refer to obj
// through pkg: obj is an exported function or a variable of pkg, or
// anything that can appear in the API of any package.
func nameableVia(obj types.Object, pkg *types.Package) bool {
	switch obj := obj.(type) {
	case *types.Func:
		return obj.Signature().Recv() != nil || pkg != nil && obj.Pkg() == pkg && obj.Exported()
	case *types.Var:
		return obj.IsField() || pkg != nil && obj.Pkg() == pkg
	case *types.TypeName, *types.Const:
		return true
	}
	return false
}

func factType(fact analysis.Fact) reflect.Type {
	t := reflect.TypeOf(fact)
	if t == nil || t.Kind() != reflect.Pointer {
		panic(fmt.Sprintf("invalid fact type %T: want a pointer", fact))
	}
	return t
}

// validateFix checks that the edits of fix are each within one file
// and do not overlap, sorting them by position and giving insertions
// an End, so that whoever applies them can trust them.
func validateFix(fset *token.FileSet, fix *analysis.SuggestedFix) error {
	slices.SortStableFunc(fix.TextEdits, func(x, y analysis.TextEdit) int {
		return cmp.Or(cmp.Compare(x.Pos, y.Pos), cmp.Compare(x.End, y.End))
	})
	var prevEnd token.Pos
	for i := range fix.TextEdits {
		edit := &fix.TextEdits[i]
		file := fset.File(edit.Pos)
		if file == nil {
			return fmt.Errorf("edit %d: no file for position %d", i, edit.Pos)
		}
		eof := token.Pos(file.Base() + file.Size())
		switch {
		case !edit.End.IsValid():
			edit.End = edit.Pos
		case edit.End < edit.Pos:
			return fmt.Errorf("edit %d: end before start", i)
		case edit.End > eof && fset.File(edit.End) != file:
			// Ends computed from syntax, such as
			// ast.StructType.End, may lie just past the end of
			// the file (go.dev/issue/71659): clamp them.
			if edit.End > eof+10 {
				return fmt.Errorf("edit %d spans files", i)
			}
			edit.End = eof
		case edit.End > eof:
			return fmt.Errorf("edit %d: ends beyond the end of its file", i)
		}
		if i > 0 && edit.Pos < prevEnd {
			return fmt.Errorf("edits %d and %d overlap", i-1, i)
		}
		prevEnd = edit.End
	}
	return nil
}

// resolveURL returns the URL of a diagnostic: its own, or its
// category as a fragment, relative to the analyzer's URL.
func resolveURL(a *analysis.Analyzer, d analysis.Diagnostic) (string, error) {
	ref := d.URL
	if ref == "" && d.Category != "" {
		ref = "#" + d.Category
	}
	if ref == "" && a.URL == "" {
		return "", nil
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("invalid Diagnostic.URL %q: %v", ref, err)
	}
	base, err := url.Parse(a.URL)
	if err != nil {
		return "", fmt.Errorf("invalid Analyzer.URL %q: %v", a.URL, err)
	}
	return base.ResolveReference(u).String(), nil
}

func convertModule(m *packages.Module) *analysis.Module {
	if m == nil {
		return nil
	}
	am := &analysis.Module{
		Path:      m.Path,
		Version:   m.Version,
		Replace:   convertModule(m.Replace),
		Time:      m.Time,
		Main:      m.Main,
		Indirect:  m.Indirect,
		Dir:       m.Dir,
		GoMod:     m.GoMod,
		GoVersion: m.GoVersion,
	}
	if m.Error != nil {
		am.Error = &analysis.ModuleError{Err: m.Error.Err}
	}
	return am
}
