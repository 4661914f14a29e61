package main

// This file holds what makes asynclint a CI gate: SARIF output and
// baselines of legacy findings.

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"go/token"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/asynclint/asynclint/cmd/asynclint/internal/baseline"
	"github.com/asynclint/asynclint/cmd/asynclint/internal/checkdoc"
	"github.com/asynclint/asynclint/cmd/asynclint/internal/driver"
	"github.com/asynclint/asynclint/cmd/asynclint/internal/sarif"
)

// version is asynclint's release, which SARIF output and the checks'
// documentation name.
const version = checkdoc.Since

const (
	repoURL   = "https://github.com/asynclint/asynclint"
	checksURL = repoURL + "/blob/main/docs/checks.md"
)

// gateOpts holds the flags of this file, kept apart from options so that
// the formats and baselines stay out of the way of the rest of the CLI.
var gateOpts gateOptions

// gateOptions are the flags of this file.
type gateOptions struct {
	format        string // "", "text", "json" or "sarif"
	sarif         bool
	baseline      string // file of known findings to leave out
	baselineWrite string // file to record the findings in
	gendocs       bool
}

func addGateFlags(fs *flag.FlagSet, g *gateOptions) {
	fs.StringVar(&g.format, "format", "", "output format: text, json or sarif")
	fs.BoolVar(&g.sarif, "sarif", false, "print findings as SARIF 2.1.0 (same as -format sarif)")
	fs.StringVar(&g.baseline, "baseline", "", "report only findings not recorded in this `file` (see -baseline-write)")
	fs.StringVar(&g.baselineWrite, "baseline-write", "", "record the findings in this `file`, as a baseline for -baseline, instead of reporting them")
	fs.BoolVar(&g.gendocs, "gendocs", false, "print docs/checks.md, the checks' reference, generated from their documentation")
}

// check resolves -format into the options and rejects combinations that
// make no sense, reporting whether the command line is valid.
func (g *gateOptions) check(opts *options) bool {
	switch g.format {
	case "", "text":
	case "json":
		opts.json = true
	case "sarif":
		g.sarif = true
	default:
		log.Printf("-format %s: want text, json or sarif", g.format)
		return false
	}
	switch {
	case g.sarif && opts.json:
		log.Print("-sarif and -json are different formats: choose one")
		return false
	case g.sarif && (opts.fix || opts.diff):
		log.Print("-sarif cannot be combined with -fix or -diff")
		return false
	case g.baselineWrite != "" && (opts.json || g.sarif || opts.fix || opts.diff):
		log.Print("-baseline-write records findings; it prints none and fixes none")
		return false
	case g.baselineWrite != "" && g.baseline != "":
		log.Print("-baseline-write records every finding: it cannot be combined with -baseline")
		return false
	}
	return true
}

// gate applies the baseline options to the findings of a run: it
// writes a baseline, or leaves out known findings. It returns the
// findings left for the caller to print, or done and the exit status if
// it has dealt with them.
func gate(res *driver.Result, findings []*finding, status int) (left []*finding, done bool, code int) {
	g := gateOpts
	if g.baselineWrite != "" {
		b, err := baseline.WriteFile(g.baselineWrite, "asynclint", baselineFindings(findings))
		if err != nil {
			log.Print(err)
			return nil, true, exitError
		}
		fmt.Fprintf(os.Stderr, "asynclint: recorded %d findings (%d keys) in %s\n", len(findings), len(b.Findings), g.baselineWrite)
		if status == exitError {
			log.Print("some packages could not be analysed: the baseline lacks their findings")
		}
		return nil, true, status
	}
	if g.baseline != "" {
		b, err := baseline.ReadFile(g.baseline)
		if err != nil {
			log.Print(err)
			return nil, true, exitError
		}
		fresh, gone := b.Match(baselineFindings(findings))
		known := len(findings) - len(fresh)
		kept := make([]*finding, 0, len(fresh))
		for _, i := range fresh {
			kept = append(kept, findings[i])
		}
		findings = kept
		analysed := make(map[string]bool)
		for _, pkg := range res.Packages {
			for _, name := range pkg.CompiledGoFiles {
				analysed[name] = true
			}
		}
		n := 0 // findings gone from the files analysed
		for _, e := range gone {
			if analysed[filepath.Join(b.Dir(), filepath.FromSlash(e.File))] {
				n += e.Count
			}
		}
		if known > 0 || n > 0 {
			msg := fmt.Sprintf("asynclint: %d findings known to the baseline %s left out", known, g.baseline)
			if n > 0 {
				msg += fmt.Sprintf("; %d it records are gone (rewrite it with -baseline-write to drop them)", n)
			}
			fmt.Fprintln(os.Stderr, msg)
		}
	}
	return findings, false, status
}

// printSARIF prints the SARIF log of a run.
func printSARIF(w io.Writer, res *driver.Result, analyzers []*analysis.Analyzer, findings []*finding, status int) error {
	return toSARIF(res, analyzers, findings, status).Write(w)
}

