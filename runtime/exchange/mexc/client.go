package mexc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/asynclint/asynclint/runtime/httpclient"
)

// Defaults and bounds of Options.
const (
	DefaultBaseURL           = "https://api.mexc.com"
	DefaultRecvWindow        = 5 * time.Second
	MaxRecvWindow            = 60 * time.Second
	DefaultWeightPer10s      = 500
	DefaultReconcileTimeout  = 10 * time.Second
	DefaultReconcileAttempts = 4
)

// HeaderAPIKey is the header that carries the API key of signed requests.
const HeaderAPIKey = "X-MEXC-APIKEY"

// Options configure a Client.
type Options struct {
	// BaseURL is the REST endpoint. Default https://api.mexc.com.
	BaseURL string
	// APIKey and Secret authenticate the private endpoints. The Secret
	// prints as "[redacted]".
	APIKey string
	Secret Secret
	// RecvWindow is how long after its timestamp the venue accepts a signed
	// request, sent with millisecond precision. Default 5s, at most 60s.
	RecvWindow time.Duration
	// WeightPer10s is each endpoint's budget of request weight per ten
	// seconds, the venue's limit. Default 500.
	WeightPer10s int
	// ReconcileTimeout bounds the reconciliation of an order placement
	// whose outcome is unknown, and ReconcileAttempts the number of
	// queries it makes. Defaults 10s and 4.
	ReconcileTimeout  time.Duration
	ReconcileAttempts int
	// Logger receives warnings about unknown outcomes and their
	// reconciliation. Default: no logging.
	Logger *slog.Logger
	// HTTP configures the transport. Its Sign and Limits are replaced by
	// the client's own; its Name defaults to "mexc".
	HTTP httpclient.Options
}

// A Client talks to MEXC's spot v3 REST API. It is safe for concurrent use
// and should be created once per account and reused. Its methods take a
// context that bounds the whole call, rate-limit waits included.
type Client struct {
	hc         *httpclient.Client
	limits     *httpclient.Limits
	base       string
	key        string
	secret     []byte
	recvWindow string
	reconcile  struct {
		timeout  time.Duration
		attempts int
	}
	log *slog.Logger
	now func() time.Time

	offset   atomic.Int64 // server time minus local time, ns
	synced   atomic.Bool
	syncLock chan struct{} // a lock that waits with a context

	blockMu     sync.Mutex
	blockUntil  time.Time
	blockStatus int
}

