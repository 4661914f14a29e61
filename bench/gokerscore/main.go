// Gokerscore scores asynclint's findings on the GoKer blocking-bug kernels
// shipped with Go (runtime/testdata/testgoroutineleakprofile/goker). It is
// run by bench/goker.sh, which copies each kernel into a package of its own
// in a scratch module, builds them and runs asynclint -json on them; see
// bench/README.md.
//
// Usage:
//
//	gokerscore -dir SCRATCH -from-json FINDINGS.json -cases goroutineleakprofile_test.go
//	           [-reasons runtime2.go] [-build-log FILE] [-analyzer ctxleak] [-v]
//
// Where the goroutines of a kernel are stuck is read from the runtime's
// goroutine leak profile test (gokerTestCases, commented-out cases
// included): each pattern names the entry function of a leaked goroutine
// and its wait reason. A finding counts for a kernel when its position or a
// related position is in such a function (or in a literal running in its
// goroutine), or on a go statement starting one. A looser level also
// accepts the functions of the kernel file such a goroutine calls
// (transitively) that hold an operation of the blocked kind; the loosest,
// any position in the kernel file. See parseKernel for how functions are
// named.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const published = "published, GoBench GoKer (68 blocking kernels): GCatch 29, Gomela 40 (19 unsupported), goleak (dynamic) 42"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("gokerscore", flag.ContinueOnError)
	dir := fs.String("dir", "", "scratch module: one directory per kernel, holding the kernel file and `support` files")
	fromJSON := fs.String("from-json", "", "asynclint -json output to score")
	casesFile := fs.String("cases", "", "runtime's goroutineleakprofile_test.go")
	reasonsFile := fs.String("reasons", "", "runtime's runtime2.go (wait reason strings); optional")
	buildLog := fs.String("build-log", "", "output of go build ./... in the scratch module; optional")
	analyzer := fs.String("analyzer", "ctxleak", "the analyzer scored on its own")
	support := fs.String("support", "main.go", "comma-separated support files in each kernel directory")
	srcDesc := fs.String("source", "", "where the kernels came from, for the header")
	verbose := fs.Bool("v", false, "print every finding")
	names := fs.Bool("names", false, "print the compiler names of the functions of the kernel files given as arguments, and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *names {
		for _, f := range fs.Args() {
			b, err := os.ReadFile(f)
			if err != nil {
				fmt.Fprintln(os.Stderr, "gokerscore:", err)
				return 2
			}
			k, err := parseKernel(posnKey(f), b)
			if err != nil {
				fmt.Fprintln(os.Stderr, "gokerscore:", err)
				return 2
			}
			for _, n := range k.names() {
				fmt.Println(n)
			}
		}
		return 0
	}
	if *dir == "" || *fromJSON == "" || *casesFile == "" {
		fmt.Fprintln(os.Stderr, "gokerscore: -dir, -from-json and -cases are required")
		return 2
	}
	s, err := load(*dir, *fromJSON, *casesFile, *reasonsFile, *buildLog, strings.Split(*support, ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gokerscore:", err)
		return 2
	}
	s.analyzer = *analyzer
	s.source = *srcDesc
	s.score()
	s.report(os.Stdout, *verbose)
	if len(s.notBuilt)+len(s.anaErr) > 0 {
		return 1
	}
	return 0
}

type scored struct {
	analyzer, source string
	kernels          []*kernelScore
	byKey            map[string]*kernelScore // "<dir>/<file>.go" of kernel and support files
	findings         []*finding
	notBuilt         map[string]string // dir -> first lines of the error
	anaErr           map[string]string
	unresolved       []string
	orphans          []*finding // findings in no kernel's files
}

type kernelScore struct {
	dir   string
	k     *kernel
	tc    *testCase
	leaks []leak
	stuck map[string]bool // functions named by the patterns (wrappers: and what they wrap)
	near  map[string]bool // callees of stuck functions with an operation of the blocked kind
	// best level reached, by the scored analyzer and by any
	best, bestAny int
}

type finding struct {
	pkg, analyzer string
	Category      string `json:"category"`
	Posn          string `json:"posn"`
	Message       string `json:"message"`
	Related       []struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	} `json:"related"`
	ks      *kernelScore
	support bool // posn is in a support file, not the kernel file
	level   int
}

