package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
)

func (s *scored) report(w io.Writer, verbose bool) {
	n := len(s.kernels)
	built := 0
	for _, ks := range s.kernels {
		if _, bad := s.notBuilt[ks.dir]; !bad {
			built++
		}
	}
	analyzed := 0
	for _, ks := range s.kernels {
		_, bad := s.notBuilt[ks.dir]
		_, aerr := s.anaErr[ks.dir]
		if !bad && !aerr {
			analyzed++
		}
	}
	var listed, commented, none []string
	for _, ks := range s.kernels {
		switch {
		case ks.tc == nil || len(ks.tc.patterns) == 0:
			none = append(none, ks.k.name)
		case ks.tc.commented:
			commented = append(commented, ks.k.name)
		default:
			listed = append(listed, ks.k.name)
		}
	}

	fmt.Fprintf(w, "GoKer blocking-bug kernels%s\n", paren(s.source))
	fmt.Fprintln(w, published)
	fmt.Fprintf(w, "kernels: %d; built: %d; analyzed without error: %d; leak patterns: %d in gokerTestCases, %d only in commented-out cases%s, %d without\n",
		n, built, analyzed, len(listed), len(commented), paren(strings.Join(commented, ", ")), len(none))
	fmt.Fprintln(w)

	count := func(any bool, min int) int {
		c := 0
		for _, ks := range s.kernels {
			b := ks.best
			if any {
				b = ks.bestAny
			}
			if b >= min {
				c++
			}
		}
		return c
	}
	an := s.analyzer
	fmt.Fprintf(w, "%-58s %10s %13s\n", "kernels with a finding", an, "any analyzer")
	for _, row := range []struct {
		label string
		level int
	}{
		{"at the leaked goroutine's function or its go statement", levelStuck},
		{"  + in a callee holding an op of the blocked kind", levelCallee},
		{"anywhere in the kernel file", levelFile},
	} {
		fmt.Fprintf(w, "%-58s %10s %13s\n", row.label,
			fmt.Sprintf("%d/%d", count(false, row.level), n), fmt.Sprintf("%d/%d", count(true, row.level), n))
	}
	fmt.Fprintln(w)

	// Per rule.
	type rule struct {
		findings, stuck, callee int
		kernels                 map[string]bool
	}
	rules := map[string]*rule{}
	total := 0
	for _, f := range s.findings {
		if f.analyzer != an {
			continue
		}
		total++
		c := f.Category
		if c == "" {
			c = "(none)"
		}
		r := rules[c]
		if r == nil {
			r = &rule{kernels: map[string]bool{}}
			rules[c] = r
		}
		r.findings++
		switch {
		case f.level >= levelStuck:
			r.stuck++
			r.kernels[f.ks.k.name] = true
		case f.level == levelCallee:
			r.callee++
		}
	}
	if total == 0 {
		fmt.Fprintf(w, "%s: no findings (is it in cmd/asynclint/suite.go?)\n", an)
	} else {
		fmt.Fprintf(w, "%s by rule (category)   findings  at stuck  in callee  kernels found at stuck\n", an)
		for _, c := range slices.Sorted(maps.Keys(rules)) {
			r := rules[c]
			fmt.Fprintf(w, "  %-22s %9d %9d %10d %8d\n", c, r.findings, r.stuck, r.callee, len(r.kernels))
		}
	}
	others := map[string]int{}
	for _, f := range s.findings {
		if f.analyzer != an {
			others[f.analyzer]++
		}
	}
	if len(others) > 0 {
		var names []string
		for a, c := range others {
			names = append(names, fmt.Sprintf("%s %d", a, c))
		}
		sort.Strings(names)
		fmt.Fprintf(w, "other analyzers' findings: %s\n", strings.Join(names, ", "))
	}
	fmt.Fprintln(w)

	// Found and missed.
	var found, callee, missed []string
	for _, ks := range s.kernels {
		if ks.tc == nil || len(ks.tc.patterns) == 0 {
			continue
		}
		name := ks.k.name
		if ks.tc.flaky {
			name += "~"
		}
		if ks.tc.commented {
			name += "#"
		}
		switch {
		case ks.best >= levelStuck:
			found = append(found, name)
		case ks.best == levelCallee:
			callee = append(callee, name+" ["+ks.kinds()+"]")
		default:
			missed = append(missed, name+" ["+ks.kinds()+"]")
		}
	}
	fmt.Fprintf(w, "found by %s (%d; ~ flaky in the runtime test, # commented-out case):\n", an, len(found))
	wrapList(w, found)
	if len(callee) > 0 {
		fmt.Fprintf(w, "found by %s only in a callee (%d; blocked op):\n", an, len(callee))
		for _, c := range callee {
			fmt.Fprintf(w, "  %s\n", c)
		}
	}
	fmt.Fprintf(w, "missed by %s (%d; blocked op):\n", an, len(missed))
	for _, m := range missed {
		fmt.Fprintf(w, "  %s\n", m)
	}
	if len(commented) > 0 {
		fmt.Fprintln(w, "commented-out cases (not run by the runtime test, scored above with their patterns):")
		for _, ks := range s.kernels {
			if ks.tc != nil && ks.tc.commented && len(ks.tc.patterns) > 0 {
				fmt.Fprintf(w, "  %s: %s [%s]\n", ks.k.name, levelName(ks.best), ks.kinds())
			}
		}
	}
	if len(none) > 0 {
		fmt.Fprintf(w, "without leak patterns (only \"anywhere\" applies): %s\n", strings.Join(none, ", "))
	}
	if len(s.notBuilt) > 0 {
		fmt.Fprintln(w, "NOT BUILT:")
		for _, d := range slices.Sorted(maps.Keys(s.notBuilt)) {
			fmt.Fprintf(w, "  %s: %s\n", d, strings.ReplaceAll(strings.TrimSpace(s.notBuilt[d]), "\n", "\n    "))
		}
	}
	if len(s.anaErr) > 0 {
		fmt.Fprintln(w, "ANALYSIS ERRORS:")
		for _, d := range slices.Sorted(maps.Keys(s.anaErr)) {
			fmt.Fprintf(w, "  %s: %s\n", d, firstLine(s.anaErr[d]))
		}
	}
	if len(s.unresolved) > 0 {
		fmt.Fprintln(w, "unresolved leak patterns (no kernel function matches):")
		for _, u := range s.unresolved {
			fmt.Fprintf(w, "  %s\n", u)
		}
	}

	var elsewhere []*finding
	for _, f := range s.findings {
		if f.ks != nil && f.level < levelCallee {
			elsewhere = append(elsewhere, f)
		}
	}
	elsewhere = append(elsewhere, s.orphans...)
	fmt.Fprintf(w, "\nelsewhere in the kernels (%d; possible false alarms, review):\n", len(elsewhere))
	for _, f := range elsewhere {
		fmt.Fprintf(w, "  %s\n", f.line())
	}
	if verbose {
		fmt.Fprintln(w, "\nleaked goroutines' functions (stuck) and callees holding an op of the blocked kind (callee):")
		for _, ks := range s.kernels {
			fmt.Fprintf(w, "  %s (%s): stuck %s; callee %s\n", ks.k.name, ks.k.key,
				strings.Join(setList(ks.stuck), " "), strings.Join(setList(ks.near), " "))
		}
		fmt.Fprintf(w, "\nall findings (%d):\n", len(s.findings))
		for _, f := range s.findings {
			fmt.Fprintf(w, "  [%s] %s\n", levelName(f.level), f.line())
			for _, r := range f.Related {
				fmt.Fprintf(w, "      %s: %s\n", shortPosn(r.Posn), firstLine(r.Message))
			}
		}
	}
}

