package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"
)

// Exit statuses; see the package documentation.
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("asynclint: ")

	if isVetTool(os.Args[1:]) {
		// unitchecker parses the command line itself, into the global
		// flag set, which is why standalone mode uses a flag set of
		// its own.
		unitchecker.Main(vetSuite(os.Args[1:])...) // does not return
	}
	os.Exit(run(os.Args[1:]))
}

// isVetTool reports whether args are those go vet passes to a -vettool:
// -V=full and -flags during its handshake, then analyzer flags followed
// by the name of a unit.cfg file, once per package.
func isVetTool(args []string) bool {
	if len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg") {
		return true
	}
	for _, arg := range args {
		if !strings.HasPrefix(arg, "-") {
			break // flags end at the first package pattern
		}
		name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name == "V" || name == "flags" {
			return true
		}
	}
	return false
}

// options holds the standalone command line.
type options struct {
	tests   bool
	json    bool
	fix     bool
	diff    bool
	explain string
	// staticcheck says whether to run the bundled staticcheck checks.
	staticcheck bool
	patterns    []string
}

// run runs asynclint standalone and returns its exit status.
func run(args []string) int {
	var opts options
	fs := flag.NewFlagSet("asynclint", flag.ContinueOnError)
	fs.BoolVar(&opts.tests, "test", true, "analyze test files too")
	addGateFlags(fs, &gateOpts)
	fs.BoolVar(&opts.json, "json", false, "print findings as JSON, as go vet -json does")
	fs.BoolVar(&opts.fix, "fix", false, "apply the first suggested fix of each finding")
	fs.BoolVar(&opts.diff, "diff", false, "print the changes -fix would make as unified diffs, without applying them")
	fs.StringVar(&opts.explain, "explain", "", "print the documentation of the named analyzer")
	fs.BoolVar(&opts.staticcheck, "staticcheck", true, staticcheckFlagUsage)
	enabled := addAnalyzerFlags(fs, suite)
	fs.Usage = func() { usage(fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitError // fs has printed the error and the usage
	}
	opts.patterns = fs.Args()
	if !gateOpts.check(&opts) {
		return exitError
	}
	if gateOpts.gendocs {
		return gendocs()
	}

	if opts.explain != "" {
		return explain(opts.explain)
	}
	if opts.json && (opts.fix || opts.diff) {
		log.Print("-json cannot be combined with -fix or -diff")
		return exitError
	}
	if len(opts.patterns) == 0 {
		usage(fs)
		return exitError
	}
	analyzers := selectAnalyzers(suite, enabled)
	if !opts.staticcheck {
		analyzers = withoutStaticcheck(analyzers)
	}
	return analyze(analyzers, opts)
}

func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprintf(w, `asynclint reports blocking calls made without a context on async paths
and resources not released on every path.

Usage:
	asynclint [flags] packages...
	asynclint -explain analyzer
	go vet -vettool=$(which asynclint) [flags] packages...

Analyzers:
`)
	for _, a := range suite {
		title, _, _ := strings.Cut(a.Doc, "\n")
		fmt.Fprintf(w, "\t%s: %s\n", a.Name, strings.TrimPrefix(title, a.Name+": "))
	}
	fmt.Fprintf(w, "\nFlags:\n")
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nExit status: 0 nothing found, 1 findings, 2 errors. See go doc github.com/asynclint/asynclint/cmd/asynclint.\n")
}

// explain prints the documentation of the named analyzer.
func explain(name string) int {
	for _, a := range suite {
		if a.Name == name {
			fmt.Print(explainText(a))
			return exitClean
		}
	}
	var names []string
	for _, a := range suite {
		names = append(names, a.Name)
	}
	log.Printf("-explain: unknown analyzer %q; the analyzers are %s", name, strings.Join(names, ", "))
	return exitError
}

// addAnalyzerFlags adds to fs, for each analyzer, a flag -NAME that
// enables or disables it and its own flags as -NAME.FLAG: the names go
// vet gives them, so that a command line means the same in both modes.
// It returns the enabling flags.
func addAnalyzerFlags(fs *flag.FlagSet, analyzers []*analysis.Analyzer) map[*analysis.Analyzer]*triState {
	enabled := make(map[*analysis.Analyzer]*triState)
	for _, a := range analyzers {
		enabled[a] = new(triState)
		fs.Var(enabled[a], a.Name, fmt.Sprintf("enable the %s analyzer", a.Name))
		a.Flags.VisitAll(func(f *flag.Flag) {
			fs.Var(f.Value, a.Name+"."+f.Name, f.Usage)
		})
	}
	return enabled
}

// selectAnalyzers applies the enabling flags as go vet does: if any
// -NAME flag is true, only those analyzers run; otherwise every
// analyzer runs but those whose -NAME flag is false.
func selectAnalyzers(analyzers []*analysis.Analyzer, enabled map[*analysis.Analyzer]*triState) []*analysis.Analyzer {
	want := setFalse
	for _, ts := range enabled {
		if *ts == setTrue {
			want = setTrue
		}
	}
	var keep []*analysis.Analyzer
	for _, a := range analyzers {
		if ts := *enabled[a]; want == setTrue && ts == setTrue || want == setFalse && ts != setFalse {
			keep = append(keep, a)
		}
	}
	return keep
}

// A triState is a boolean flag that records whether it was set.
type triState int

const (
	unset triState = iota
	setTrue
	setFalse
)

func (ts *triState) IsBoolFlag() bool { return true }

func (ts *triState) String() string {
	if ts != nil && *ts == setFalse {
		return "false"
	}
	return "true"
}

func (ts *triState) Set(value string) error {
	b, err := strconv.ParseBool(value)
	if err != nil {
		return errors.New("want true or false")
	}
	if b {
		*ts = setTrue
	} else {
		*ts = setFalse
	}
	return nil
}
