package propagate

import (
	"context"
	"net/http"
	"time"
)

type Store struct{}

func (s *Store) Save(ctx context.Context, v string) error { return nil }

func Handle(ctx context.Context, s *Store, url string) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil) // want `context.Background\(\) is passed to http.NewRequestWithContext while ctx is in scope: cancelling ctx will not stop that work; pass ctx`
	if err != nil {
		return err
	}
	_ = req
	todo := context.TODO() // want `context.TODO\(\) is passed to \(\*propagate.Store\).Save while ctx is in scope`
	s.Save(todo, "x")
	tctx, cancel := context.WithTimeout(context.Background(), time.Second) // want `context.Background\(\) is passed to context.WithTimeout and on to \(\*propagate.Store\).Save while ctx is in scope`
	defer cancel()
	s.Save(tctx, "y")

	// The parent's values without its cancellation, on purpose.
	s.Save(context.WithoutCancel(ctx), "audit")
	// Derived from ctx: the right thing.
	dctx, cancel2 := context.WithTimeout(ctx, time.Second)
	defer cancel2()
	s.Save(dctx, "z")

	//asynclint:detached the audit trail must be written even when the client hangs up
	go s.Save(context.Background(), "audit")
	return nil
}

type Stream struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// Start's ctx bounds the start-up only: the stream's own lifetime is a new
// root, stored for Close.
func (s *Stream) Start(ctx context.Context) {
	s.ctx, s.cancel = context.WithCancel(context.Background())
}

// Shutdown work after ctx is done needs a fresh context.
func Serve(ctx context.Context, srv *http.Server) error { // want Serve:"blocks: propagate.Serve → channel receive; ctx inside"
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func Loop(ctx context.Context, s *Store, in <-chan string) { // want Loop:"blocks: propagate.Loop → select without default; ctx inside"
	for {
		select {
		case <-ctx.Done():
			s.Save(context.Background(), "final checkpoint")
			return
		case v := <-in:
			s.Save(context.Background(), v) // want `context.Background\(\) is passed to \(\*propagate.Store\).Save while ctx is in scope`
		}
	}
}

// A nil guard keeps ctx's provenance.
func Guard(ctx context.Context, s *Store) {
	if ctx == nil {
		ctx = context.Background()
	}
	s.Save(ctx, "v")
}

// No context in scope: a root context is the only choice.
func Boot(s *Store) { s.Save(context.Background(), "boot") }

// Janitor outlives the requests that start it.
//
//asynclint:detached the janitor runs for the process lifetime
func Janitor(ctx context.Context, s *Store) { s.Save(context.Background(), "sweep") }

// A graceful shutdown when ctx ends: the body runs after ctx is done.
func ServeUntil(ctx context.Context, srv *http.Server) {
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
}

// Flushing what is left once the caller gave up.
func Drain(ctx context.Context, s *Store, pending []string) {
	if ctx.Err() != nil {
		fctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, p := range pending {
			s.Save(fctx, p)
		}
		return
	}
	for _, p := range pending {
		s.Save(ctx, p)
	}
}

// Best-effort cleanup in a defer must run even when ctx is cancelled.
func Subscribe(ctx context.Context, s *Store) {
	defer func() { s.Save(context.Background(), "unsubscribe") }()
	defer s.Save(context.Background(), "unsubscribed")
	s.Save(ctx, "subscribe")
}

// An empty Done case falls through to the code after the select, which
// therefore also runs when the timer fired first.
func Wait(ctx context.Context, s *Store) { // want Wait:"blocks: .*; ctx inside"
	select {
	case <-ctx.Done():
	case <-time.After(time.Second):
	}
	s.Save(context.Background(), "x") // want `context.Background\(\) is passed to \(\*propagate.Store\).Save while ctx is in scope`
}

// Every way out of the select is a context ending.
func Stop(ctx, lifetime context.Context, s *Store) { // want Stop:"blocks: .*; ctx inside"
	select {
	case <-ctx.Done():
	case <-lifetime.Done():
	}
	cctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.Save(cctx, "cancel all")
}

// Stopped by its context or by a stop request: either way, what follows is
// shutdown.
func RunUntil(ctx context.Context, s *Store, stop <-chan struct{}) { // want RunUntil:"blocks: .*; ctx inside"
	select {
	case <-ctx.Done():
	case <-stop:
	}
	cctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.Save(cctx, "cancel all")
}

// A Done case that falls through to shared shutdown code.
func Linger(ctx context.Context, s *Store, in <-chan string) { // want Linger:"blocks: .*; ctx inside"
	select {
	case <-ctx.Done():
		println("stopping")
	case v := <-in:
		s.Save(ctx, v)
	}
	s.Save(context.Background(), "flush")
}
