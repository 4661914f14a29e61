// Package fixes passes nil contexts in a file that imports package
// context, where SA1012's fix applies, and in one that does not, where
// it would not compile.
package fixes

import "context"

func wait(ctx context.Context) { <-ctx.Done() }

func WithImport() {
	wait(nil)
}