// enclosing finds the function declaration around a position, reading
// and parsing each file once.
type enclosing struct {
	src map[string][]byte
}

func (e *enclosing) content(name string) []byte {
	if e.src == nil {
		e.src = make(map[string][]byte)
	}
	src, ok := e.src[name]
	if !ok {
		src, _ = os.ReadFile(name) // a file that cannot be read has no functions
		e.src[name] = src
	}
	return src
}

func (e *enclosing) function(posn token.Position) string {
	if !strings.HasSuffix(posn.Filename, ".go") {
		return ""
	}
	return baseline.Enclosing(posn.Filename, e.content(posn.Filename), posn.Offset)
}

// baselineFindings converts findings for the baseline package.
func baselineFindings(findings []*finding) []baseline.Finding {
	var e enclosing
	out := make([]baseline.Finding, len(findings))
	for i, f := range findings {
		out[i] = baselineFinding(&e, f)
	}
	return out
}

func baselineFinding(e *enclosing, f *finding) baseline.Finding {
	name := f.posn.Filename
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	return baseline.Finding{
		File:     name,
		Analyzer: f.analyzer.Name,
		Function: e.function(f.posn),
		Message:  f.diag.Message,
	}
}

// toSARIF returns the SARIF log of a run. Each analyzer is a rule, and
// a finding's ruleId is its analyzer's name; the diagnostic's category
// (ctxleak's stranded, forever, lostcancel, lock, waitgroup, timer) is
// the result's property "category". Locations are relative to the
// current directory, as %SRCROOT%.
func toSARIF(res *driver.Result, analyzers []*analysis.Analyzer, findings []*finding, status int) *sarif.Log {
	root, _ := workDir()
	l := sarif.New("asynclint", version, repoURL, root)
	run := l.Runs[0]

	index := make(map[string]int)
	addRule := func(a *analysis.Analyzer) {
		if _, ok := index[a.Name]; ok {
			return
		}
		index[a.Name] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule(a))
	}
	for _, a := range analyzers {
		addRule(a)
	}
	for _, f := range findings {
		addRule(f.analyzer)
	}

	files := new(enclosing)
	region := func(start, end token.Position) *sarif.Region {
		r := &sarif.Region{StartLine: start.Line, StartColumn: max(start.Column, 1)}
		if src := files.content(start.Filename); src != nil {
			r.StartColumn = sarif.UTF16Column(srcLine(src, start.Offset), r.StartColumn)
		}
		if end.IsValid() && end.Filename == start.Filename && end.Offset >= start.Offset {
			r.EndLine, r.EndColumn = end.Line, max(end.Column, 1)
			if src := files.content(end.Filename); src != nil {
				r.EndColumn = sarif.UTF16Column(srcLine(src, end.Offset), r.EndColumn)
			}
		}
		return r
	}
	location := func(start, end token.Position) *sarif.Location {
		return &sarif.Location{PhysicalLocation: &sarif.PhysicalLocation{
			ArtifactLocation: sarif.Artifact(root, start.Filename),
			Region:           region(start, end),
		}}
	}
	position := func(pos token.Pos) token.Position {
		if !pos.IsValid() {
			return token.Position{}
		}
		return res.Fset.Position(pos)
	}

	for _, f := range findings {
		r := &sarif.Result{
			RuleID:    f.analyzer.Name,
			RuleIndex: index[f.analyzer.Name],
			Level:     "warning",
			Message:   sarif.Message{Text: f.diag.Message},
			Locations: []*sarif.Location{location(f.posn, position(f.diag.End))},
			PartialFingerprints: map[string]string{
				"asynclint/v1": baseline.KeyOf(root, baselineFinding(files, f)).Fingerprint(),
			},
		}
		if f.diag.Category != "" {
			r.Properties = map[string]any{"category": f.diag.Category}
		}
		for i, rel := range f.diag.Related {
			loc := location(position(rel.Pos), position(rel.End))
			id := i + 1
			loc.ID = &id
			loc.Message = &sarif.Message{Text: rel.Message}
			r.RelatedLocations = append(r.RelatedLocations, loc)
		}
		for _, fix := range f.diag.SuggestedFixes {
			if sf := sarifFix(res.Fset, root, files, fix, region); sf != nil {
				r.Fixes = append(r.Fixes, sf)
			}
		}
		run.Results = append(run.Results, r)
	}

	inv := &sarif.Invocation{ExecutionSuccessful: status != exitError}
	for pkg := range res.All() {
		for _, err := range pkg.Errors {
			msg := err.Msg
			if err.Pos != "" {
				msg = shortPosn(err.Pos) + ": " + msg
			}
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
				&sarif.Notification{Level: "error", Message: sarif.Message{Text: msg}})
		}
		for _, a := range sortedAnalyzers(pkg.Failures) {
			if err := pkg.Failures[a]; rootCause(err) {
				inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
					&sarif.Notification{Level: "error", Message: sarif.Message{
						Text: fmt.Sprintf("%s: analyzer %s failed: %v", pkg.ID, a.Name, err)}})
			}
		}
	}
	run.Invocations = []*sarif.Invocation{inv}
	return l
}

