package program

import (
	"testing"

	"golang.org/x/tools/go/ssa"
)

// blocks builds a graph of n blocks with the given edges.
func blocks(n int, edges [][2]int) []*ssa.BasicBlock {
	bs := make([]*ssa.BasicBlock, n)
	for i := range bs {
		bs[i] = &ssa.BasicBlock{Index: i}
	}
	for _, e := range edges {
		bs[e[0]].Succs = append(bs[e[0]].Succs, bs[e[1]])
	}
	return bs
}

func TestReaches(t *testing.T) {
	// 0 → 1 → 2 → 1, 1 → 3
	bs := blocks(4, [][2]int{{0, 1}, {1, 2}, {2, 1}, {1, 3}})
	for _, tc := range []struct {
		from, to, avoid int
		want            bool
	}{
		{0, 3, -1, true},
		{3, 0, -1, false},
		{2, 3, -1, true},
		{0, 3, 1, false}, // 0's only successor, 1, is avoided
		{2, 3, 1, false},
		{0, 0, -1, true},
	} {
		var avoid *ssa.BasicBlock
		if tc.avoid >= 0 {
			avoid = bs[tc.avoid]
		}
		if got := Reaches(bs[tc.from], bs[tc.to], avoid); got != tc.want {
			t.Errorf("Reaches(%d, %d, avoid %d) = %v, want %v", tc.from, tc.to, tc.avoid, got, tc.want)
		}
	}
	for i, want := range []bool{false, true, true, false} {
		if got := OnCycle(bs[i]); got != want {
			t.Errorf("OnCycle(%d) = %v, want %v", i, got, want)
		}
	}
}
