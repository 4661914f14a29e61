package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A testCase is one GoKer entry of runtime's goroutine leak profile test:
// the kernel's registered name and the regular expressions its leaked
// goroutines' entry frames ("name(args) [wait reason]") match.
type testCase struct {
	name      string
	flaky     bool
	commented bool // written in a comment in the list, not run
	patterns  []string
}

// parseCases reads the composite literal assigned to listVar (for example
// gokerTestCases) in the Go source src: each element a call
// makeTest(name, patterns...) or makeFlakyTest(name, patterns...), name a
// string or a testCase{name: "..."} literal. Calls written in comments
// inside the literal are returned too, marked commented.
func parseCases(filename string, src []byte, listVar string) ([]testCase, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var list *ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || list != nil {
			return list == nil
		}
		for i, l := range as.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name == listVar && i < len(as.Rhs) {
				list, _ = as.Rhs[i].(*ast.CompositeLit)
			}
		}
		return true
	})
	if list == nil {
		return nil, fmt.Errorf("%s: no %s := []testCase{...}", filename, listVar)
	}
	var cases []testCase
	for _, e := range list.Elts {
		tc, ok := caseFromCall(e)
		if !ok {
			return nil, fmt.Errorf("%s: %s element is not makeTest/makeFlakyTest(...)", fset.Position(e.Pos()), listVar)
		}
		cases = append(cases, tc)
	}

	// Commented-out cases: the comment text inside the literal, "//"
	// stripped, searched for make...Test( calls that parse as expressions.
	var text strings.Builder
	for _, cg := range f.Comments {
		if cg.Pos() < list.Lbrace || cg.End() > list.Rbrace {
			continue
		}
		for _, c := range cg.List {
			t := strings.TrimPrefix(c.Text, "//")
			t = strings.TrimSuffix(strings.TrimPrefix(t, "/*"), "*/")
			text.WriteString(t)
			text.WriteByte('\n')
		}
	}
	ctext := text.String()
	callRE := regexp.MustCompile(`make(Flaky)?Test\(`)
	for _, loc := range callRE.FindAllStringIndex(ctext, -1) {
		end := matchParen(ctext, loc[1]-1)
		if end < 0 {
			continue
		}
		e, err := parser.ParseExpr(ctext[loc[0] : end+1])
		if err != nil {
			continue
		}
		if tc, ok := caseFromCall(e); ok {
			tc.commented = true
			cases = append(cases, tc)
		}
	}
	return cases, nil
}

// matchParen returns the index of the parenthesis closing the one at open,
// skipping string literals, or -1.
func matchParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		case '`', '"':
			q := s[i]
			for i++; i < len(s) && s[i] != q; i++ {
				if q == '"' && s[i] == '\\' {
					i++
				}
			}
		}
	}
	return -1
}

func caseFromCall(e ast.Expr) (testCase, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return testCase{}, false
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok || !strings.HasPrefix(id.Name, "make") || !strings.HasSuffix(id.Name, "Test") {
		return testCase{}, false
	}
	tc := testCase{flaky: strings.Contains(id.Name, "Flaky")}
	switch a := call.Args[0].(type) {
	case *ast.BasicLit:
		tc.name, _ = strconv.Unquote(a.Value)
	case *ast.CompositeLit:
		for _, el := range a.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "name" {
					if v, ok := kv.Value.(*ast.BasicLit); ok {
						tc.name, _ = strconv.Unquote(v.Value)
					}
				}
			}
		}
	}
	if tc.name == "" {
		return testCase{}, false
	}
	for _, a := range call.Args[1:] {
		lit, ok := a.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			continue
		}
		if s, err := strconv.Unquote(lit.Value); err == nil {
			tc.patterns = append(tc.patterns, s)
		}
	}
	return tc, true
}

// defaultWaitReasons are used when runtime2.go cannot be read; the ones
// goroutines in the kernels block with.
var defaultWaitReasons = []string{
	"chan receive", "chan send", "select",
	"chan receive (nil chan)", "chan send (nil chan)", "select (no cases)",
	"sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock",
	"sync.WaitGroup.Wait", "sync.Cond.Wait", "sleep", "semacquire",
}

// parseWaitReasons returns the strings of runtime's waitReasonStrings
// array (runtime2.go), with the defaults added.
func parseWaitReasons(src []byte) []string {
	seen := map[string]bool{}
	var out []string
	addR := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if src != nil {
		fset := token.NewFileSet()
		if f, err := parser.ParseFile(fset, "runtime2.go", src, parser.SkipObjectResolution); err == nil {
			ast.Inspect(f, func(n ast.Node) bool {
				vs, ok := n.(*ast.ValueSpec)
				if !ok {
					return true
				}
				for i, nm := range vs.Names {
					if nm.Name != "waitReasonStrings" || i >= len(vs.Values) {
						continue
					}
					if cl, ok := vs.Values[i].(*ast.CompositeLit); ok {
						for _, el := range cl.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								el = kv.Value
							}
							if bl, ok := el.(*ast.BasicLit); ok && bl.Kind == token.STRING {
								s, _ := strconv.Unquote(bl.Value)
								addR(s)
							}
						}
					}
				}
				return true
			})
		}
	}
	for _, s := range defaultWaitReasons {
		addR(s)
	}
	return out
}

// A leak is a goroutine a pattern describes: the kernel function its
// entry frame names and the wait reasons it may be blocked with.
type leak struct {
	pattern string
	funcs   []string // compiler names of kernel functions
	reasons []string
}

// resolvePattern matches pattern against "F(...) [R]" for every function
// F of the kernel and every wait reason R, as the runtime test matches it
// against the entry frame of each leaked goroutine (package prefix
// stripped). A match that starts at the name's first byte is preferred:
// the patterns are not anchored, and "Foo\.func1" also matches
// "xFoo.func1".
func resolvePattern(k *kernel, pattern string, reasons []string) (leak, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return leak{pattern: pattern}, err
	}
	l := leak{pattern: pattern}
	anchored := map[string]bool{}
	loose := map[string]bool{}
	rs := map[string]map[string]bool{}
	for _, x := range k.funcs {
		for _, r := range reasons {
			loc := re.FindStringIndex(x.name + "(0xc000012345) [" + r + "]")
			if loc == nil {
				continue
			}
			if rs[x.name] == nil {
				rs[x.name] = map[string]bool{}
			}
			rs[x.name][r] = true
			if loc[0] == 0 {
				anchored[x.name] = true
			} else {
				loose[x.name] = true
			}
		}
	}
	pick := anchored
	if len(pick) == 0 {
		pick = loose
	}
	seen := map[string]bool{}
	for n := range pick {
		l.funcs = append(l.funcs, n)
		for r := range rs[n] {
			if !seen[r] {
				seen[r] = true
				l.reasons = append(l.reasons, r)
			}
		}
	}
	sort.Strings(l.funcs)
	sort.Strings(l.reasons)
	if len(l.funcs) == 0 {
		return l, fmt.Errorf("pattern %q names no function of %s", pattern, k.key)
	}
	return l, nil
}