// sarifFix converts a suggested fix, whose edits the driver has
// validated; it returns nil if a file cannot be read to locate them.
func sarifFix(fset *token.FileSet, root string, files *enclosing, fix analysis.SuggestedFix, region func(start, end token.Position) *sarif.Region) *sarif.Fix {
	sf := &sarif.Fix{Description: &sarif.Message{Text: fix.Message}}
	changes := make(map[string]*sarif.ArtifactChange)
	edits := slices.Clone(fix.TextEdits)
	slices.SortStableFunc(edits, func(x, y analysis.TextEdit) int { return cmp.Compare(x.Pos, y.Pos) })
	for _, e := range edits {
		start := fset.Position(e.Pos)
		end := fset.Position(cmp.Or(e.End, e.Pos))
		if files.content(start.Filename) == nil {
			return nil
		}
		c := changes[start.Filename]
		if c == nil {
			c = &sarif.ArtifactChange{ArtifactLocation: sarif.Artifact(root, start.Filename)}
			changes[start.Filename] = c
			sf.ArtifactChanges = append(sf.ArtifactChanges, c)
		}
		r := region(start, end)
		if r.EndLine == 0 {
			r.EndLine, r.EndColumn = r.StartLine, r.StartColumn
		}
		off, n := start.Offset, end.Offset-start.Offset
		r.ByteOffset, r.ByteLength = &off, &n
		c.Replacements = append(c.Replacements, &sarif.Replacement{
			DeletedRegion:   *r,
			InsertedContent: &sarif.ArtifactContent{Text: string(e.NewText)},
		})
	}
	if len(sf.ArtifactChanges) == 0 {
		return nil
	}
	return sf
}

// srcLine returns the line of src that holds offset, without its newline.
func srcLine(src []byte, offset int) []byte {
	offset = min(max(offset, 0), len(src))
	start := bytes.LastIndexByte(src[:offset], '\n') + 1
	end := bytes.IndexByte(src[offset:], '\n')
	if end < 0 {
		return src[start:]
	}
	return src[start : offset+end]
}

// checkOf returns the parsed documentation of a, one of asynclint's own
// analyzers.
func checkOf(a *analysis.Analyzer) *checkdoc.Check {
	c := checkdoc.Parse(a.Name, a.Doc)
	c.URL = checksURL + "#" + a.Name
	return c
}

func sarifRule(a *analysis.Analyzer) *sarif.ReportingDescriptor {
	if !ours(a) {
		title, _, _ := strings.Cut(strings.TrimSpace(a.Doc), "\n")
		return &sarif.ReportingDescriptor{
			ID:                   a.Name,
			Name:                 a.Name,
			ShortDescription:     &sarif.Message{Text: title},
			Help:                 &sarif.Message{Text: strings.TrimSpace(a.Doc)},
			HelpURI:              a.URL,
			DefaultConfiguration: &sarif.ReportingConfiguration{Level: "warning"},
		}
	}
	c := checkOf(a)
	rule := &sarif.ReportingDescriptor{
		ID:                   a.Name,
		Name:                 a.Name,
		ShortDescription:     &sarif.Message{Text: c.Summary},
		Help:                 &sarif.Message{Text: c.Text(a.Doc), Markdown: string(c.Markdown(1))},
		HelpURI:              c.URL,
		DefaultConfiguration: &sarif.ReportingConfiguration{Level: "warning"},
		Properties:           map[string]any{"tags": []string{"concurrency", "reliability", "go"}},
	}
	if why := c.Why(); why != "" {
		rule.FullDescription = &sarif.Message{Text: strings.Join(strings.Fields(why), " ")}
	}
	return rule
}

// ours reports whether a is one of asynclint's own analyzers, whose
// documentation follows the form package checkdoc reads.
func ours(a *analysis.Analyzer) bool {
	return strings.HasPrefix(a.URL, "https://pkg.go.dev/github.com/asynclint/asynclint/analyzers/")
}

// explainText returns what -explain prints for a.
func explainText(a *analysis.Analyzer) string {
	if !ours(a) {
		return strings.TrimSpace(a.Doc) + "\n"
	}
	return checkOf(a).Text(a.Doc)
}

// gendocs prints docs/checks.md.
func gendocs() int {
	var checks []*checkdoc.Check
	for _, a := range suite {
		if ours(a) {
			checks = append(checks, checkOf(a))
		}
	}
	os.Stdout.Write(checkdoc.Document(checks, "go run ./cmd/asynclint -gendocs"))
	return exitClean
}
