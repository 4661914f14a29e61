package feeds_test

import (
	"testing"

	"example.com/mod/app"
)

// The test variant of app, built against the test variant of feeds,
// must see the facts of the latter.
func TestQuote(t *testing.T) {
	app.Quote(t.Context())
}
