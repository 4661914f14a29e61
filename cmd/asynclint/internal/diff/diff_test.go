package diff_test

import (
	"testing"

	"github.com/asynclint/asynclint/cmd/asynclint/internal/diff"
)

func TestUnified(t *testing.T) {
	for _, test := range []struct {
		name, old, new, want string
	}{
		{
			name: "equal",
			old:  "a\nb\n",
			new:  "a\nb\n",
			want: "",
		},
		{
			name: "one line changed",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			new:  "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
			want: "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
		},
		{
			name: "two hunks",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
			new:  "one\n2\n3\n4\n5\n6\n7\n8\n9\nten\n",
			want: "--- old\n+++ new\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+ten\n",
		},
		{
			name: "nearby changes share a hunk",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n",
			new:  "one\n2\n3\n4\n5\n6\n7\neight\n",
			want: "--- old\n+++ new\n@@ -1,8 +1,8 @@\n-1\n+one\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n",
		},
		{
			name: "insertion into empty file",
			old:  "",
			new:  "a\n",
			want: "--- old\n+++ new\n@@ -0,0 +1 @@\n+a\n",
		},
		{
			name: "deletion of every line",
			old:  "a\nb\n",
			new:  "",
			want: "--- old\n+++ new\n@@ -1,2 +0,0 @@\n-a\n-b\n",
		},
		{
			name: "missing final newline",
			old:  "a\nb",
			new:  "a\nb\n",
			want: "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
		{
			name: "lines moved",
			old:  "a\nb\nc\n",
			new:  "b\nc\na\n",
			want: "--- old\n+++ new\n@@ -1,3 +1,3 @@\n-a\n b\n c\n+a\n",
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			if got := diff.Unified("old", "new", test.old, test.new); got != test.want {
				t.Errorf("Unified:\ngot:\n%s\nwant:\n%s", got, test.want)
			}
		})
	}
}
