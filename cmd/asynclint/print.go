package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"go/token"
	"io"

	"github.com/asynclint/asynclint/cmd/asynclint/internal/driver"
	"golang.org/x/tools/go/analysis"
)

// printText prints findings in the form file:line:col: message, each
// followed by its related positions, indented.
func printText(w io.Writer, findings []*finding) {
	var buf bytes.Buffer
	for _, f := range findings {
		fmt.Fprintf(&buf, "%s: %s\n", textPosn(f.posn), f.diag.Message)
		for _, rel := range f.diag.Related {
			fmt.Fprintf(&buf, "\t%s: %s\n", textPosn(f.fset.Position(rel.Pos)), rel.Message)
		}
	}
	_, _ = w.Write(buf.Bytes()) // ignore error, as go vet does
}

func textPosn(posn token.Position) string {
	if posn.Filename != "" {
		posn.Filename = shortPath(posn.Filename)
	}
	return posn.String()
}

// The JSON schema of go vet -json, which is that of the checker's
// PrintJSON and of unitchecker -json: a map from package ID to
// analyzer name to either a list of jsonDiagnostic or a jsonError.
// Positions are absolute, as go vet -json prints them.
type (
	jsonTree map[string]map[string]any

	jsonError struct {
		Err string `json:"error"`
	}

	jsonDiagnostic struct {
		Category       string             `json:"category,omitempty"`
		Posn           string             `json:"posn"`
		End            string             `json:"end"`
		Message        string             `json:"message"`
		SuggestedFixes []jsonSuggestedFix `json:"suggested_fixes,omitempty"`
		Related        []jsonRelated      `json:"related,omitempty"`
	}

	jsonSuggestedFix struct {
		Message string         `json:"message"`
		Edits   []jsonTextEdit `json:"edits"`
	}

	// A jsonTextEdit replaces the bytes [Start, End) of the file.
	jsonTextEdit struct {
		Filename string `json:"filename"`
		Start    int    `json:"start"`
		End      int    `json:"end"`
		New      string `json:"new"`
	}

	jsonRelated struct {
		Posn    string `json:"posn"`
		End     string `json:"end"`
		Message string `json:"message"`
	}
)

// printJSON prints findings and analysis errors as go vet -json does.
// Each finding appears under the package it was attributed to by
// collect, so a file shared with a test variant does not repeat it.
func printJSON(w io.Writer, res *driver.Result, findings []*finding) error {
	tree := make(jsonTree)
	add := func(pkg *driver.Package, a *analysis.Analyzer, v any) {
		m, ok := tree[pkg.ID]
		if !ok {
			m = make(map[string]any)
			tree[pkg.ID] = m
		}
		m[a.Name] = v
	}

	roots := make(map[*driver.Package]bool)
	for _, pkg := range res.Packages {
		roots[pkg] = true
	}
	for pkg := range res.All() {
		// Report the failures printAnalysisErrors prints, and
		// skipped roots, so that no root package goes missing.
		for a, err := range pkg.Failures {
			if roots[pkg] || rootCause(err) {
				add(pkg, a, jsonError{err.Error()})
			}
		}
	}

	type key struct {
		pkg *driver.Package
		a   *analysis.Analyzer
	}
	diags := make(map[key][]jsonDiagnostic)
	for _, f := range findings {
		k := key{f.pkg, f.analyzer}
		diags[k] = append(diags[k], toJSON(f.fset, f.diag))
	}
	for k, list := range diags {
		add(k.pkg, k.a, list)
	}

	data, err := json.MarshalIndent(tree, "", "\t")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

func toJSON(fset *token.FileSet, diag analysis.Diagnostic) jsonDiagnostic {
	posn := func(pos token.Pos) string { return fset.Position(pos).String() }
	jd := jsonDiagnostic{
		Category: diag.Category,
		Posn:     posn(diag.Pos),
		End:      posn(cmp.Or(diag.End, diag.Pos)),
		Message:  diag.Message,
	}
	for _, fix := range diag.SuggestedFixes {
		jfix := jsonSuggestedFix{Message: fix.Message, Edits: []jsonTextEdit{}}
		for _, edit := range fix.TextEdits {
			start, end := fset.Position(edit.Pos), fset.Position(cmp.Or(edit.End, edit.Pos))
			jfix.Edits = append(jfix.Edits, jsonTextEdit{
				Filename: start.Filename,
				Start:    start.Offset,
				End:      end.Offset,
				New:      string(edit.NewText),
			})
		}
		jd.SuggestedFixes = append(jd.SuggestedFixes, jfix)
	}
	for _, rel := range diag.Related {
		jd.Related = append(jd.Related, jsonRelated{
			Posn:    posn(rel.Pos),
			End:     posn(cmp.Or(rel.End, rel.Pos)),
			Message: rel.Message,
		})
	}
	return jd
}
