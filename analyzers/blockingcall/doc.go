// Package blockingcall defines an Analyzer that reports calls which can
// block on the network, a process, a database or a timer without a
// context.Context, made on an asynchronous path.
//
// # Analyzer blockingcall
//
// blockingcall: report blocking calls made without a context on async paths
//
// A call that blocks without a context cannot be cancelled: when the request,
// the connection or the program that wanted its result goes away, the call
// keeps a goroutine, a socket or a database connection busy until the peer or
// the kernel gives up. On a latency-sensitive service that is how a slow
// venue, a hung DNS server or a stuck query turns into a pile of goroutines.
//
// An async path is one of:
//
//   - a function where a context.Context is available: a context parameter,
//     an *http.Request parameter (r.Context()), a *testing.T, *testing.B or
//     *testing.F parameter in a file at go1.24 or later (t.Context()), and
//     function literals nested in such a function;
//   - the body of a goroutine: go func(){...}(), go f(...), and functions
//     handed to errgroup.Group.Go, sync.WaitGroup.Go, time.AfterFunc and
//     context.AfterFunc;
//   - a function marked //asynclint:nonblocking (an event-loop handler or a
//     feed callback). There every blocking operation is reported, with or
//     without a context: network and file I/O, time.Sleep, channel sends and
//     receives outside a select with a default case, select without default,
//     sync.WaitGroup.Wait, sync.Cond.Wait, and any call that reaches one.
//
// main.main, init and functions that have no context and run on no goroutine
// are not async paths.
//
// What blocks without a context:
//
//   - the catalog of standard-library calls: http.Get, Head, Post, PostForm
//     and the same *http.Client methods; http.NewRequest (its request carries
//     no context); net.Dial, DialTimeout, DialTCP, DialUDP, DialIP, DialUnix,
//     Listen, ListenPacket and the Listen* functions, the net.Lookup*
//     functions; tls.Dial, tls.DialWithDialer, (*tls.Conn).Handshake; every
//     database/sql method with a ...Context twin, and (*sql.DB).Begin;
//     exec.Command when the command is run; time.Sleep; net/smtp;
//   - any function or method X, in any package, whose package (or receiver)
//     also offers XContext, XWithContext or XCtx taking a context first and
//     then X's parameters (gorilla's Dialer.Dial, AWS-style ...WithContext);
//   - any function whose body, or anything it calls, blocks without a
//     context. Such calls are reported at the call site with the chain, as in
//     "feeds.LastPrice blocks without a context (feeds.LastPrice →
//     net/http.Get)". Summaries cross packages as facts.
//
// On an async path where a context is in scope, passing context.Background()
// or context.TODO() to a context-taking call is reported too: cancelling the
// caller's context will not stop that work. context.WithoutCancel(ctx), work
// after <-ctx.Done() (shutdown and cleanup) and functions or lines marked
// //asynclint:detached <reason> are not reported.
//
// Suggested fixes thread the context in scope (never context.Background()):
// http.NewRequest → http.NewRequestWithContext(ctx, ...), db.Query →
// db.QueryContext(ctx, ...) and every derived X → XContext(ctx, ...),
// exec.Command → exec.CommandContext(ctx, ...), net.Dial →
// (&net.Dialer{}).DialContext(ctx, ...), d.Dial → d.DialContext(ctx, ...).
//
// Directives:
//
//	//asynclint:ignore <reason>       on the line or the function: suppress (reason required;
//	                                  an ignore that suppresses nothing is reported)
//	//asynclint:nonblocking           on a function: nothing in it may block
//	//asynclint:blocking              on a function: treat it as blocking without a context
//	//asynclint:detached <reason>     on the line or the function: it deliberately outlives ctx
//
// //nolint:asynclint and //nolint:blockingcall are honoured as well.
//
// Flags:
//
//	-blockingcall.funcs=pkg/path.Func,(*pkg/path.T).Method
//	    more functions that block without a context
//
// # Examples
//
// Bad:
//
//	func Quote(ctx context.Context, c *http.Client, sym string) (*http.Response, error) {
//		req, err := http.NewRequest("GET", "https://api.example.com/price?s="+sym, nil)
//		if err != nil {
//			return nil, err
//		}
//		return c.Do(req) // cancelling ctx does not stop it
//	}
//
// Good:
//
//	func Quote(ctx context.Context, c *http.Client, sym string) (*http.Response, error) {
//		req, err := http.NewRequestWithContext(ctx, "GET", "https://api.example.com/price?s="+sym, nil)
//		if err != nil {
//			return nil, err
//		}
//		return c.Do(req)
//	}
//
// Bad (through a helper):
//
//	func lastPrice(sym string) (string, error) {
//		resp, err := http.Get("https://api.example.com/price?s=" + sym)
//		...
//	}
//
//	func Handle(w http.ResponseWriter, r *http.Request) {
//		p, err := lastPrice(r.FormValue("s")) // lastPrice → net/http.Get
//		...
//	}
//
// Good (through a helper):
//
//	func lastPrice(ctx context.Context, sym string) (string, error) {
//		req, err := http.NewRequestWithContext(ctx, "GET", "https://api.example.com/price?s="+sym, nil)
//		...
//	}
//
//	func Handle(w http.ResponseWriter, r *http.Request) {
//		p, err := lastPrice(r.Context(), r.FormValue("s"))
//		...
//	}
package blockingcall
