// Command loadfloor loads packages with golang.org/x/tools/go/packages the
// way the asynclint CLI does before it hands them to go/analysis/checker,
// runs no analyzer, and exits. Its wall time and peak RSS are the floor
// that any go/packages-based analysis of the same patterns pays.
//
// Usage:
//
//	loadfloor [-mode=all|syntax] [-test=true] [-v] packages...
//
// -mode=all (the default) is packages.LoadAllSyntax|NeedModule: every
// dependency is parsed and type-checked from source. This is what the
// go/analysis drivers use when an analyzer needs facts
// (go/analysis/internal/checker.load with allSyntax), and what asynclint
// uses, since blockingcall summaries cross packages as facts.
//
// -mode=syntax is packages.LoadSyntax|NeedModule: only the initial packages
// are loaded from source, their dependencies come from the compiler's export
// data (go list -export). That is how the drivers load when no analyzer
// needs facts, and roughly how staticcheck type-checks a package (its
// imports come from export data). It is there for comparison.
//
// Exit status: 0 when loading succeeded (packages with errors still count
// as loaded; the first errors are printed to stderr), 2 when go/packages
// itself failed or matched nothing.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/tools/go/packages"
)

func main() {
	mode := flag.String("mode", "all", "all: LoadAllSyntax (deps from source); syntax: LoadSyntax (deps from export data)")
	tests := flag.Bool("test", true, "load test variants too (asynclint's default)")
	verbose := flag.Bool("v", false, "print package, file and error counts to stderr")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: loadfloor [-mode=all|syntax] [-test=true] [-v] packages...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}

	var m packages.LoadMode
	switch *mode {
	case "all":
		m = packages.LoadAllSyntax
	case "syntax":
		m = packages.LoadSyntax
	default:
		fmt.Fprintf(os.Stderr, "loadfloor: unknown -mode %q\n", *mode)
		os.Exit(2)
	}
	m |= packages.NeedModule

	start := time.Now()
	cfg := &packages.Config{Mode: m, Tests: *tests}
	initial, err := packages.Load(cfg, flag.Args()...)
	if err == nil && len(initial) == 0 {
		err = fmt.Errorf("%s matched no packages", strings.Join(flag.Args(), " "))
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadfloor: %v\n", err)
		os.Exit(2)
	}
	elapsed := time.Since(start)

	var npkgs, nsyntax, nfiles, nerrs int
	packages.Visit(initial, nil, func(p *packages.Package) {
		npkgs++
		if len(p.Syntax) > 0 {
			nsyntax++
		}
		nfiles += len(p.Syntax)
		for _, e := range p.Errors {
			if nerrs < 5 {
				fmt.Fprintf(os.Stderr, "loadfloor: %s: %v\n", p.ID, e)
			}
			nerrs++
		}
	})
	if nerrs > 0 {
		fmt.Fprintf(os.Stderr, "loadfloor: %d package errors (loaded anyway)\n", nerrs)
	}
	if *verbose {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(os.Stderr, "loadfloor: mode=%s tests=%t: %d initial, %d packages in graph, %d with syntax, %d files, %d package errors; load %.2fs; heap in use %d MiB\n",
			*mode, *tests, len(initial), npkgs, nsyntax, nfiles, nerrs, elapsed.Seconds(), ms.HeapInuse>>20)
	}
	// Keep everything reachable until the end, as a checker run would.
	runtime.KeepAlive(initial)
}
