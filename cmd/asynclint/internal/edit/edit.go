// Package edit combines the text edits of independent suggested fixes
// and applies them to file contents.
//
// Each fix is all or nothing: a fix whose edits would overlap the
// edits of a fix already accepted is rejected as a whole, so the edits
// accepted for a file never conflict and the order in which they are
// applied is well defined.
package edit

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
)

// An Edit replaces the bytes [Start, End) of File with New.
// An Edit with Start == End is an insertion.
type Edit struct {
	File       string
	Start, End int
	New        string
}

func (e Edit) String() string {
	return fmt.Sprintf("%s:[%d,%d)=%q", e.File, e.Start, e.End, e.New)
}

// A Set holds the edits of the fixes accepted so far.
// The zero value is an empty set.
type Set struct {
	files map[string][]seqEdit
	seq   int // order of addition, which orders insertions at the same offset
}

type seqEdit struct {
	Edit
	seq int
}

// Add adds the edits of one fix to the set, all or nothing.
//
// An edit identical to one already in the set is dropped: the same
// file analyzed as part of two packages (p and its test variant) yields
// the same fix twice, and the same import may be added by two fixes.
// If any other edit overlaps an edit in the set, or inserts text at the
// same offset as a different insertion in the set (which would make the
// result depend on the order of the fixes), Add adds nothing and
// returns that edit of the set.
//
// Edits of one fix are not checked against each other: the driver has
// already validated that they do not overlap, and several insertions
// at the same offset within one fix keep their order.
func (s *Set) Add(edits []Edit) (conflict Edit, ok bool) {
	var fresh []Edit
	for _, e := range edits {
		dup := false
		for _, x := range s.files[e.File] {
			if x.Edit == e {
				dup = true
				break
			}
			if overlap(x.Edit, e) {
				return x.Edit, false
			}
		}
		if !dup {
			fresh = append(fresh, e)
		}
	}
	if s.files == nil {
		s.files = make(map[string][]seqEdit)
	}
	for _, e := range fresh {
		s.files[e.File] = append(s.files[e.File], seqEdit{e, s.seq})
		s.seq++
	}
	return Edit{}, true
}

// overlap reports whether edits x and y (of different fixes) conflict.
// An insertion at the start or end of a replaced range does not conflict
// with it: the insertion goes before or after the new text.
func overlap(x, y Edit) bool {
	if x.File != y.File {
		return false
	}
	if x.Start == x.End && y.Start == y.End {
		return x.Start == y.Start
	}
	return x.Start < y.End && y.Start < x.End
}

// Files returns the names of the files the set edits, in sorted order.
func (s *Set) Files() []string {
	return slices.Sorted(maps.Keys(s.files))
}

// Edits returns the edits of the set to the named file in the order
// in which Apply needs them.
func (s *Set) Edits(file string) []Edit {
	edits := slices.Clone(s.files[file])
	slices.SortFunc(edits, func(x, y seqEdit) int {
		return cmp.Or(
			cmp.Compare(x.Start, y.Start),
			cmp.Compare(x.End, y.End),
			cmp.Compare(x.seq, y.seq))
	})
	res := make([]Edit, len(edits))
	for i, e := range edits {
		res[i] = e.Edit
	}
	return res
}

// Apply returns the result of applying edits, which must be sorted by
// position and must not overlap, to src.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	var out []byte
	last := 0
	for _, e := range edits {
		if e.Start < last || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("edit %v out of order or out of bounds (file has %d bytes)", e, len(src))
		}
		out = append(out, src[last:e.Start]...)
		out = append(out, e.New...)
		last = e.End
	}
	return append(out, src[last:]...), nil
}
