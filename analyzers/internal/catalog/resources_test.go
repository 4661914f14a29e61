package catalog

import (
	"go/types"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/asynclint/asynclint/analyzers/internal/stdlib"
)

// TestResourceNamesResolve guards the resource tables against typos and API
// drift: every standard-library function they name must exist in the Go
// being used, every result index must be a result of it, and every kind
// must be defined.
func TestResourceNamesResolve(t *testing.T) {
	type entry struct {
		name   string
		result int // -1: no result to check
	}
	var entries []entry
	for _, a := range Acquirers {
		entries = append(entries, entry{a.Func, a.Result})
		if Kinds[a.Kind] == nil {
			t.Errorf("%s: kind %q is not in Kinds", a.Func, a.Kind)
		}
	}
	for _, a := range NotAcquired {
		entries = append(entries, entry{a.Func, a.Result})
	}
	for _, tables := range []map[string]int{Wrappers, Keepers, Runners} {
		for n := range tables {
			entries = append(entries, entry{n, -1})
		}
	}
	for n := range ErrorTests {
		entries = append(entries, entry{n, -1})
	}
	for typ, kind := range Opaque {
		if Kinds[kind] == nil {
			t.Errorf("Opaque[%s]: kind %q is not in Kinds", typ, kind)
		}
	}

	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.name
	}
	funcs := stdFuncs(t, names)
	for _, e := range entries {
		if !stdlib.IsPath(pkgPath(e.name)) {
			continue
		}
		fn := funcs[e.name]
		if fn == nil {
			t.Errorf("%s: no such function in this Go", e.name)
			continue
		}
		if e.result >= fn.Signature().Results().Len() {
			t.Errorf("%s: no result %d", e.name, e.result)
		}
	}
}

func TestOpaqueKind(t *testing.T) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedTypes | packages.NeedName}, "net/http", "net")
	if err != nil {
		t.Fatal(err)
	}
	var resp, conn types.Type
	for _, p := range pkgs {
		switch p.PkgPath {
		case "net/http":
			resp = types.NewPointer(p.Types.Scope().Lookup("Response").Type())
		case "net":
			conn = p.Types.Scope().Lookup("Conn").Type()
		}
	}
	errType := types.Universe.Lookup("error").Type()
	sig := func(results ...types.Type) *types.Signature {
		var vars []*types.Var
		for _, r := range results {
			vars = append(vars, types.NewVar(0, nil, "", r))
		}
		return types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(vars...), false)
	}
	method := func(name string) *types.Func { return types.NewFunc(0, nil, name, sig()) }
	for _, tc := range []struct {
		sig    *types.Signature
		i      int
		method *types.Func
		want   string
	}{
		{sig(resp, errType), 0, nil, "response"},
		{sig(resp, errType), 0, method("Do"), "response"},
		// A websocket dial's handshake response sits beside the connection.
		{sig(conn, resp, errType), 1, method("Dial"), ""},
		{sig(conn, errType), 0, nil, "conn"},
		{sig(conn, errType), 0, method("DialContext"), "conn"},
		// A pool's Get hands out what the pool still owns.
		{sig(conn, errType), 0, method("Get"), ""},
	} {
		if got := OpaqueKind(tc.sig, tc.i, tc.method); got != tc.want {
			t.Errorf("OpaqueKind(%v, %d, %v) = %q, want %q", tc.sig, tc.i, tc.method, got, tc.want)
		}
	}
}