// Levels a finding reaches for its kernel.
const (
	levelNone   = iota // not in a kernel file
	levelFile          // in the kernel file
	levelCallee        // in a callee holding an operation of the blocked kind
	levelStuck         // in a leaked goroutine's function, or on its go statement
)

func load(dir, fromJSON, casesFile, reasonsFile, buildLog string, support []string) (*scored, error) {
	s := &scored{byKey: map[string]*kernelScore{}, notBuilt: map[string]string{}, anaErr: map[string]string{}}
	isSupport := map[string]bool{}
	for _, f := range support {
		isSupport[strings.TrimSpace(f)] = true
	}
	src, err := os.ReadFile(casesFile)
	if err != nil {
		return nil, err
	}
	cases, err := parseCases(casesFile, src, "gokerTestCases")
	if err != nil {
		return nil, err
	}
	caseByName := map[string]*testCase{}
	for i := range cases {
		if caseByName[cases[i].name] == nil || caseByName[cases[i].name].commented {
			caseByName[cases[i].name] = &cases[i]
		}
	}
	var rsrc []byte
	if reasonsFile != "" {
		rsrc, _ = os.ReadFile(reasonsFile)
	}
	reasons := parseWaitReasons(rsrc)

	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, e.Name(), "*.go"))
		ks := &kernelScore{dir: e.Name()}
		for _, f := range files {
			base := filepath.Base(f)
			key := e.Name() + "/" + base
			if isSupport[base] {
				s.byKey[key] = ks
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if ks.k != nil {
				return nil, fmt.Errorf("%s: two kernel files (%s, %s); list support files with -support", e.Name(), ks.k.key, key)
			}
			ks.k, err = parseKernel(key, b)
			if err != nil {
				return nil, err
			}
			s.byKey[key] = ks
		}
		if ks.k == nil {
			continue
		}
		ks.tc = caseByName[ks.k.name]
		s.kernels = append(s.kernels, ks)
	}
	if len(s.kernels) == 0 {
		return nil, fmt.Errorf("%s: no kernel directories", dir)
	}
	sort.Slice(s.kernels, func(i, j int) bool { return s.kernels[i].k.name < s.kernels[j].k.name })
	for _, ks := range s.kernels {
		ks.stuck = map[string]bool{}
		ks.near = map[string]bool{}
		if ks.tc == nil {
			continue
		}
		for _, p := range ks.tc.patterns {
			l, err := resolvePattern(ks.k, p, reasons)
			if err != nil {
				s.unresolved = append(s.unresolved, ks.k.name+": "+err.Error())
				continue
			}
			ks.leaks = append(ks.leaks, l)
		}
		ks.expand()
	}

	if buildLog != "" {
		b, err := os.ReadFile(buildLog)
		if err != nil {
			return nil, err
		}
		var cur string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "# ") {
				cur = pkgDir(strings.TrimPrefix(line, "# "))
				s.notBuilt[cur] += ""
				continue
			}
			if cur != "" && len(strings.Split(s.notBuilt[cur], "\n")) <= 3 && strings.TrimSpace(line) != "" {
				s.notBuilt[cur] += strings.TrimSpace(line) + "\n"
			}
		}
	}

	b, err := os.ReadFile(fromJSON)
	if err != nil {
		return nil, err
	}
	var tree map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, fmt.Errorf("%s: %v", fromJSON, err)
	}
	for pkg, byAn := range tree {
		for an, raw := range byAn {
			var e struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(raw, &e) == nil && e.Error != "" {
				s.anaErr[pkgDir(pkg)] = an + ": " + e.Error
				continue
			}
			var list []*finding
			if err := json.Unmarshal(raw, &list); err != nil {
				return nil, fmt.Errorf("%s: %s/%s: %v", fromJSON, pkg, an, err)
			}
			for _, f := range list {
				f.pkg, f.analyzer = pkg, an
				s.findings = append(s.findings, f)
			}
		}
	}
	sort.Slice(s.findings, func(i, j int) bool {
		a, b := s.findings[i], s.findings[j]
		if a.Posn != b.Posn {
			return posnLess(a.Posn, b.Posn)
		}
		return a.analyzer+a.Message < b.analyzer+b.Message
	})
	return s, nil
}

