// Package ctxleak defines an Analyzer that reports goroutines that block
// forever or never stop, contexts whose cancel function is not called on
// every path, mutexes left locked or locked twice, and misused WaitGroups.
//
// # Analyzer ctxleak
//
// ctxleak: report goroutines, contexts and locks that leak
//
// A goroutine that blocks forever keeps its stack and everything it
// references for the life of the process; one per request or per
// reconnect is a memory leak that goleak finds in tests and operators find
// in production. A context that is never cancelled keeps its timer and its
// place in the parent's children until the parent ends. A mutex left
// locked stops every goroutine that wants it. ctxleak reports each where
// the fix goes, with the other end of the problem (the go statement, the
// return, the first Lock) as a related position. Its rules, each a
// diagnostic category:
//
// stranded — a send or receive that can wait forever, on a channel made in
// the function whose every use is visible: an unbuffered result channel
// whose receiver selects on it with ctx.Done() or time.After and returns
// first; senders started in a loop whose collector returns on the first
// error; a consumer that breaks out of a range loop while the producer
// still sends; a goroutine ranging over a channel that nothing closes.
// Quiet when the buffer covers every sender, the send sits in a select
// with ctx.Done(), a done channel or a default, the collector drains
// every result, or the channel is closed on every path. A channel stored,
// returned or passed to code ctxleak cannot see is given up on.
//
// The same category covers channels kept in an unexported field of one of
// the package's types, whose channels the package always makes and never
// lets go (not passed to a function, made into an interface, returned from
// an exported one): a receive when nothing in the package sends on or
// closes the field, a send on an unbuffered one when nothing receives from
// it, and a send that waits for a service goroutine which can already have
// returned — every receive of the field is in the loop of a goroutine that
// can return (on a stop channel, a context, an error) and nothing closes
// it, so once that loop has returned the sender waits forever; send in a
// select that also watches what stops the loop.
//
// forever — a goroutine that can never stop: its function loops with no
// reachable return (no break out, no receive from ctx.Done() or a quit
// channel that returns), ranges over a Ticker's channel (never closed), or
// calls a function that never returns — or returns only once a context is
// done and is started with context.Background() for it. Goroutines started by main.main
// and init, and those marked //asynclint:daemon <reason> (on the go
// statement or on the function), live as long as the process by design,
// as do goroutines started in a function that only main and init call, and
// singletons started once through a sync.Once.
//
// lostcancel — the cancel function of context.WithCancel, WithTimeout,
// WithDeadline (and their Cause forms), signal.NotifyContext's stop,
// context.AfterFunc's stop when it is kept, and the cancel function
// returned by any function whose summary says it returns one, must be
// called on every path or handed on: returned, stored (in a struct, a map,
// a slice, a channel), captured by a closure, or passed to a function that
// calls or keeps it — across packages, through facts. `_ = cancel` is not
// a release. A loop that re-arms a timeout and cancels the previous one is
// quiet; one that drops it as it comes round is reported. Where a
// `defer cancel()` after the statement is the whole fix, it is offered as
// a suggested fix.
//
// lock — a sync.Mutex or RWMutex locked and not unlocked on some path to
// return (in a function that does unlock it on others: one that never does
// is a lock helper, and its callers take the obligation on), and a Lock
// (or RLock) of a mutex the goroutine already holds on every path to it,
// directly or through a callee whose summary says it locks it — including
// a recursive RLock, which deadlocks as soon as a writer waits between the
// two. A lock taken under `if c` and released under a later `if c` on the
// same test is matched.
//
// The same category reports a wait made while holding a mutex that every
// goroutine able to end the wait must lock first: a receive, a send on an
// unbuffered channel or a WaitGroup.Wait under s.mu, where every sender,
// closer, receiver or Done of that channel or WaitGroup locks s.mu before
// it. Neither side can proceed. A wait made by a function the holder
// calls is reported at the call. Mutexes, channels and WaitGroups are
// matched as objects: the same field of the same type, or the same value
// made in a function and the closures that capture it.
//
// And two mutex fields locked in opposite orders by two functions of the
// package, directly or through callees (one goroutine holds A and waits
// for B while another holds B and waits for A): reported at the later
// acquisition, naming the other order. Two read locks do not wait for each
// other, orders taken under a common third lock cannot interleave, and two
// instances of one field (from.mu, to.mu) are not two mutexes by this rule.
//
// waitgroup — WaitGroup.Add inside the goroutine it counts (Wait may
// return before it runs), a goroutine or worker that calls Done on some
// paths but not all (Wait never returns), and a Wait inside the loop that
// starts the goroutines it waits for when the whole count was added
// before the loop (the first Wait waits for goroutines not yet started).
//
// timer — time.After in a loop and time.Tick in a function that returns,
// only where timers behave as before Go 1.23 (files built for an older Go,
// or //go:debug asynctimerchan=1): their timers are not collected until
// they fire, or never. From Go 1.23 they are and ctxleak says nothing. An
// unstopped time.NewTicker is closecheck's to report.
//
// Precision first: every rule is local and bounded — a channel or mutex
// whose identity or uses cannot be seen is given up on, not guessed at.
// Tests are analysed like any other code.
//
// Summaries cross packages as facts: "cancels param i" (calls or hands on
// the cancel function it is given), "returns cancel i", "locks p" (a mutex
// named by its path from a parameter, as 0.mu), "holds p" (returns with it
// locked), "unlocks p", "done i" (calls Done on the WaitGroup parameter on
// every path) and "never returns".
//
// # Examples
//
// Bad (stranded):
//
//	results := make(chan Quote)
//	go func() { results <- fetch(sym) }()
//	select {
//	case q := <-results:
//		return q, nil
//	case <-ctx.Done():
//		return Quote{}, ctx.Err() // the goroutine's send now waits forever
//	}
//
// Good (stranded):
//
//	results := make(chan Quote, 1) // the send completes whoever is listening
//
// Bad (forever):
//
//	func NewFeed() *Feed {
//		f := &Feed{}
//		go func() {
//			for {
//				time.Sleep(time.Second)
//				f.refresh()
//			}
//		}()
//		return f
//	}
//
// Good (forever):
//
//	func NewFeed(ctx context.Context) *Feed {
//		f := &Feed{}
//		go func() {
//			t := time.NewTicker(time.Second)
//			defer t.Stop()
//			for {
//				select {
//				case <-ctx.Done():
//					return
//				case <-t.C:
//					f.refresh()
//				}
//			}
//		}()
//		return f
//	}
//
// Bad (lostcancel):
//
//	ctx, cancel := context.WithTimeout(ctx, time.Second)
//	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
//	if err != nil {
//		return err // the context and its timer leak
//	}
//	defer cancel()
//
// Good (lostcancel):
//
//	ctx, cancel := context.WithTimeout(ctx, time.Second)
//	defer cancel()
//
// Bad (lock):
//
//	s.mu.Lock()
//	if s.closed {
//		return ErrClosed // s.mu stays locked
//	}
//	s.n++
//	s.mu.Unlock()
//
// Good (lock):
//
//	s.mu.Lock()
//	defer s.mu.Unlock()
//
// Bad (waitgroup):
//
//	for _, u := range urls {
//		go func() {
//			wg.Add(1) // Wait may already have returned
//			defer wg.Done()
//			get(u)
//		}()
//	}
//	wg.Wait()
//
// Good (waitgroup):
//
//	for _, u := range urls {
//		wg.Add(1)
//		go func() {
//			defer wg.Done()
//			get(u)
//		}()
//	}
//	wg.Wait()
//
// Directives:
//
//	//asynclint:daemon <reason>     on a go statement or a function: a goroutine that lives as
//	                                long as the process by design
//	//asynclint:ignore ctxleak <reason>
//	                                on the line or the function: suppress (reason required;
//	                                an ignore that suppresses nothing is reported)
//
// //nolint:asynclint and //nolint:ctxleak are honoured as well.
//
// Flags:
//
//	-ctxleak.std
//	    also analyse standard-library packages
package ctxleak
