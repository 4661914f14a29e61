// Package diff computes line-oriented unified diffs.
//
// It aims for output that patch(1) and git apply accept and that a
// reviewer can read, not for minimal diffs of large rewrites: the
// differing middle of the two texts, after their common prefix and
// suffix are removed, is compared with a quadratic longest common
// subsequence, which is cheap for the small, local edits of
// suggested fixes.
package diff

import (
	"fmt"
	"strings"
)

// context is the number of unchanged lines shown around each change,
// as in diff -u.
const context = 3

// Unified returns a unified diff that turns old, the content of the
// file named oldName, into new, the content of newName.
// It returns "" if old and new are equal.
func Unified(oldName, newName, old, new string) string {
	if old == new {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	ops := lineOps(a, b)

	var buf strings.Builder
	fmt.Fprintf(&buf, "--- %s\n+++ %s\n", oldName, newName)
	for len(ops) > 0 {
		// Find the next change and the extent of its hunk:
		// it continues through later changes separated from
		// it by at most 2*context unchanged lines.
		first := 0
		for first < len(ops) && ops[first].kind == equal {
			first++
		}
		if first == len(ops) {
			break
		}
		end := first
		for i := first; i < len(ops); i++ {
			if ops[i].kind != equal {
				end = i + 1
			} else if i-end >= 2*context {
				break
			}
		}
		start := max(first-context, 0)
		end = min(end+context, len(ops))
		writeHunk(&buf, a, b, ops[start:end])
		ops = ops[end:]
	}
	return buf.String()
}

// writeHunk writes the hunk whose operations are ops.
func writeHunk(buf *strings.Builder, a, b []string, ops []op) {
	var na, nb int
	for _, o := range ops {
		if o.kind != insert {
			na++
		}
		if o.kind != delete {
			nb++
		}
	}
	fmt.Fprintf(buf, "@@ -%s +%s @@\n", hunkRange(ops[0].i, na), hunkRange(ops[0].j, nb))
	for _, o := range ops {
		switch o.kind {
		case equal:
			writeLine(buf, ' ', a[o.i])
		case delete:
			writeLine(buf, '-', a[o.i])
		case insert:
			writeLine(buf, '+', b[o.j])
		}
	}
}

// hunkRange formats the range of n lines starting at zero-based line i.
// By the convention of diff -u, an empty range names the line before it.
func hunkRange(i, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", i)
	case 1:
		return fmt.Sprint(i + 1)
	}
	return fmt.Sprintf("%d,%d", i+1, n)
}

func writeLine(buf *strings.Builder, prefix byte, line string) {
	buf.WriteByte(prefix)
	buf.WriteString(line)
	if !strings.HasSuffix(line, "\n") {
		buf.WriteString("\n\\ No newline at end of file\n")
	}
}

// splitLines splits s after each newline; the last line lacks one if s
// does not end in a newline.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type opKind int

const (
	equal opKind = iota
	delete
	insert
)

// An op is one step of an edit script from a to b. Each op carries the
// indices of the next lines of a and b, whatever its kind, so that a
// hunk's starting line numbers can be read from its first op.
type op struct {
	kind opKind
	i, j int
}

// lineOps returns an edit script from a to b that keeps a longest
// common subsequence of lines.
func lineOps(a, b []string) []op {
	prefix := 0
	for prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	suffix := 0
	for suffix < len(a)-prefix && suffix < len(b)-prefix &&
		a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	ma, mb := a[prefix:len(a)-suffix], b[prefix:len(b)-suffix]

	// lcs[i][j] is the length of the longest common
	// subsequence of ma[i:] and mb[j:].
	lcs := make([][]int32, len(ma)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(mb)+1)
	}
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}

	ops := make([]op, 0, len(a)+len(b))
	for k := range prefix {
		ops = append(ops, op{equal, k, k})
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
			ops = append(ops, op{equal, prefix + i, prefix + j})
			i++
			j++
		case j == len(mb) || i < len(ma) && lcs[i+1][j] >= lcs[i][j+1]:
			ops = append(ops, op{delete, prefix + i, prefix + j})
			i++
		default:
			ops = append(ops, op{insert, prefix + i, prefix + j})
			j++
		}
	}
	for k := range suffix {
		ops = append(ops, op{equal, len(a) - suffix + k, len(b) - suffix + k})
	}
	return ops
}