// pkgDir is the last element of a package path or ID ("goker/x [goker/x.test]").
func pkgDir(pkg string) string {
	if i := strings.Index(pkg, " "); i >= 0 {
		pkg = pkg[:i]
	}
	return pkg[strings.LastIndex(pkg, "/")+1:]
}

// expand computes stuck and near from the leaks.
func (ks *kernelScore) expand() {
	children := map[*fn][]*fn{}
	for _, x := range ks.k.funcs {
		if x.parent != nil && !x.goRoot {
			children[x.parent] = append(children[x.parent], x)
		}
	}
	for _, l := range ks.leaks {
		kinds := map[string]bool{}
		for _, r := range l.reasons {
			if k := opKind(r); k != "" {
				kinds[k] = true
			}
		}
		var queue []*fn
		seen := map[*fn]bool{}
		push := func(name string) {
			if x := ks.k.byNm[name]; x != nil && !seen[x] {
				seen[x] = true
				queue = append(queue, x)
			}
		}
		for _, n := range l.funcs {
			ks.stuck[n] = true
			if x := ks.k.byNm[n]; x != nil {
				for _, w := range x.wrapsFor {
					ks.stuck[w] = true
				}
			}
		}
		for n := range ks.stuck {
			push(n)
		}
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			if !ks.stuck[x.name] {
				for k := range kinds {
					if x.ops[k] {
						ks.near[x.name] = true
					}
				}
			}
			for _, c := range x.calls {
				push(c)
			}
			for _, c := range children[x] {
				if !seen[c] {
					seen[c] = true
					queue = append(queue, c)
				}
			}
		}
	}
}

// splitPosn splits "file:line:col" (col optional).
func splitPosn(p string) (file string, line, col int) {
	parts := strings.Split(p, ":")
	n := len(parts)
	if n >= 3 {
		l, e1 := strconv.Atoi(parts[n-2])
		c, e2 := strconv.Atoi(parts[n-1])
		if e1 == nil && e2 == nil {
			return strings.Join(parts[:n-2], ":"), l, c
		}
	}
	if n >= 2 {
		if l, err := strconv.Atoi(parts[n-1]); err == nil {
			return strings.Join(parts[:n-1], ":"), l, 1
		}
	}
	return p, 0, 0
}

func posnKey(file string) string {
	file = filepath.ToSlash(file)
	d := filepath.Base(filepath.Dir(file))
	return d + "/" + filepath.Base(file)
}

func posnLess(a, b string) bool {
	fa, la, ca := splitPosn(a)
	fb, lb, cb := splitPosn(b)
	if fa != fb {
		return fa < fb
	}
	if la != lb {
		return la < lb
	}
	return ca < cb
}

// levelAt is the level position p reaches in ks's kernel file.
func (ks *kernelScore) levelAt(line, col int) int {
	pos := ks.k.pos(line, col)
	if !pos.IsValid() {
		return levelFile
	}
	chain := ks.k.chain(pos)
	for _, x := range chain {
		if ks.stuck[x.name] {
			return levelStuck
		}
	}
	for _, g := range ks.k.gos {
		if g.stmt.Pos() <= pos && pos < g.stmt.End() {
			for _, t := range g.targets {
				if ks.stuck[t] {
					return levelStuck
				}
			}
		}
	}
	for _, x := range chain {
		if ks.near[x.name] {
			return levelCallee
		}
	}
	return levelFile
}

func (s *scored) score() {
	for _, f := range s.findings {
		posns := []string{f.Posn}
		for _, r := range f.Related {
			posns = append(posns, r.Posn)
		}
		for i, p := range posns {
			file, line, col := splitPosn(p)
			key := posnKey(file)
			ks := s.byKey[key]
			if ks == nil {
				continue
			}
			if f.ks == nil {
				f.ks = ks
				f.support = i == 0 && key != ks.k.key
			}
			if ks != f.ks || key != ks.k.key {
				continue
			}
			if l := ks.levelAt(line, col); l > f.level {
				f.level = l
			}
		}
		if f.ks == nil {
			s.orphans = append(s.orphans, f)
			continue
		}
		if f.level > f.ks.bestAny {
			f.ks.bestAny = f.level
		}
		if f.analyzer == s.analyzer && f.level > f.ks.best {
			f.ks.best = f.level
		}
	}
}
