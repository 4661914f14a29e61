package httpclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"time"

	"github.com/asynclint/asynclint/runtime/track"
)

// Defaults for the zero Options.
const (
	DefaultConcurrency      = 64
	DefaultMaxResponseBytes = 32 << 20
)

// OutcomeThrottled is the outcome recorded for an attempt answered with 429
// Too Many Requests: it means the client's own limits are set too high,
// which is worth telling apart from the venue failing.
const OutcomeThrottled = "throttled"

const (
	// drainLimit bounds how much of an unread body is read before closing
	// it. Reading the rest lets its connection be reused; past this much,
	// dialing a new connection is cheaper than reading on.
	drainLimit = 64 << 10
	// drainTimeout bounds the drain in time as well, for a server that
	// trickles: closing a body must not take as long as the caller's
	// context allows the whole exchange.
	drainTimeout = 2 * time.Second
	// snippetLimit bounds StatusError.Body.
	snippetLimit = 1 << 10
	// closePoll is how often Close sweeps the idle pool while connections
	// that Close interrupted wind down and turn idle.
	closePoll = 10 * time.Millisecond
)

// Options configure a Client. The zero value gives a working client.
type Options struct {
	// Name identifies the client's connection pool in measurements.
	// Default "httpclient".
	Name string
	// Concurrency is the most requests the client is expected to have in
	// flight at once. It sizes the idle pool: with fewer idle slots than
	// concurrent requests, every burst closes connections that the next
	// burst dials again. Default 64.
	Concurrency int
	// TLSConfig configures TLS, for instance with the venue's RootCAs or a
	// client certificate. It is cloned; InsecureSkipVerify is ignored and
	// the minimum version is TLS 1.2.
	TLSConfig *tls.Config
	// Proxy selects a proxy per request. Default http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// DialTimeout, TLSHandshakeTimeout and IdleConnTimeout bound connection
	// setup and how long an idle connection is kept. They complement the
	// context: a dial stuck on one address gives up in time to try the
	// next. Defaults 5s, 5s and 90s.
	DialTimeout         time.Duration
	TLSHandshakeTimeout time.Duration
	IdleConnTimeout     time.Duration
	// Retry is the retry policy for idempotent calls.
	Retry Retry
	// Sign, if set, is called on every attempt's request just before it is
	// sent, after any rate-limit wait, so that timestamps, nonces and
	// signatures are fresh for each attempt. It may set headers and the
	// URL's query; to hash the payload it should read req.GetBody rather
	// than req.Body. An error from Sign ends the call. Redirects are
	// followed without signing.
	Sign func(req *http.Request) error
	// Limits holds the rate limits that calls draw from with Weight.
	Limits *Limits
	// Recorder receives measurements. Default track.Nop.
	Recorder track.Recorder
	// SlowThreshold, if positive, marks successful attempts that took longer
	// as track.OutcomeSlow.
	SlowThreshold time.Duration
	// MaxResponseBytes bounds the response bodies that the JSON methods
	// read. Default 32 MiB.
	MaxResponseBytes int64
}

// A Client sends requests to HTTP servers over one shared pool of
// connections. It is safe for concurrent use, and should be created once per
// venue and reused: each Client has its own pool.
type Client struct {
	name    string
	retries string // the retry counter's name
	tr      *http.Transport
	hc      *http.Client
	retry   Retry
	sign    func(*http.Request) error
	limits  *Limits
	rec     track.Recorder
	traced  bool // whether anything records connection reuse
	slow    time.Duration
	maxBody int64
	conns   conns
	// wait is sleep; tests replace it to see the waits without waiting.
	wait func(ctx context.Context, d time.Duration) error

	// stop ends when Close begins; every call's context ends with it.
	stop      context.Context
	stopCalls context.CancelFunc
	mu        sync.Mutex
	closed    bool
	calls     sync.WaitGroup
	closeOnce sync.Once
}