func (f *finding) line() string {
	an := f.analyzer
	if f.Category != "" {
		an += "/" + f.Category
	}
	where := ""
	if f.support {
		where = " (support file)"
	}
	return fmt.Sprintf("%s%s %s: %s", shortPosn(f.Posn), where, an, trunc(firstLine(f.Message), 140))
}

// kinds lists the wait reasons of the kernel's leaked goroutines.
func (ks *kernelScore) kinds() string {
	seen := map[string]bool{}
	var out []string
	for _, l := range ks.leaks {
		for _, r := range l.reasons {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "?"
	}
	return strings.Join(out, "; ")
}

func levelName(l int) string {
	switch l {
	case levelStuck:
		return "at stuck"
	case levelCallee:
		return "in callee"
	case levelFile:
		return "elsewhere"
	}
	return "missed"
}

func shortPosn(p string) string {
	file, line, col := splitPosn(p)
	return fmt.Sprintf("%s:%d:%d", posnKey(file), line, col)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func setList(m map[string]bool) []string {
	out := slices.Sorted(maps.Keys(m))
	if len(out) == 0 {
		out = []string{"-"}
	}
	return out
}

func wrapList(w io.Writer, names []string) {
	line := " "
	for _, n := range names {
		if len(line)+len(n)+1 > 78 {
			fmt.Fprintln(w, line)
			line = " "
		}
		line += " " + n
	}
	if strings.TrimSpace(line) != "" {
		fmt.Fprintln(w, line)
	}
}
