package catalog

import "go/types"

// NoReturn lists the standard library's functions that never return to
// their caller: the process exits, the goroutine ends, or a test stops.
// ctrlflow learns as much from facts about the standard library, which
// drivers such as nogo do not compute; the list keeps the analyzers'
// paths the same without them.
var NoReturn = map[string]bool{
	"os.Exit":                   true,
	"syscall.Exit":              true,
	"runtime.Goexit":            true,
	"log.Fatal":                 true,
	"log.Fatalf":                true,
	"log.Fatalln":               true,
	"log.Panic":                 true,
	"log.Panicf":                true,
	"log.Panicln":               true,
	"(*log.Logger).Fatal":       true,
	"(*log.Logger).Fatalf":      true,
	"(*log.Logger).Fatalln":     true,
	"(*log.Logger).Panic":       true,
	"(*log.Logger).Panicf":      true,
	"(*log.Logger).Panicln":     true,
	"(*testing.common).FailNow": true,
	"(*testing.common).Fatal":   true,
	"(*testing.common).Fatalf":  true,
	"(*testing.common).SkipNow": true,
	"(*testing.common).Skip":    true,
	"(*testing.common).Skipf":   true,
	"(*testing.B).Fatal":        true,
	"(*testing.F).Fatal":        true,
}

// NeverReturns reports whether fn is one of NoReturn.
func NeverReturns(fn *types.Func) bool {
	return NoReturn[fn.Origin().FullName()]
}
