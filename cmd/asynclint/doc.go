// Asynclint reports the bugs that make network services hang and leak:
// blocking calls that cannot be cancelled because they are made without a
// context on asynchronous paths, such as request handlers and goroutines
// (blockingcall), and response bodies, connections, rows and files that are
// not released on every path (closecheck).
//
// Usage:
//
//	asynclint [flags] packages...
//	asynclint -explain analyzer
//	go vet -vettool=$(which asynclint) [flags] packages...
//
// Packages are named by the patterns of the go command (./..., a
// directory, an import path), and are loaded by the go command in the
// current directory: GOFLAGS, GOOS, GOARCH and build tags in GOFLAGS
// apply as they do to go build. Test files are analyzed too.
//
// Findings are printed to standard error, one per line, in the form
//
//	file:line:col: message
//
// with positions relative to the current directory where that is
// shorter, as go vet prints them. Positions that explain a finding,
// such as each step of a call chain, follow it on lines of their own,
// indented by a tab. A finding in a file that belongs to both a package
// and its test variant is printed once.
//
// Flags:
//
//	-test=false
//	    do not analyze test files
//	-json
//	    print findings to standard output as JSON, in the form printed
//	    by go vet -json: an object mapping each package ID to an object
//	    mapping each analyzer name to either a list of diagnostics (posn,
//	    end, message, suggested_fixes, related) or {"error": "..."}
//	-fix
//	    apply the first suggested fix of each finding to the source
//	    files, and print the findings that were not fixed. A fix is
//	    applied whole or not at all: a fix that would overlap an edit of
//	    another fix is skipped, with a warning, and its finding is
//	    reported again by the next run. Files that were formatted by
//	    gofmt before are formatted after.
//	-diff
//	    print the changes -fix would make, as unified diffs on standard
//	    output, instead of writing them
//	-sarif, -format sarif
//	    print findings to standard output as a SARIF 2.1.0 log: one run,
//	    whose tool driver has a rule per analyzer (id, descriptions, help
//	    from its documentation); each result's ruleId is its analyzer's
//	    name and its property "category" the diagnostic's category (as
//	    ctxleak's lostcancel); related positions are relatedLocations,
//	    suggested fixes are fixes; file locations are relative to the
//	    current directory, the base %SRCROOT%. -format json is -json.
//	-baseline file
//	    leave out the findings the baseline file records (see
//	    -baseline-write); the exit status counts only the others
//	-baseline-write file
//	    record the findings in the file, keyed by file, analyzer,
//	    enclosing function and message without its line numbers, so that
//	    lines inserted above a finding do not make it new; print none,
//	    and exit 0 unless a package failed to load
//	-explain name
//	    print the documentation of the named analyzer and exit
//	-gendocs
//	    print docs/checks.md, generated from the analyzers' documentation
//	-NAME.FLAG=value
//	    set flag FLAG of analyzer NAME, for example
//	    -blockingcall.funcs=example.com/db.Query
//	-NAME=false
//	    do not run analyzer NAME; -NAME alone runs only the analyzers
//	    so named
//
// The analyzers are listed by asynclint -help; asynclint -explain NAME
// describes what each reports and the directives that silence it.
//
// Exit status:
//
//	0  the packages were analyzed and nothing was found
//	   (with -fix: every finding was fixed)
//	1  findings were reported, also with -json, and with -diff
//	   (which changes nothing); with -fix, at least one finding
//	   was not fixed
//	2  a package could not be loaded or does not type-check, an
//	   analyzer failed, a fixed file could not be written, or the
//	   command line is wrong (an unknown flag, an unknown -explain
//	   name, no package patterns, or patterns that match no packages)
//
// Status 2 takes precedence over 1: the packages that load are still
// analyzed and their findings printed, but a run that could not look
// at every package does not report success or mere findings.
//
// # go vet
//
// Given the arguments go vet passes to a -vettool (-V=full, -flags, or
// a unit.cfg file, possibly after analyzer flags), asynclint speaks the
// vet tool protocol of [golang.org/x/tools/go/analysis/unitchecker],
// so that
//
//	go vet -vettool=$(which asynclint) ./...
//
// analyzes each package once, with facts about its dependencies taken
// from the vet cache. In that mode go vet prints the findings and sets
// the exit status: 1 for findings or errors, but 0 with -json whatever
// was found. The -json, -fix and -diff flags are those of go vet.
//
// The go command caches the output of each vet run by package, without
// distinguishing a package vetted for its own findings from one vetted
// only for the facts a dependent package needs, which prints nothing.
// After go vet ./a, where a imports b, go vet ./b may therefore replay
// the silence of the first run; go vet -a ./b analyzes b afresh.
package main
