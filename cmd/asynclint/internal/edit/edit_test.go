package edit_test

import (
	"testing"

	"github.com/asynclint/asynclint/cmd/asynclint/internal/edit"
)

func TestSet(t *testing.T) {
	const src = "0123456789"
	e := func(start, end int, new string) edit.Edit {
		return edit.Edit{File: "f", Start: start, End: end, New: new}
	}
	for _, test := range []struct {
		name  string
		fixes [][]edit.Edit
		ok    []bool // whether each fix is accepted
		want  string
	}{
		{
			name:  "disjoint",
			fixes: [][]edit.Edit{{e(1, 2, "a")}, {e(5, 7, "b")}},
			ok:    []bool{true, true},
			want:  "0a234b789",
		},
		{
			name:  "duplicate fix from a test variant",
			fixes: [][]edit.Edit{{e(1, 2, "a"), e(4, 4, "+")}, {e(1, 2, "a"), e(4, 4, "+")}},
			ok:    []bool{true, true},
			want:  "0a23+456789",
		},
		{
			name:  "overlap rejects the whole later fix",
			fixes: [][]edit.Edit{{e(1, 4, "a")}, {e(8, 9, "z"), e(3, 5, "b")}},
			ok:    []bool{true, false},
			want:  "0a456789",
		},
		{
			name:  "different insertions at one offset",
			fixes: [][]edit.Edit{{e(2, 2, "x")}, {e(2, 2, "y")}},
			ok:    []bool{true, false},
			want:  "01x23456789",
		},
		{
			name:  "insertions at the ends of a replacement",
			fixes: [][]edit.Edit{{e(2, 4, "R")}, {e(2, 2, "<")}, {e(4, 4, ">")}},
			ok:    []bool{true, true, true},
			want:  "01<R>456789",
		},
		{
			name:  "insertion inside a replacement",
			fixes: [][]edit.Edit{{e(2, 5, "R")}, {e(3, 3, "!")}},
			ok:    []bool{true, false},
			want:  "01R56789",
		},
		{
			name:  "insertions of one fix keep their order",
			fixes: [][]edit.Edit{{e(0, 0, "a"), e(0, 0, "b"), e(0, 1, "")}},
			ok:    []bool{true},
			want:  "ab123456789",
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			var set edit.Set
			for i, fix := range test.fixes {
				if _, ok := set.Add(fix); ok != test.ok[i] {
					t.Errorf("Add(fix #%d) ok = %t, want %t", i, ok, test.ok[i])
				}
			}
			got, err := edit.Apply([]byte(src), set.Edits("f"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != test.want {
				t.Errorf("got %q, want %q", got, test.want)
			}
		})
	}
}

func TestApplyOutOfBounds(t *testing.T) {
	_, err := edit.Apply([]byte("abc"), []edit.Edit{{File: "f", Start: 2, End: 4}})
	if err == nil {
		t.Error("Apply with an edit past the end of the file succeeded")
	}
}
