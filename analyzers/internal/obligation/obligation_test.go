package obligation

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// The obligation in each function: open() returns a resource that close()
// releases; use() hands it on.
const src = `package p

import "errors"

type res struct{}

func open() (*res, error) { return &res{}, nil }
func (*res) close()        {}
func use(*res)             {}
func cond() bool           { return true }

func met() {
	r, err := open()
	if err != nil {
		return
	}
	r.close()
}

func early() error {
	r, err := open()
	if err != nil {
		return err
	}
	if cond() {
		return errors.New("early")
	}
	r.close()
	return nil
}

func nilChecked() {
	r, _ := open()
	if r == nil {
		return
	}
	defer r.close()
}

func loop() {
	for i := 0; i < 3; i++ {
		r, err := open()
		if err != nil {
			continue
		}
		if cond() {
			continue
		}
		r.close()
	}
}

func panics() {
	r, err := open()
	if err != nil {
		panic(err)
	}
	if cond() {
		panic("no")
	}
	use(r)
}

func implicit() {
	r, _ := open()
	if cond() {
		r.close()
	}
}

func errorsAs() {
	r, err := open()
	var target *error
	if errors.As(err, target) {
		return
	}
	r.close()
}

func param(r *res) {
	if r == nil {
		return
	}
	r.close()
}
`

func build(t *testing.T) *ssa.Package {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _, err := ssautil.BuildPackage(&types.Config{Importer: importer.Default()}, fset,
		types.NewPackage("p", "p"), []*ast.File{f}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

// acquisition returns the call of open in fn, and an obligation met by
// calls of close or use on any value.
func acquisition(t *testing.T, fn *ssa.Function) Obligation {
	t.Helper()
	var from ssa.Instruction
	held := map[ssa.Value]bool{}
	failed := map[ssa.Value]bool{}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok || call.Call.StaticCallee() == nil || call.Call.StaticCallee().Name() != "open" {
				continue
			}
			from = call
			for _, ref := range *call.Referrers() {
				if ex, ok := ref.(*ssa.Extract); ok {
					if ex.Index == 0 {
						held[ex] = true
					} else {
						failed[ex] = true
					}
				}
			}
		}
	}
	if from == nil {
		t.Fatalf("%s: no call of open", fn.Name())
	}
	return Obligation{
		From: from,
		Met:  releases,
		Void: NilPruner(func(v ssa.Value) bool { return held[v] }, func(v ssa.Value) bool { return failed[v] }),
	}
}

func releases(instr ssa.Instruction) bool {
	ci, ok := instr.(ssa.CallInstruction)
	if !ok {
		return false
	}
	callee := ci.Common().StaticCallee()
	return callee != nil && (callee.Name() == "close" || callee.Name() == "use")
}

func TestUnmet(t *testing.T) {
	pkg := build(t)
	fset := pkg.Prog.Fset
	for _, tc := range []struct {
		fn    string
		line  int // of the exit, 0 if the obligation is met
		again bool
	}{
		{"met", 0, false},
		{"early", 26, false},
		{"nilChecked", 0, false},
		{"loop", 42, true},
		{"panics", 0, false},
		{"implicit", 69, false},
		{"errorsAs", 0, false},
	} {
		br := Unmet(acquisition(t, pkg.Func(tc.fn)))
		switch {
		case tc.line == 0 && br != nil:
			t.Errorf("%s: breach at %s, want none", tc.fn, fset.Position(ExitPos(br.Exit)))
		case tc.line != 0 && br == nil:
			t.Errorf("%s: no breach, want one at line %d", tc.fn, tc.line)
		case tc.line != 0:
			if got := fset.Position(ExitPos(br.Exit)).Line; got != tc.line || br.Again != tc.again {
				t.Errorf("%s: breach at line %d (again %v), want line %d (again %v)", tc.fn, got, br.Again, tc.line, tc.again)
			}
			if len(br.Path) == 0 || br.Path[0] != br.Exit.Block() && br.Path[len(br.Path)-1] != br.Exit.Block() {
				t.Errorf("%s: path %v does not end at the exit's block", tc.fn, br.Path)
			}
		}
	}
}

// An obligation can hold from a function's entry: what it owes for a
// parameter.
func TestUnmetFromEntry(t *testing.T) {
	pkg := build(t)
	fn := pkg.Func("param")
	p := fn.Params[0]
	o := Obligation{
		Fn:   fn,
		Met:  releases,
		Void: NilPruner(func(v ssa.Value) bool { return v == p }, nil),
	}
	if br := Unmet(o); br != nil {
		t.Errorf("param: breach at %v, want none: the nil branch owes nothing", br.Exit)
	}
	o.Void = nil
	if br := Unmet(o); br == nil {
		t.Error("param: no breach without pruning, want the return on the nil branch")
	}
}

// The same question with other events: is the cancel function of a
// derived context called on every path (ctxleak's question)?
func TestCancelOnEveryPath(t *testing.T) {
	const src = `package p

import "context"

func work(context.Context) error { return nil }

func deferred(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return work(ctx)
}

func lost(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	if err := work(ctx); err != nil {
		return err
	}
	cancel()
	return nil
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _, err := ssautil.BuildPackage(&types.Config{Importer: importer.Default()}, fset,
		types.NewPackage("p", "p"), []*ast.File{f}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, wantLine := range map[string]int{"deferred": 0, "lost": 16} {
		fn := pkg.Func(name)
		var from ssa.Instruction
		var cancel ssa.Value
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(*ssa.Call); ok && call.Call.StaticCallee() != nil && call.Call.StaticCallee().Name() == "WithCancel" {
					from = call
					for _, ref := range *call.Referrers() {
						if ex, ok := ref.(*ssa.Extract); ok && ex.Index == 1 {
							cancel = ex
						}
					}
				}
			}
		}
		br := Unmet(Obligation{From: from, Met: func(instr ssa.Instruction) bool {
			ci, ok := instr.(ssa.CallInstruction)
			return ok && ci.Common().Value == cancel
		}})
		switch {
		case wantLine == 0 && br != nil:
			t.Errorf("%s: cancel not called on the path through line %d", name, fset.Position(ExitPos(br.Exit)).Line)
		case wantLine != 0 && (br == nil || fset.Position(ExitPos(br.Exit)).Line != wantLine):
			t.Errorf("%s: breach %v, want the return at line %d", name, br, wantLine)
		}
	}
}