// New returns a Client configured by opts.
func New(opts Options) *Client {
	c := &Client{
		name:    opts.Name,
		retry:   opts.Retry.withDefaults(),
		sign:    opts.Sign,
		limits:  opts.Limits,
		rec:     track.OrNop(opts.Recorder),
		slow:    opts.SlowThreshold,
		maxBody: opts.MaxResponseBytes,
		wait:    sleep,
	}
	if c.name == "" {
		c.name = "httpclient"
	}
	c.retries = c.name + ".retries"
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	proxy := opts.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	dialer := &net.Dialer{
		Timeout:   orDefault(opts.DialTimeout, 5*time.Second),
		KeepAlive: 30 * time.Second,
	}
	c.tr = &http.Transport{
		Proxy: proxy,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return c.conns.track(conn), nil
		},
		TLSClientConfig:     tlsConfig(opts.TLSConfig),
		TLSHandshakeTimeout: orDefault(opts.TLSHandshakeTimeout, 5*time.Second),
		ForceAttemptHTTP2:   true,
		// A venue client talks to a handful of hosts (REST, orders, a CDN),
		// hence room for several hosts' worth of idle connections.
		MaxIdleConns:          4 * conc,
		MaxIdleConnsPerHost:   conc,
		IdleConnTimeout:       orDefault(opts.IdleConnTimeout, 90*time.Second),
		ExpectContinueTimeout: time.Second,
		HTTP2: &http.HTTP2Config{
			// Every request multiplexed on an HTTP/2 connection hangs with
			// it when the peer vanishes silently; pinging an idle-reading
			// connection finds that out in seconds instead of TCP's minutes.
			SendPingTimeout: 15 * time.Second,
			PingTimeout:     5 * time.Second,
		},
	}
	c.hc = &http.Client{Transport: c.tr}
	_, nop := c.rec.(track.Nop)
	c.traced = !nop
	c.stop, c.stopCalls = context.WithCancel(context.Background())
	return c
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func tlsConfig(cfg *tls.Config) *tls.Config {
	if cfg == nil {
		cfg = &tls.Config{}
	} else {
		cfg = cfg.Clone()
	}
	cfg.InsecureSkipVerify = false
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	return cfg
}

func (c *Client) gotConn(info httptrace.GotConnInfo) {
	if info.Reused {
		c.rec.State(c.name, track.ConnReused)
	} else {
		c.rec.State(c.name, track.ConnNew)
	}
}

// A CallOption adjusts one call.
type CallOption func(*call)

type call struct {
	op         string
	idempotent bool
	weights    []weight
}

type weight struct {
	key string
	n   int
}

// Idempotent declares that the call may be sent more than once with the
// effect of sending it once, so that it is retried like a GET: a POST that
// carries a client order ID the venue deduplicates, for instance.
func Idempotent() CallOption {
	return func(c *call) { c.idempotent = true }
}

// Op names the call's operation in measurements and error messages. The
// default is the method and the URL path, "GET /api/v3/depth"; paths that
// carry identifiers should be named, to keep the set of names bounded.
func Op(name string) CallOption {
	return func(c *call) { c.op = name }
}

// Weight draws weight n from the limiter named key in Options.Limits before
// every attempt. A call may draw from several limiters.
func Weight(key string, n int) CallOption {
	return func(c *call) { c.weights = append(c.weights, weight{key, n}) }
}

func newCall(req *http.Request, opts []CallOption) *call {
	cl := new(call)
	for _, o := range opts {
		o(cl)
	}
	if cl.op == "" {
		method, path := req.Method, ""
		if method == "" {
			method = http.MethodGet
		}
		if req.URL != nil {
			path = req.URL.Path
		}
		cl.op = method + " " + path
	}
	return cl
}

// Do sends req with ctx as its context, retrying as the package describes,
// and returns the response to the first attempt that got a status below
// 400. An error status gives a *StatusError; its body has been closed.
//
// The caller must close the response body. Closing it reads what is left of
// it, up to a bound, so that the connection can be reused; the caller need
// not drain it. The response's context is the call's, so ctx must stay live
// until the body has been read.
//
// Like http.Client.Do, Do closes req.Body, even on errors. req itself is not
// modified: each attempt sends a clone. Do is not meant for protocol
// upgrades: a 101 response's body does not offer Write.
func (c *Client) Do(ctx context.Context, req *http.Request, opts ...CallOption) (*http.Response, error) {
	return c.send(ctx, req, newCall(req, opts))
}

