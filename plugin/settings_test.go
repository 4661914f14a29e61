package plugin

import (
	"flag"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/asynclint/asynclint/analyzers/blockingcall"
)

// fake returns an analyzer with a flag of each kind, and the values they
// were set to.
func fake() (*analysis.Analyzer, *string, *bool, *int) {
	a := &analysis.Analyzer{Name: "fake", Doc: "fake"}
	s := a.Flags.String("funcs", "", "a list")
	b := a.Flags.Bool("std", false, "a bool")
	n := a.Flags.Int("depth", 3, "a number")
	return a, s, b, n
}

func TestSettingsMapOntoFlags(t *testing.T) {
	a, s, b, n := fake()
	// As golangci-lint hands them over: YAML decoded into maps and slices.
	settings := map[string]any{
		"funcs": []any{"example.com/a.F", "(*example.com/a.T).M"},
		"std":   true,
		"depth": 7,
	}
	p, err := New(a, settings)
	if err != nil {
		t.Fatal(err)
	}
	if *s != "example.com/a.F,(*example.com/a.T).M" || !*b || *n != 7 {
		t.Errorf("flags = %q, %v, %d; want the list joined with commas, true, 7", *s, *b, *n)
	}
	if p.GetLoadMode() != register.LoadModeTypesInfo {
		t.Errorf("load mode %q, want %q", p.GetLoadMode(), register.LoadModeTypesInfo)
	}
	as, err := p.BuildAnalyzers()
	if err != nil || len(as) != 1 || as[0] != a {
		t.Errorf("BuildAnalyzers() = %v, %v; want the analyzer itself", as, err)
	}
}

func TestSettingsScalarsAsStrings(t *testing.T) {
	a, s, b, n := fake()
	if _, err := New(a, map[string]any{"funcs": "example.com/a.F", "std": "true", "depth": "12"}); err != nil {
		t.Fatal(err)
	}
	if *s != "example.com/a.F" || !*b || *n != 12 {
		t.Errorf("flags = %q, %v, %d", *s, *b, *n)
	}
}

func TestNoSettings(t *testing.T) {
	a, s, b, n := fake()
	for _, settings := range []any{nil, map[string]any{}} {
		if _, err := New(a, settings); err != nil {
			t.Errorf("New(%v): %v", settings, err)
		}
	}
	if *s != "" || *b || *n != 3 {
		t.Errorf("flags changed without settings: %q, %v, %d", *s, *b, *n)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		settings any
		want     string
	}{
		{map[string]any{"fucns": "example.com/a.F"}, `fake: unknown setting "fucns" (the settings are the analyzer's flags: depth, funcs, std)`},
		{map[string]any{"depth": "deep"}, "fake: setting depth: "},
		{map[string]any{"std": 2}, "fake: setting std: "},
		{map[string]any{"depth": 1.5}, "fake: setting depth: "},
		{map[string]any{"funcs": map[string]any{"a": "b"}}, "want a string, a bool, a number or a list"},
		{map[string]any{"funcs": []any{[]any{"a"}}}, "list element 0"},
		{map[string]any{"funcs": nil}, "null: want a string"},
		{[]any{"funcs"}, "fake: decoding settings"},
	} {
		a, _, _, _ := fake()
		_, err := New(a, tc.settings)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%v) = %v, want an error containing %q", tc.settings, err, tc.want)
		}
	}
}

// TestRegistered: each analyzer is a plugin under its own name, and its
// real flags are its settings.
func TestRegistered(t *testing.T) {
	for _, a := range Analyzers {
		newPlugin, err := register.GetPlugin(a.Name)
		if err != nil {
			t.Fatal(err)
		}
		var settings map[string]any
		a.Flags.VisitAll(func(f *flag.Flag) {
			if settings == nil {
				settings = map[string]any{}
			}
			settings[f.Name] = f.DefValue
		})
		p, err := newPlugin(settings)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		if as, _ := p.BuildAnalyzers(); len(as) != 1 || as[0] != a {
			t.Errorf("%s: BuildAnalyzers() = %v", a.Name, as)
		}
		if _, err := newPlugin(map[string]any{"no-such-flag": true}); err == nil {
			t.Errorf("%s: an unknown setting is accepted", a.Name)
		}
	}
	// A list flag of a real analyzer, and back to its default.
	p, _ := register.GetPlugin(blockingcall.Analyzer.Name)
	if _, err := p(map[string]any{"funcs": []any{"nodot"}}); err == nil {
		t.Error("blockingcall funcs: [nodot] accepted")
	}
	t.Cleanup(func() {
		if err := blockingcall.Analyzer.Flags.Set("funcs", ""); err != nil {
			t.Error(err)
		}
	})
	if _, err := p(map[string]any{"funcs": []any{"example.com/a.F", "example.com/b.G"}}); err != nil {
		t.Fatal(err)
	}
	got := blockingcall.Analyzer.Flags.Lookup("funcs").Value.String()
	if !strings.Contains(got, "example.com/a.F") || !strings.Contains(got, "example.com/b.G") {
		t.Errorf("blockingcall funcs = %q", got)
	}
}
