// Package analyzerdoc turns an analyzer's doc.go into its documentation, so
// that the package comment is the single source of -explain, go doc and the
// Analyzer's Doc field.
package analyzerdoc

import "strings"

// Text returns the package comment of src without comment markers, from
// the line after the "# Analyzer NAME" heading on, so that its first line
// is the analyzer's one-line summary as go/analysis expects.
func Text(src, name string) string {
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if !strings.HasPrefix(l, "//") {
			if len(lines) > 0 {
				break
			}
			continue
		}
		lines = append(lines, strings.TrimPrefix(strings.TrimPrefix(l, "//"), " "))
	}
	text := strings.Join(lines, "\n")
	heading := "# Analyzer " + name + "\n\n"
	if i := strings.Index(text, heading); i >= 0 {
		text = text[i+len(heading):]
	}
	return strings.TrimSpace(text)
}