func (c *Client) send(ctx context.Context, req *http.Request, cl *call) (*http.Response, error) {
	if !c.enter() {
		closeBody(req)
		return nil, ErrClosed
	}
	defer c.calls.Done()
	ctx, cancel := context.WithCancelCause(ctx)
	unlink := context.AfterFunc(c.stop, func() { cancel(ErrClosed) })
	release := func() {
		unlink()
		cancel(nil)
	}
	resp, err := c.retrying(ctx, req, cl)
	if err != nil {
		err = withContextError(ctx, err)
		release()
		return nil, err
	}
	resp.Body = &body{rc: resp.Body, cancel: cancel, release: release}
	return resp, nil
}

// withContextError makes sure that errors.Is(err, context.Canceled) or
// errors.Is(err, context.DeadlineExceeded) holds for err when ctx has ended,
// and errors.Is(err, ErrClosed) when Close ended it: the transport reports
// context.Cause(ctx), which is neither when the context was given a cause.
func withContextError(ctx context.Context, err error) error {
	ctxErr := ctx.Err()
	if ctxErr == nil {
		return err
	}
	if cause := context.Cause(ctx); cause == ErrClosed && !errors.Is(err, ErrClosed) {
		err = fmt.Errorf("%w: %w", ErrClosed, err)
	}
	if !errors.Is(err, ctxErr) {
		err = &contextError{err: err, ctxErr: ctxErr}
	}
	return err
}

// contextError adds the context's error to the chain of an error that
// reports only its cause, without repeating it in the message.
type contextError struct {
	err, ctxErr error
}

func (e *contextError) Error() string   { return e.err.Error() }
func (e *contextError) Unwrap() []error { return []error{e.err, e.ctxErr} }

// enter registers a call, unless the client is closed.
func (c *Client) enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.calls.Add(1)
	return true
}

func (c *Client) retrying(ctx context.Context, req *http.Request, cl *call) (*http.Response, error) {
	if c.traced {
		// A trace per call: WithClientTrace merges the caller's own trace
		// hooks into the one it is given.
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: c.gotConn})
	}
	canRetry := c.retry.Attempts > 1 && (cl.idempotent || idempotentMethod(req)) && replayable(req)
	for n := 1; ; n++ {
		resp, err := c.attempt(ctx, req, n, cl)
		if err == nil {
			return resp, nil
		}
		if !canRetry || ctx.Err() != nil || !retryable(err) {
			return nil, err
		}
		if n >= c.retry.Attempts {
			return nil, &RetryError{Attempts: n, Err: err}
		}
		d, ok := c.retry.delay(ctx, n, err)
		if !ok {
			return nil, &RetryError{Attempts: n, Err: err}
		}
		if werr := c.wait(ctx, d); werr != nil {
			return nil, fmt.Errorf("httpclient: %s: %w waiting to retry after %d attempts; last error: %w", cl.op, werr, n, err)
		}
		c.rec.Count(c.retries, 1)
	}
}

