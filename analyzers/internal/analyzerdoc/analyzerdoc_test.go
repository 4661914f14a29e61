package analyzerdoc

import "testing"

func TestText(t *testing.T) {
	const src = `// Package x defines an Analyzer.
//
// # Analyzer x
//
// x: report things
//
// Details.
package x

// not part of it
`
	if got, want := Text(src, "x"), "x: report things\n\nDetails."; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}