// New returns a Client configured by opts. It fails if opts are invalid;
// a RecvWindow above MaxRecvWindow gives an error matching ErrRecvWindow.
func New(opts Options) (*Client, error) {
	c := &Client{
		base:     strings.TrimRight(opts.BaseURL, "/"),
		key:      opts.APIKey,
		secret:   []byte(opts.Secret),
		log:      opts.Logger,
		now:      time.Now,
		syncLock: make(chan struct{}, 1),
	}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	u, err := url.Parse(c.base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: base URL %q is not an http(s) URL", ErrInvalidRequest, c.base)
	}
	rw := opts.RecvWindow
	switch {
	case rw == 0:
		rw = DefaultRecvWindow
	case rw < time.Millisecond:
		return nil, fmt.Errorf("%w: recvWindow %v is below 1ms", ErrInvalidRequest, rw)
	case rw > MaxRecvWindow:
		return nil, fmt.Errorf("%w: %v is above the venue's maximum of %v", ErrRecvWindow, rw, MaxRecvWindow)
	}
	c.recvWindow = strconv.FormatInt(rw.Milliseconds(), 10)
	c.reconcile.timeout = opts.ReconcileTimeout
	if c.reconcile.timeout <= 0 {
		c.reconcile.timeout = DefaultReconcileTimeout
	}
	c.reconcile.attempts = opts.ReconcileAttempts
	if c.reconcile.attempts <= 0 {
		c.reconcile.attempts = DefaultReconcileAttempts
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	w := opts.WeightPer10s
	if w <= 0 {
		w = DefaultWeightPer10s
	}
	c.limits = new(httpclient.Limits)
	for _, e := range endpoints {
		c.limits.Set(e.key(), rate.NewLimiter(rate.Limit(float64(w)/10), w))
	}
	// GET /api/v3/account is also limited to two calls a second.
	c.limits.Set(accountPerSecond, rate.NewLimiter(2, 2))

	hopts := opts.HTTP
	if hopts.Name == "" {
		hopts.Name = "mexc"
	}
	hopts.Sign = c.sign
	hopts.Limits = c.limits
	c.hc = httpclient.New(hopts)
	return c, nil
}

// Close cancels the calls in flight, waits for them to return and closes
// the client's connections. It is idempotent and returns nil.
func (c *Client) Close() error { return c.hc.Close() }

// String describes the client without its secret.
func (c *Client) String() string {
	key := c.key
	if len(key) > 4 {
		key = key[:4] + "…"
	}
	return fmt.Sprintf("mexc.Client{base: %s, key: %s, secret: %s}", c.base, key, redacted)
}

// Format implements fmt.Formatter so that no verb prints the client's
// fields, its secret among them.
func (c *Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// An endpoint is a REST endpoint and its request weight.
type endpoint struct {
	method, path string
	weight       int
	signed       bool
}

func (e endpoint) key() string { return e.method + " " + e.path }

var (
	epPing       = endpoint{http.MethodGet, "/api/v3/ping", 1, false}
	epTime       = endpoint{http.MethodGet, "/api/v3/time", 1, false}
	epDepth      = endpoint{http.MethodGet, "/api/v3/depth", 1, false}
	epOrder      = endpoint{http.MethodPost, "/api/v3/order", 1, true}
	epTestOrder  = endpoint{http.MethodPost, "/api/v3/order/test", 1, true}
	epCancel     = endpoint{http.MethodDelete, "/api/v3/order", 1, true}
	epCancelAll  = endpoint{http.MethodDelete, "/api/v3/openOrders", 1, true}
	epQueryOrder = endpoint{http.MethodGet, "/api/v3/order", 2, true}
	epOpenOrders = endpoint{http.MethodGet, "/api/v3/openOrders", 3, true}
	epAccount    = endpoint{http.MethodGet, "/api/v3/account", 10, true}
	endpoints    = []endpoint{epPing, epTime, epDepth, epOrder, epTestOrder, epCancel, epCancelAll, epQueryOrder, epOpenOrders, epAccount}
)

const accountPerSecond = "GET /api/v3/account per second"

// encode writes p as a query string, escaping values with upper-case hex.
func (p params) encode() string {
	var b strings.Builder
	for i, kv := range p {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv.k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv.v))
	}
	return b.String()
}

// sign is the transport's signing hook, run before every attempt: it
// appends recvWindow, a fresh timestamp and the signature to the query of
// requests that carry the API key header, and leaves the others alone.
func (c *Client) sign(req *http.Request) error {
	if req.Header.Get(HeaderAPIKey) == "" {
		return nil
	}
	var body string
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		body = string(b)
	}
	q := req.URL.RawQuery
	if q != "" {
		q += "&"
	}
	q += "recvWindow=" + c.recvWindow + "&timestamp=" + strconv.FormatInt(c.serverNow().UnixMilli(), 10)
	q += "&signature=" + Sign(Secret(c.secret), q, body)
	req.URL.RawQuery = q
	return nil
}

// serverNow estimates the venue's clock.
func (c *Client) serverNow() time.Time {
	return c.now().Add(time.Duration(c.offset.Load()))
}

// Offset returns the current estimate of the venue's clock minus the local
// clock, as last measured by SyncTime.
func (c *Client) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// SyncTime measures the offset of the venue's clock from the local one with
// GET /api/v3/time, and signs later requests with it. The offset is taken
// against the time the response arrived, so that timestamps err on the
// early side, where the receive window is, and never run ahead of the
// venue's clock by the network delay. Signed calls sync once by themselves
// before the first request, and again when the venue rejects a timestamp.
func (c *Client) SyncTime(ctx context.Context) (time.Duration, error) {
	st, err := c.ServerTime(ctx)
	if err != nil {
		return 0, err
	}
	off := st.Sub(c.now())
	c.offset.Store(int64(off))
	c.synced.Store(true)
	return off, nil
}

// ensureSynced syncs the clock once, before the first signed request.
func (c *Client) ensureSynced(ctx context.Context) error {
	if c.synced.Load() {
		return nil
	}
	select {
	case c.syncLock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.syncLock }()
	if c.synced.Load() {
		return nil
	}
	_, err := c.SyncTime(ctx)
	return err
}

