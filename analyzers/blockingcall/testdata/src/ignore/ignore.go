package ignore

import (
	"context"
	"net"
	"time"
)

func pace(ctx context.Context) {
	time.Sleep(time.Millisecond) //asynclint:ignore the venue requires 1ms between orders and the sleep is shorter than any deadline
	//asynclint:ignore warm-up dial, bounded by the OS connect timeout
	net.Dial("tcp", "127.0.0.1:1")
	time.Sleep(time.Millisecond) //nolint:blockingcall // legacy pacing
	time.Sleep(time.Millisecond) //nolint:asynclint
	time.Sleep(time.Millisecond) //nolint:errcheck // want `time.Sleep blocks without a context`
	time.Sleep(time.Millisecond) //asynclint:ignore closecheck not for this analyzer // want `time.Sleep blocks without a context`
}

// legacyPace keeps its old behaviour until the venue adapter is rewritten.
//
//asynclint:ignore rewritten in the v2 adapter
func legacyPace(ctx context.Context) {
	time.Sleep(time.Millisecond)
	net.Dial("tcp", "127.0.0.1:1")
}

func stale(ctx context.Context) {
	//asynclint:ignore nothing blocks here any more // want `//asynclint:ignore suppresses no finding: remove it`
	_ = ctx
}

func noReason(ctx context.Context) {
	//asynclint:ignore // want `//asynclint:ignore needs a reason`
	time.Sleep(time.Millisecond) // want `time.Sleep blocks without a context`
}

// Sleep is marked as blocking by its author: callers on async paths are told.
//
//asynclint:blocking
func Sleep() {} // want Sleep:"noctx: ignore.Sleep → marked //asynclint:blocking; blocks: .*"

func caller(ctx context.Context) {
	Sleep() // want `ignore.Sleep blocks without a context \(ignore.Sleep → marked //asynclint:blocking\) while ctx is in scope`
}
