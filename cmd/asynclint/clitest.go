//go:build asynclint_clitest

package main

// This file adds to the suite an analyzer that misbehaves on demand,
// so that the tests can see what asynclint does when an analyzer
// panics or fails, or when fixes conflict or break a file. It is
// compiled only into the binary the tests build with
// -tags=asynclint_clitest.

import (
	"errors"
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
)

func init() {
	suite = append(suite, clitestAnalyzer)
}

var clitestAnalyzer = &analysis.Analyzer{
	Name: "clitest",
	Doc: `clitest: misbehave as //clitest: comments direct

//clitest:panic    panic
//clitest:error    fail with an error
//clitest:overlap  report two findings whose fixes replace this comment
//clitest:invalid  report a finding whose fix makes the file invalid Go
//clitest:ignores  use every unscoped //asynclint:ignore of the file; in
                   other files report each as unused, as real analyzers do`,
	Run: runClitest,
}

func runClitest(pass *analysis.Pass) (any, error) {
	for _, file := range pass.Files {
		reportUnusedIgnores(pass, file)
		for _, group := range file.Comments {
			for _, c := range group.List {
				switch c.Text {
				case "//clitest:panic":
					panic("clitest: told to panic")
				case "//clitest:error":
					return nil, errors.New("clitest: told to fail")
				case "//clitest:overlap":
					for i, text := range []string{"// fixed once", "// fixed twice"} {
						replace(pass, c.Pos()+token.Pos(i), c, "overlap: "+text, text)
					}
				case "//clitest:invalid":
					replace(pass, c.Pos(), c, "invalid", "}")
				}
			}
		}
	}
	return nil, nil
}

// replace reports a finding at pos whose fix replaces the comment c.
func replace(pass *analysis.Pass, pos token.Pos, c analysis.Range, message, text string) {
	pass.Report(analysis.Diagnostic{
		Pos:     pos,
		Message: message,
		SuggestedFixes: []analysis.SuggestedFix{{
			Message:   "replace with " + text,
			TextEdits: []analysis.TextEdit{{Pos: c.Pos(), End: c.End(), NewText: []byte(text)}},
		}},
	})
}

// reportUnusedIgnores reports each unscoped //asynclint:ignore of file as
// unused by clitest, unless the file says clitest uses them.
func reportUnusedIgnores(pass *analysis.Pass, file *ast.File) {
	var ignores []*ast.Comment
	for _, group := range file.Comments {
		for _, c := range group.List {
			if c.Text == "//clitest:ignores" {
				return
			}
			if rest, ok := strings.CutPrefix(c.Text, "//asynclint:ignore "); ok && !strings.HasPrefix(rest, "blockingcall ") {
				ignores = append(ignores, c)
			}
		}
	}
	for _, c := range ignores {
		pass.Report(analysis.Diagnostic{Pos: c.Pos(), Category: unusedIgnore,
			Message: "//asynclint:ignore suppresses no finding: remove it"})
	}
}
