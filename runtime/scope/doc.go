// Package scope gives goroutines and resources a lifetime bounded by a
// function call.
//
// Run calls a function with a Scope; the function starts goroutines with
// Scope.Go and registers cleanups with Scope.Defer and Scope.DeferClose:
//
//	err := scope.Run(ctx, func(s *scope.Scope) error {
//		conn, err := dial(s.Context())
//		if err != nil {
//			return err
//		}
//		s.DeferClose(conn)
//		s.Go(func(ctx context.Context) error { return readLoop(ctx, conn) })
//		s.Go(func(ctx context.Context) error { return pingLoop(ctx, conn) })
//		return nil
//	})
//
// When Run returns, every goroutine started in the scope has returned and
// every cleanup has run exactly once, latest registered first, whatever
// happened: an error, a panic, runtime.Goexit or the end of ctx. Nothing the
// scope started outlives it, which is what makes a leak-free shutdown a
// property of the code's shape rather than of each caller's care.
//
// # Errors
//
// The first error, from the function or from any goroutine, cancels the
// scope's context, so that the other goroutines can give up. Run waits for
// all of them and returns that first error joined (errors.Join) with the
// errors of the cleanups, or by itself if no cleanup failed. When the function returns nil, Run waits for the
// goroutines to finish on their own: returning does not cancel them.
//
// # Panics
//
// A panic in a goroutine of the scope does not crash the program on the
// spot. It is recovered, the scope's context is canceled, Run waits for the
// other goroutines and runs the cleanups, and then panics again in the
// goroutine that called Run, with the original value. The same happens for
// a panic in the function itself or in a cleanup. The first panic wins;
// later ones are dropped. The stack trace printed for an unrecovered panic
// is therefore Run's, not the panicking goroutine's: when the origin
// matters, panic with a value that carries it, or recover in the goroutine.
// As with any deferred cleanup, goroutines that ignore the canceled context
// delay the panic for as long as they run.
//
// # Order
//
// Cleanups run after every goroutine has returned, because goroutines use
// the resources the cleanups release. A goroutine blocked in a call that
// only closing a resource would interrupt (a Read on a net.Conn, for
// instance) must therefore tie that close to its context, for example with
// context.AfterFunc(ctx, func() { conn.Close() }), or the scope will wait for
// it forever.
package scope