// do sends one request to e with parameters p and decodes the response
// into out. Signed requests are synced, signed and, when the venue rejects
// their timestamp, synced and sent once more: a rejected request was not
// carried out. sent, if not nil, is set once the request's headers have
// been written, that is, once the venue may have received it.
func (c *Client) do(ctx context.Context, e endpoint, p params, out any, sent *atomic.Bool) error {
	if e.signed {
		if err := c.ensureSynced(ctx); err != nil {
			return err
		}
	}
	err := c.send(ctx, e, p, out, sent)
	if e.signed && errors.Is(err, ErrTimestamp) {
		c.log.WarnContext(ctx, "mexc: timestamp rejected; syncing the clock and sending again", "op", e.key(), "offset", c.Offset())
		if _, serr := c.SyncTime(ctx); serr != nil {
			return errors.Join(err, serr)
		}
		err = c.send(ctx, e, p, out, sent)
	}
	return err
}

func (c *Client) send(ctx context.Context, e endpoint, p params, out any, sent *atomic.Bool) error {
	op := e.key()
	if err := c.waitBlock(ctx, op); err != nil {
		return err
	}
	u := c.base + e.path
	if q := p.encode(); q != "" {
		u += "?" + q
	}
	if sent != nil {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteHeaders: func() { sent.Store(true) },
		})
	}
	req, err := http.NewRequestWithContext(ctx, e.method, u, nil)
	if err != nil {
		return fmt.Errorf("mexc: %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if e.signed {
		if c.key == "" || len(c.secret) == 0 {
			return fmt.Errorf("%w: %s needs an API key and secret", ErrInvalidRequest, op)
		}
		req.Header.Set(HeaderAPIKey, c.key)
	}
	opts := []httpclient.CallOption{httpclient.Op(op), httpclient.Weight(op, e.weight)}
	if e == epAccount {
		opts = append(opts, httpclient.Weight(accountPerSecond, 1))
	}
	if err := c.hc.DoJSON(ctx, req, out, opts...); err != nil {
		return c.venueError(op, err)
	}
	return nil
}

// venueError turns an error status into an *APIError or *RateLimitError,
// and notes a Retry-After for the requests that follow.
func (c *Client) venueError(op string, err error) error {
	var se *httpclient.StatusError
	if !errors.As(err, &se) {
		return fmt.Errorf("mexc: %s: %w", op, err)
	}
	switch se.StatusCode {
	case http.StatusTooManyRequests, http.StatusTeapot:
		ra := se.RetryAfter
		if ra == 0 {
			if secs, perr := strconv.Atoi(strings.TrimSpace(se.Header.Get("Retry-After"))); perr == nil && secs > 0 {
				ra = time.Duration(secs) * time.Second
			}
		}
		c.block(se.StatusCode, ra)
		return &RateLimitError{Op: op, StatusCode: se.StatusCode, RetryAfter: ra, err: err}
	}
	var body struct {
		Code json.Number `json:"code"`
		Msg  string      `json:"msg"`
	}
	if json.Unmarshal(se.Body, &body) == nil && body.Code != "" {
		if code, cerr := strconv.Atoi(body.Code.String()); cerr == nil {
			return &APIError{Op: op, StatusCode: se.StatusCode, Code: code, Msg: body.Msg, err: err}
		}
	}
	if se.StatusCode == http.StatusForbidden {
		return &APIError{Op: op, StatusCode: se.StatusCode, Msg: "forbidden", err: errors.Join(ErrForbidden, err)}
	}
	return fmt.Errorf("mexc: %s: %w", op, err)
}

// block holds back requests until the venue's Retry-After has passed.
func (c *Client) block(status int, d time.Duration) {
	if d <= 0 {
		return
	}
	until := c.now().Add(d)
	c.blockMu.Lock()
	defer c.blockMu.Unlock()
	if until.After(c.blockUntil) || status == http.StatusTeapot {
		c.blockUntil, c.blockStatus = until, status
	}
}

// waitBlock waits out the venue's last Retry-After before a request. A ban
// (418) fails at once, and so does a wait that would outlast ctx: neither
// sends the request.
func (c *Client) waitBlock(ctx context.Context, op string) error {
	c.blockMu.Lock()
	until, status := c.blockUntil, c.blockStatus
	c.blockMu.Unlock()
	left := until.Sub(c.now())
	if left <= 0 {
		return nil
	}
	refuse := &RateLimitError{Op: op, StatusCode: status, RetryAfter: left, Local: true}
	if status == http.StatusTeapot {
		return refuse
	}
	if deadline, ok := ctx.Deadline(); ok && deadline.Sub(c.now()) < left {
		return refuse
	}
	t := time.NewTimer(left)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("mexc: %s: waiting out Retry-After: %w", op, ctx.Err())
	}
}
