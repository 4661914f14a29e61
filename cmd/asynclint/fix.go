package main

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"log"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/asynclint/asynclint/cmd/asynclint/internal/diff"
	"github.com/asynclint/asynclint/cmd/asynclint/internal/driver"
	"github.com/asynclint/asynclint/cmd/asynclint/internal/edit"
)

// A candidate is the first suggested fix of a finding, as file edits.
type candidate struct {
	finding *finding
	edits   []edit.Edit
}

// fix applies the first suggested fix of each finding, writing the
// files if write is set and otherwise printing unified diffs to
// standard output. It returns the findings left unfixed, and reports
// whether every file that had to be written was written.
//
// Fixes are taken in order of position; one that conflicts with an
// earlier one is skipped whole. If a file cannot be fixed (it changed
// since it was analyzed, or the fixes would make it invalid Go) every
// fix that edits it is dropped and the remaining fixes are merged
// again, so that no fix is applied in part.
func fix(res *driver.Result, findings []*finding, write bool) (unfixed []*finding, ok bool) {
	generated := generatedFiles(res)
	sizes := make(map[string]int) // size of each file as analyzed

	var candidates []*candidate
	fixOf := make(map[*finding]*candidate)
	for _, f := range findings {
		if len(f.diag.SuggestedFixes) == 0 {
			continue
		}
		c := &candidate{finding: f}
		inGenerated := false
		for _, te := range f.diag.SuggestedFixes[0].TextEdits {
			file := f.fset.File(te.Pos)
			sizes[file.Name()] = file.Size()
			inGenerated = inGenerated || generated[file.Name()]
			c.edits = append(c.edits, edit.Edit{
				File:  file.Name(),
				Start: file.Offset(te.Pos),
				End:   file.Offset(te.End), // End is valid: the driver validated the fix
				New:   string(te.NewText),
			})
		}
		if inGenerated {
			warnf(f.posn, "not applying fix %q to a generated file", f.diag.SuggestedFixes[0].Message)
			continue
		}
		candidates = append(candidates, c)
		fixOf[f] = c
	}

	bad := make(map[string]error) // files that cannot be fixed
	touchesBad := func(c *candidate) bool {
		return slices.ContainsFunc(c.edits, func(e edit.Edit) bool { return bad[e.File] != nil })
	}
	var (
		applied  map[*candidate]bool
		conflict map[*candidate]*candidate // a skipped fix and an applied one it overlaps
		results  map[string][]byte         // new content of each file to change
		original map[string][]byte
	)
	for {
		var set edit.Set
		applied = make(map[*candidate]bool)
		conflict = make(map[*candidate]*candidate)
		owner := make(map[edit.Edit]*candidate)
		for _, c := range candidates {
			if touchesBad(c) {
				continue
			}
			if x, ok := set.Add(c.edits); !ok {
				conflict[c] = owner[x]
				continue
			}
			applied[c] = true
			for _, e := range c.edits {
				if owner[e] == nil {
					owner[e] = c
				}
			}
		}

		results = make(map[string][]byte)
		original = make(map[string][]byte)
		done := true
		for _, name := range set.Files() {
			src, out, err := fixFile(name, sizes[name], set.Edits(name))
			if err != nil {
				bad[name] = err
				done = false
				continue
			}
			original[name], results[name] = src, out
		}
		if done {
			break
		}
	}

	for _, c := range candidates {
		if other, ok := conflict[c]; ok {
			warnf(c.finding.posn, "skipping fix %q: it overlaps the fix for %s; run again to apply it",
				c.finding.diag.SuggestedFixes[0].Message, textPosn(other.finding.posn))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(bad)) {
		log.Printf("not fixing %s: %v", shortPath(name), bad[name])
	}

	ok = true
	for _, name := range slices.Sorted(maps.Keys(results)) {
		if !write {
			os.Stdout.WriteString(diff.Unified(shortPath(name)+".orig", shortPath(name), string(original[name]), string(results[name])))
			continue
		}
		if err := os.WriteFile(name, results[name], 0666); err != nil {
			log.Print(err)
			bad[name] = err
			ok = false
		}
	}

	for _, f := range findings {
		if c := fixOf[f]; c == nil || !applied[c] || touchesBad(c) {
			unfixed = append(unfixed, f)
		}
	}
	return unfixed, ok
}

// fixFile returns the content of the named file before and after the
// edits. A Go file is formatted afterwards only if gofmt left it
// unchanged before, so that fixes do not reformat code the user keeps
// in a shape of their own; either way, a file that parsed before must
// parse after.
func fixFile(name string, size int, edits []edit.Edit) (src, out []byte, err error) {
	src, err = os.ReadFile(name)
	if err != nil {
		return nil, nil, err
	}
	if len(src) != size {
		return nil, nil, fmt.Errorf("file changed since it was analyzed")
	}
	out, err = edit.Apply(src, edits)
	if err != nil {
		return nil, nil, err
	}
	if !strings.HasSuffix(name, ".go") {
		return src, out, nil
	}
	before, err := format.Source(src)
	if err != nil {
		return src, out, nil // it was not valid Go to begin with
	}
	after, err := format.Source(out)
	if err != nil {
		return nil, nil, fmt.Errorf("the fixes would make it invalid Go: %v", err)
	}
	if bytes.Equal(before, src) {
		out = after
	}
	return src, out, nil
}

// generatedFiles reports which files of the root packages have a
// "Code generated ... DO NOT EDIT." comment: their next generation
// would undo a fix.
func generatedFiles(res *driver.Result) map[string]bool {
	generated := make(map[string]bool)
	for _, pkg := range res.Packages {
		for _, name := range pkg.GeneratedFiles {
			generated[name] = true
		}
	}
	return generated
}

func warnf(posn token.Position, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s: warning: %s\n", textPosn(posn), fmt.Sprintf(format, args...))
}
