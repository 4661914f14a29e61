package catalog

import (
	"go/types"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/asynclint/asynclint/analyzers/internal/stdlib"
)

// TestNamesResolve guards the tables against typos and API drift: every
// standard-library function they name must exist in the Go being used, and
// every rewrite's twin too.
func TestNamesResolve(t *testing.T) {
	var names []string
	for _, b := range NoContext {
		names = append(names, b.Name)
	}
	names = append(names, WithContext...)
	for n := range Derivers {
		names = append(names, n)
	}
	for n := range Spawners {
		names = append(names, n)
	}
	for n := range AfterDone {
		names = append(names, n)
	}
	for n := range Background {
		names = append(names, n)
	}

	funcs := stdFuncs(t, names)
	for _, n := range names {
		if !stdlib.IsPath(pkgPath(n)) {
			continue
		}
		if funcs[n] == nil {
			t.Errorf("%s: no such function in this Go", n)
		}
	}
	for _, b := range NoContext {
		fn := funcs[b.Name]
		if fn == nil || b.Twin == "" {
			continue
		}
		if recv := fn.Signature().Recv(); recv != nil {
			if obj, _, _ := types.LookupFieldOrMethod(recv.Type(), true, fn.Pkg(), b.Twin); obj == nil {
				t.Errorf("%s: twin %s does not exist", b.Name, b.Twin)
			}
		} else if fn.Pkg().Scope().Lookup(b.Twin) == nil {
			t.Errorf("%s: twin %s does not exist", b.Name, b.Twin)
		}
	}
}

// pkgPath extracts the import path from a FullName: "net/http.Get",
// "(*net/http.Client).Do", "(net.Conn).Read".
func pkgPath(name string) string {
	if strings.HasPrefix(name, "(") {
		name = strings.TrimPrefix(strings.TrimPrefix(name, "("), "*")
		name = name[:strings.Index(name, ")")]
	}
	return name[:strings.LastIndex(name, ".")]
}

// stdFuncs loads the standard-library packages that names mention and
// returns their functions and methods by catalog name.
func stdFuncs(t *testing.T, names []string) map[string]*types.Func {
	t.Helper()
	paths := map[string]bool{}
	for _, n := range names {
		if p := pkgPath(n); stdlib.IsPath(p) {
			paths[p] = true
		}
	}
	var patterns []string
	for p := range paths {
		patterns = append(patterns, p)
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedTypes | packages.NeedName}, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]*types.Func{}
	for _, p := range pkgs {
		scope := p.Types.Scope()
		for _, name := range scope.Names() {
			obj := scope.Lookup(name)
			if fn, ok := obj.(*types.Func); ok {
				funcs[Name(fn)] = fn
			}
			if tn, ok := obj.(*types.TypeName); ok {
				for _, recv := range []types.Type{tn.Type(), types.NewPointer(tn.Type())} {
					ms := types.NewMethodSet(recv)
					for i := 0; i < ms.Len(); i++ {
						fn := ms.At(i).Obj().(*types.Func)
						funcs[Name(fn)] = fn
					}
				}
			}
		}
	}
	return funcs
}

func TestDerivedTwin(t *testing.T) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedTypes | packages.NeedName}, "database/sql", "os/signal", "log/slog", "net")
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(path, typ, name string) *types.Func {
		for _, p := range pkgs {
			if p.PkgPath != path {
				continue
			}
			if typ == "" {
				return p.Types.Scope().Lookup(name).(*types.Func)
			}
			obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(p.Types.Scope().Lookup(typ).Type()), true, p.Types, name)
			return obj.(*types.Func)
		}
		t.Fatalf("%s not loaded", path)
		return nil
	}
	for _, tc := range []struct {
		path, typ, name, twin string
	}{
		{"database/sql", "DB", "Query", "QueryContext"},
		{"database/sql", "DB", "Ping", "PingContext"},
		{"database/sql", "Tx", "Stmt", "StmtContext"},
		{"net", "Dialer", "Dial", "DialContext"},
		{"os/signal", "", "Notify", ""}, // NotifyContext takes other parameters
		{"log/slog", "", "Info", ""},    // a logging twin, not a blocking one
		{"database/sql", "DB", "Close", ""},
	} {
		got := DerivedTwin(lookup(tc.path, tc.typ, tc.name))
		switch {
		case tc.twin == "" && got != nil:
			t.Errorf("%s.%s: twin %s, want none", tc.path, tc.name, got.Name())
		case tc.twin != "" && (got == nil || got.Name() != tc.twin):
			t.Errorf("%s.%s: twin %v, want %s", tc.path, tc.name, got, tc.twin)
		}
	}
}