// attempt makes attempt n of the call: it waits for the rate limits, signs,
// sends, and turns an error status into a *StatusError.
func (c *Client) attempt(ctx context.Context, req *http.Request, n int, cl *call) (*http.Response, error) {
	r := req.Clone(ctx)
	if n > 1 && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("httpclient: %s: replaying the request body: %w", cl.op, err)
		}
		r.Body = b
	}
	for _, w := range cl.weights {
		if err := c.limits.Wait(ctx, w.key, w.n); err != nil {
			closeBody(r)
			return nil, err
		}
	}
	if c.sign != nil {
		if err := c.sign(r); err != nil {
			closeBody(r)
			return nil, fmt.Errorf("httpclient: %s: signing: %w", cl.op, err)
		}
	}
	start := time.Now()
	resp, err := c.hc.Do(r)
	took := time.Since(start)
	if err != nil {
		outcome := track.OutcomeError
		if ctx.Err() != nil {
			outcome = track.OutcomeCanceled
		}
		c.rec.Observe(cl.op, took, outcome)
		return nil, err
	}
	if resp.StatusCode < 400 {
		outcome := track.OutcomeOK
		if c.slow > 0 && took > c.slow {
			outcome = track.OutcomeSlow
		}
		c.rec.Observe(cl.op, took, outcome)
		return resp, nil
	}
	outcome := track.OutcomeError
	if resp.StatusCode == http.StatusTooManyRequests {
		outcome = OutcomeThrottled
	}
	c.rec.Observe(cl.op, took, outcome)
	return nil, readStatusError(resp)
}

// readStatusError reads the start of an error response into a *StatusError
// and drains and closes the body.
func readStatusError(resp *http.Response) *StatusError {
	e := &StatusError{
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Header:     resp.Header,
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, snippetLimit+1))
	if len(snippet) > snippetLimit {
		snippet, e.truncated = snippet[:snippetLimit], true
	}
	e.Body = snippet
	_ = drain(resp.Body) // the error is the status; the body is only for reuse
	return e
}

// drain reads what is left of rc, up to drainLimit, and closes it.
func drain(rc io.ReadCloser) error {
	_, _ = io.CopyN(io.Discard, rc, drainLimit)
	return rc.Close()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// body is a response body returned by Do. Closing it drains it, so that the
// connection goes back to the pool, and ends the call.
type body struct {
	rc      io.ReadCloser
	cancel  context.CancelCauseFunc
	release func()
	once    sync.Once
	err     error
}

var errDrainTimeout = errors.New("httpclient: draining the response body took too long")

func (b *body) Read(p []byte) (int, error) { return b.rc.Read(p) }

func (b *body) Close() error {
	b.once.Do(func() {
		// Cancelling the call's context aborts a drain that takes too long;
		// the transport then closes the connection instead of pooling it.
		t := time.AfterFunc(drainTimeout, func() { b.cancel(errDrainTimeout) })
		b.err = drain(b.rc)
		t.Stop()
		b.release()
	})
	return b.err
}

// Close cancels the calls in flight, waits for them to return, and closes
// the client's connections, returning when all of them are closed. Response
// bodies still open read errors from then on; their connections are closed
// without waiting for the bodies. Calls made after Close fail with
// ErrClosed. Close is idempotent, and always returns nil.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		c.stopCalls()
		c.calls.Wait()
		// Connections interrupted by the cancellation are closed by the
		// transport as it notices; the rest turn idle, some after the first
		// sweep, hence the loop.
		for {
			c.tr.CloseIdleConnections()
			if c.conns.waitNone(closePoll) {
				break
			}
		}
	})
	return nil
}

// conns counts a client's open connections, so that Close can wait for all
// of them, including those being torn down by the transport.
type conns struct {
	mu   sync.Mutex
	n    int
	none chan struct{} // closed once n drops to 0; nil before the first connection
}

func (cs *conns) track(conn net.Conn) net.Conn {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.n == 0 {
		cs.none = make(chan struct{})
	}
	cs.n++
	return &trackedConn{Conn: conn, cs: cs}
}

func (cs *conns) closed() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.n--
	if cs.n == 0 {
		close(cs.none)
	}
}

// waitNone reports whether no connection is open, waiting up to d for the
// last one to close.
func (cs *conns) waitNone(d time.Duration) bool {
	cs.mu.Lock()
	none := cs.none
	cs.mu.Unlock()
	if none == nil {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-none:
		return true
	case <-t.C:
		return false
	}
}

type trackedConn struct {
	net.Conn
	cs   *conns
	once sync.Once
}

func (tc *trackedConn) Close() error {
	err := tc.Conn.Close()
	tc.once.Do(tc.cs.closed)
	return err
}
