// Package stdlib tells the standard library from other code, by where the
// source lives: the analyzers describe std through the catalog instead of
// analysing it, and import paths alone cannot tell GOPATH-style test
// packages ("feeds") from std ("sort").
package stdlib

import (
	"go/build"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// root is the directory of the standard library's sources.
var root = filepath.Join(build.Default.GOROOT, "src") + string(filepath.Separator)

// IsPackage reports whether the pass's package is part of the standard
// library.
func IsPackage(pass *analysis.Pass) bool {
	if len(pass.Files) == 0 {
		return true
	}
	return strings.HasPrefix(pass.Fset.File(pass.Files[0].Pos()).Name(), root)
}

// Declares reports whether obj is declared in the standard library. Export
// data names std files "$GOROOT/src/…", source by their full path; without
// a file the import path decides.
func Declares(fset *token.FileSet, obj types.Object) bool {
	if f := fset.File(obj.Pos()); f != nil && filepath.IsAbs(f.Name()) {
		return strings.HasPrefix(f.Name(), root)
	}
	return obj.Pkg() != nil && IsPath(obj.Pkg().Path())
}

// IsPath reports whether an import path looks like the standard library's:
// its first element has no dot.
func IsPath(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
