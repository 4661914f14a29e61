package track_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynclint/asynclint/runtime/track"
)

func Example() {
	tr := track.New(track.Options{
		SlowThreshold: 250 * time.Millisecond,
		OnSlow: func(s track.SlowOp) {
			fmt.Printf("slow: %s took %v (err %v)\n", s.Op, s.Duration.Round(time.Second), s.Err)
		},
	})
	defer tr.Close()

	// Between two points of the code.
	t := tr.Start("ws.handler")
	t.Done(nil)

	// Around a call; the context is the caller's.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := tr.Track(ctx, "GET /api/v3/depth", func(ctx context.Context) error {
		return ctx.Err()
	})
	fmt.Println(errors.Is(err, context.Canceled))

	s, _ := tr.Summary().Op("GET /api/v3/depth")
	fmt.Println(s.Count, s.Canceled)
	// Output:
	// true
	// 1 1
}
