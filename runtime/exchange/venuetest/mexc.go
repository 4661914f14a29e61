package venuetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
)

// The credentials a fake MEXC venue accepts by default: the venue's own
// documentation's test key and secret.
const (
	MEXCTestAPIKey = "mx0aBYs33eIilxBWC5"
	MEXCTestSecret = "45d0b3c26f2644f19bfb98b07741b2f5"
)

// Error codes the fake MEXC venue answers with. The venue documents all but
// the last two; for a malformed parameter and a duplicate client order ID
// the fake uses its own.
const (
	MEXCCodeBadKeyFormat           = 700001
	MEXCCodeBadSignature           = 700002
	MEXCCodeTimestamp              = 700003
	MEXCCodeMissingOrderID         = 700004
	MEXCCodeRecvWindow             = 700005
	MEXCCodeInvalidAccessKey       = 10072
	MEXCCodeInsufficientBalance    = 10101
	MEXCCodeInvalidSymbol          = 30014
	MEXCCodeUnknownOrder           = -2011
	MEXCCodeParam                  = 33333
	MEXCCodeDuplicateClientOrderID = -2010
)

// A MEXCBook is a symbol's market on the fake venue: its base and quote
// assets and its resting liquidity, best price first, as [price, quantity]
// decimal strings. MARKET orders consume it; the account's own LIMIT
// orders rest apart from it and never match.
type MEXCBook struct {
	Base, Quote string
	Bids, Asks  [][2]string
}

// MEXCOptions configure a fake MEXC venue. The zero value gives the test
// credentials, 100000 USDT and 10 BTC, and a BTCUSDT book.
type MEXCOptions struct {
	APIKey, Secret string
	// Balances are the account's free balances by asset.
	Balances map[string]string
	// Books are the markets by symbol.
	Books map[string]MEXCBook
	// NumericOrderIDs makes the venue send orderId as a JSON number, as
	// older responses did, instead of a string.
	NumericOrderIDs bool
}

// A MEXCFault makes the fake venue misbehave for matching requests. A
// fault applies to the next Times requests (default 1) of Method and Path
// (empty: any), in the order faults were added.
//
// Before the request is processed, or after it when AfterAccept is set (an
// order is then placed, a cancel carried out), the venue waits Delay, then
// either drops the TCP connection (Abort) or answers Status with Body and
// a Retry-After header of RetryAfter seconds (if non-empty) instead of its
// real answer. ConnClose adds Connection: close to the answer, so the
// server closes the connection after it.
type MEXCFault struct {
	Method, Path string
	Times        int
	AfterAccept  bool
	Delay        time.Duration
	Abort        bool
	Status       int
	Body         string
	RetryAfter   string
	ConnClose    bool
}

// A MEXCOrder is an order on the fake venue.
type MEXCOrder struct {
	Symbol, OrderID, ClientOrderID string
	Side, Type, Status             string
	Price, OrigQty, QuoteOrderQty  decimal.Decimal
	ExecutedQty, CumQuoteQty       decimal.Decimal
	Time, UpdateTime               int64
}

// open reports whether o can still fill or be canceled.
func (o *MEXCOrder) open() bool { return o.Status == "NEW" || o.Status == "PARTIALLY_FILLED" }

// MEXC is a fake MEXC spot v3 REST venue on a loopback httptest server.
// It checks the API key, the signature over the raw query and body bytes
// and the timestamp window against its own clock, which can be skewed;
// keeps an account's orders and balances; and misbehaves on demand
// (AddFault). It counts the connections it accepted and the requests it
// served, so that tests can assert connection reuse.
//
// All methods are safe for concurrent use.
type MEXC struct {
	srv         *httptest.Server
	key, secret string
	numericIDs  bool
	stop        chan struct{}
	stopOnce    sync.Once
	conns       atomic.Int64
	requests    atomic.Int64

	mu       sync.Mutex
	skew     time.Duration
	balances map[string]*mexcBalance
	books    map[string]*mexcBook
	orders   []*MEXCOrder
	byID     map[string]*MEXCOrder
	byClient map[string]*MEXCOrder
	nextID   int64
	faults   []*MEXCFault
	hits     map[string]int
}

type mexcBalance struct{ free, locked decimal.Decimal }

type mexcBook struct {
	base, quote string
	bids, asks  []mexcLevel
}

type mexcLevel struct{ price, qty decimal.Decimal }

var mexcDefaultBook = MEXCBook{
	Base: "BTC", Quote: "USDT",
	Bids: [][2]string{{"64000.00", "1.5"}, {"63990.00", "2"}, {"63900.00", "5"}},
	Asks: [][2]string{{"64010.00", "1"}, {"64020.00", "2.5"}, {"64100.00", "5"}},
}

// NewMEXC starts a fake MEXC venue on loopback. Close it when done.
// It panics on malformed options, as they are a test's own mistake.
func NewMEXC(opts MEXCOptions) *MEXC {
	m := &MEXC{
		key:        opts.APIKey,
		secret:     opts.Secret,
		numericIDs: opts.NumericOrderIDs,
		stop:       make(chan struct{}),
		balances:   make(map[string]*mexcBalance),
		books:      make(map[string]*mexcBook),
		byID:       make(map[string]*MEXCOrder),
		byClient:   make(map[string]*MEXCOrder),
		hits:       make(map[string]int),
		nextID:     1000,
	}
	if m.key == "" {
		m.key, m.secret = MEXCTestAPIKey, MEXCTestSecret
	}
	balances := opts.Balances
	if balances == nil {
		balances = map[string]string{"USDT": "100000", "BTC": "10"}
	}
	for asset, v := range balances {
		m.balances[asset] = &mexcBalance{free: decimal.MustParse(v)}
	}
	books := opts.Books
	if books == nil {
		books = map[string]MEXCBook{"BTCUSDT": mexcDefaultBook}
	}
	for sym, b := range books {
		m.books[sym] = newMEXCBook(b)
	}
	m.srv = httptest.NewUnstartedServer(http.HandlerFunc(m.serve))
	m.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			m.conns.Add(1)
		}
	}
	// Aborted exchanges are the point of several faults.
	m.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	m.srv.Start()
	return m
}

// newMEXCBook parses b's levels; it panics on a malformed one.
func newMEXCBook(b MEXCBook) *mexcBook {
	mb := &mexcBook{base: b.Base, quote: b.Quote}
	for _, l := range b.Bids {
		mb.bids = append(mb.bids, mexcLevel{decimal.MustParse(l[0]), decimal.MustParse(l[1])})
	}
	for _, l := range b.Asks {
		mb.asks = append(mb.asks, mexcLevel{decimal.MustParse(l[0]), decimal.MustParse(l[1])})
	}
	return mb
}

// URL is the venue's base URL, http://127.0.0.1:port.
func (m *MEXC) URL() string { return m.srv.URL }

// Close ends delayed answers, closes every connection and stops the
// server, returning once its handlers are done.
func (m *MEXC) Close() {
	m.stopOnce.Do(func() { close(m.stop) })
	m.srv.CloseClientConnections()
	m.srv.Close()
}

// Conns is the number of connections the venue accepted.
func (m *MEXC) Conns() int64 { return m.conns.Load() }

// Requests is the number of requests the venue received.
func (m *MEXC) Requests() int64 { return m.requests.Load() }

// Hits is the number of requests received for method and path, such as
// ("POST", "/api/v3/order"), faulty and rejected ones included.
func (m *MEXC) Hits(method, path string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits[method+" "+path]
}

// SetClockSkew sets the venue's clock to the local clock plus d.
func (m *MEXC) SetClockSkew(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.skew = d
}

// Now is the venue's clock.
func (m *MEXC) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return time.Now().Add(m.skew)
}

// AddFault queues f.
func (m *MEXC) AddFault(f MEXCFault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults = append(m.faults, &f)
}

// PendingFaults is the number of fault applications not yet used.
func (m *MEXC) PendingFaults() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, f := range m.faults {
		n += f.Times
	}
	return n
}

// Orders returns every order the venue accepted, in order.
func (m *MEXC) Orders() []MEXCOrder {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]MEXCOrder, len(m.orders))
	for i, o := range m.orders {
		out[i] = *o
	}
	return out
}

// OrderByClientID returns the order with client order ID id.
func (m *MEXC) OrderByClientID(id string) (MEXCOrder, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.byClient[id]
	if !ok {
		return MEXCOrder{}, false
	}
	return *o, true
}

// Balance returns the account's free and locked balance of asset.
func (m *MEXC) Balance(asset string) (free, locked decimal.Decimal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b, ok := m.balances[asset]; ok {
		return b.free, b.locked
	}
	return decimal.Zero, decimal.Zero
}

// mexcReply is an answer: a status and a JSON body.
type mexcReply struct {
	status int
	body   any
}

func mexcError(code int, msg string) mexcReply {
	return mexcReply{http.StatusBadRequest, map[string]any{"code": code, "msg": msg}}
}

func (m *MEXC) serve(w http.ResponseWriter, r *http.Request) {
	m.requests.Add(1)
	f := m.takeFault(r)
	if f != nil && f.ConnClose {
		w.Header().Set("Connection", "close")
	}
	if f != nil && !f.AfterAccept {
		if m.misbehave(w, r, f) {
			return
		}
	}
	rep := m.handle(r)
	if f != nil && f.AfterAccept {
		if m.misbehave(w, r, f) {
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_ = json.NewEncoder(w).Encode(rep.body) // the client sees a cut reply
}

// takeFault counts the request and returns the fault that applies to it.
func (m *MEXC) takeFault(r *http.Request) *MEXCFault {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hits[r.Method+" "+r.URL.Path]++
	for i, f := range m.faults {
		if (f.Method == "" || f.Method == r.Method) && (f.Path == "" || f.Path == r.URL.Path) {
			f.Times--
			if f.Times == 0 {
				m.faults = slices.Delete(m.faults, i, i+1)
			}
			c := *f
			return &c
		}
	}
	return nil
}

// misbehave applies f's delay and then its abort or status; it reports
// whether it answered the request.
func (m *MEXC) misbehave(w http.ResponseWriter, r *http.Request, f *MEXCFault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		case <-m.stop:
			t.Stop()
			return true
		}
	}
	if f.Abort {
		mexcAbort(w)
		return true
	}
	if f.Status == 0 {
		return false
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	body := f.Body
	if body == "" {
		body = fmt.Sprintf(`{"code":%d,"msg":%q}`, f.Status, http.StatusText(f.Status))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, body)
	return true
}

// mexcAbort drops the request's TCP connection without an answer, with a
// reset where the platform allows it.
func mexcAbort(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // best effort: a reset instead of a FIN
	}
	conn.Close()
}

type mexcRoute struct {
	signed bool
	handle func(m *MEXC, p url.Values) mexcReply
}

var mexcRoutes = map[string]mexcRoute{
	"GET /api/v3/ping":          {false, func(*MEXC, url.Values) mexcReply { return mexcReply{200, struct{}{}} }},
	"GET /api/v3/time":          {false, (*MEXC).serverTime},
	"GET /api/v3/depth":         {false, (*MEXC).depth},
	"POST /api/v3/order":        {true, func(m *MEXC, p url.Values) mexcReply { return m.placeOrder(p, false) }},
	"POST /api/v3/order/test":   {true, func(m *MEXC, p url.Values) mexcReply { return m.placeOrder(p, true) }},
	"DELETE /api/v3/order":      {true, (*MEXC).cancelOrder},
	"DELETE /api/v3/openOrders": {true, (*MEXC).cancelAll},
	"GET /api/v3/order":         {true, (*MEXC).queryOrder},
	"GET /api/v3/openOrders":    {true, (*MEXC).openOrders},
	"GET /api/v3/account":       {true, (*MEXC).account},
}

func (m *MEXC) handle(r *http.Request) mexcReply {
	route, ok := mexcRoutes[r.Method+" "+r.URL.Path]
	if !ok {
		return mexcReply{http.StatusNotFound, map[string]any{"code": 404, "msg": "Not Found"}}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return mexcError(MEXCCodeParam, "unreadable body")
	}
	p, rep, ok := m.params(r.URL.RawQuery, string(body))
	if !ok {
		return rep
	}
	if route.signed {
		if rep, ok := m.authenticate(r, string(body), p); !ok {
			return rep
		}
	}
	return route.handle(m, p)
}

// params merges the query's and the body's parameters, without the
// signature.
func (m *MEXC) params(query, body string) (url.Values, mexcReply, bool) {
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, mexcError(MEXCCodeParam, "malformed query"), false
	}
	if body != "" {
		b, err := url.ParseQuery(body)
		if err != nil {
			return nil, mexcError(MEXCCodeParam, "malformed body"), false
		}
		for k, v := range b {
			q[k] = append(q[k], v...)
		}
	}
	return q, mexcReply{}, true
}

// authenticate checks the key, the signature over the exact bytes received
// and the timestamp window, as the venue does.
func (m *MEXC) authenticate(r *http.Request, body string, p url.Values) (mexcReply, bool) {
	key := r.Header.Get("X-MEXC-APIKEY")
	if key == "" || strings.ContainsAny(key, " \t") {
		return mexcError(MEXCCodeBadKeyFormat, "Api key info invalid"), false
	}
	if key != m.key {
		return mexcError(MEXCCodeInvalidAccessKey, "Invalid access key"), false
	}
	raw := r.URL.RawQuery
	var signed, sig string
	switch i := strings.LastIndex(raw, "&signature="); {
	case i >= 0:
		signed, sig = raw[:i], raw[i+len("&signature="):]
	case strings.HasPrefix(raw, "signature="):
		sig = raw[len("signature="):]
	default:
		return mexcError(MEXCCodeBadSignature, "Signature for this request is not valid."), false
	}
	h := hmac.New(sha256.New, []byte(m.secret))
	h.Write([]byte(signed))
	h.Write([]byte(body))
	want := h.Sum(nil)
	got, err := hex.DecodeString(sig)
	// The signature is the last parameter, in lower-case hex.
	if err != nil || strings.ToLower(sig) != sig || !hmac.Equal(got, want) {
		return mexcError(MEXCCodeBadSignature, "Signature for this request is not valid."), false
	}
	p.Del("signature")
	window := int64(5000)
	if v := p.Get("recvWindow"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return mexcError(MEXCCodeParam, "recvWindow invalid"), false
		}
		if n > 60000 {
			return mexcError(MEXCCodeRecvWindow, "recvWindow must less than 60000"), false
		}
		window = n
	}
	ts, err := strconv.ParseInt(p.Get("timestamp"), 10, 64)
	now := m.Now().UnixMilli()
	if err != nil || ts >= now+1000 || now-ts > window {
		return mexcError(MEXCCodeTimestamp, "Request timestamp not in recvWindow"), false
	}
	return mexcReply{}, true
}

func (m *MEXC) serverTime(url.Values) mexcReply {
	return mexcReply{http.StatusOK, map[string]int64{"serverTime": m.Now().UnixMilli()}}
}

func (m *MEXC) depth(p url.Values) mexcReply {
	limit := 100
	if v := p.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 5000 {
			return mexcError(MEXCCodeParam, "limit invalid")
		}
		limit = n
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.books[p.Get("symbol")]
	if !ok {
		return mexcError(MEXCCodeInvalidSymbol, "Invalid symbol.")
	}
	side := func(ls []mexcLevel) [][2]string {
		out := [][2]string{}
		for _, l := range ls[:min(limit, len(ls))] {
			out = append(out, [2]string{l.price.String(), l.qty.String()})
		}
		return out
	}
	return mexcReply{http.StatusOK, map[string]any{
		"lastUpdateId": m.nextID, "bids": side(b.bids), "asks": side(b.asks),
	}}
}

func (m *MEXC) balance(asset string) *mexcBalance {
	b, ok := m.balances[asset]
	if !ok {
		b = &mexcBalance{}
		m.balances[asset] = b
	}
	return b
}

// mexcDecimal parses an optional positive decimal parameter.
func mexcDecimal(p url.Values, k string) (decimal.Decimal, bool) {
	v := p.Get(k)
	if v == "" {
		return decimal.Zero, true
	}
	d, err := decimal.Parse(v)
	return d, err == nil && d.Sign() > 0
}

// fill is the result of matching against the book.
type mexcFill struct {
	qty, quote decimal.Decimal // base filled, quote exchanged
	levels     []mexcLevel     // the book side left
}

// match walks the book side a taker order of side consumes: up to qty of
// base, or up to quote of quote asset when qty is zero, at prices no worse
// than limit (zero: any price). It does not modify the book.
func (b *mexcBook) match(side string, qty, quote, limit decimal.Decimal) mexcFill {
	levels := b.asks
	if side == "SELL" {
		levels = b.bids
	}
	f := mexcFill{}
	left := slices.Clone(levels)
	for len(left) > 0 {
		l := left[0]
		if !limit.IsZero() && ((side == "BUY" && l.price.Cmp(limit) > 0) || (side == "SELL" && l.price.Cmp(limit) < 0)) {
			break
		}
		take := l.qty
		if !qty.IsZero() {
			take = decimalMin(take, qty.Sub(f.qty))
		} else {
			afford, _ := quote.Sub(f.quote).Div(l.price, 8, decimal.RoundDown)
			take = decimalMin(take, afford)
		}
		if take.Sign() <= 0 {
			break
		}
		f.qty = f.qty.Add(take)
		f.quote = f.quote.Add(take.Mul(l.price))
		if take.Cmp(l.qty) == 0 {
			left = left[1:]
		} else {
			left[0].qty = l.qty.Sub(take)
			break
		}
	}
	f.levels = left
	return f
}

func decimalMin(a, b decimal.Decimal) decimal.Decimal {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

func (m *MEXC) placeOrder(p url.Values, test bool) mexcReply {
	sym, side, typ := p.Get("symbol"), p.Get("side"), p.Get("type")
	qty, okq := mexcDecimal(p, "quantity")
	quoteQty, okqq := mexcDecimal(p, "quoteOrderQty")
	price, okp := mexcDecimal(p, "price")
	if !okq || !okqq || !okp {
		return mexcError(MEXCCodeParam, "quantity, quoteOrderQty or price invalid")
	}
	if side != "BUY" && side != "SELL" {
		return mexcError(MEXCCodeParam, "side invalid")
	}
	switch typ {
	case "LIMIT", "LIMIT_MAKER", "IMMEDIATE_OR_CANCEL", "FILL_OR_KILL":
		if qty.IsZero() || price.IsZero() {
			return mexcError(MEXCCodeParam, typ+" needs quantity and price")
		}
	case "MARKET":
		if qty.IsZero() && quoteQty.IsZero() {
			return mexcError(MEXCCodeParam, "MARKET needs quantity or quoteOrderQty")
		}
	default:
		return mexcError(MEXCCodeParam, "type invalid")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	book, ok := m.books[sym]
	if !ok {
		return mexcError(MEXCCodeInvalidSymbol, "Invalid symbol.")
	}
	cid := p.Get("newClientOrderId")
	if _, dup := m.byClient[cid]; cid != "" && dup {
		return mexcError(MEXCCodeDuplicateClientOrderID, "Duplicate client order id.")
	}
	base, quote := m.balance(book.base), m.balance(book.quote)
	now := m.clockLocked().UnixMilli()
	o := &MEXCOrder{
		Symbol: sym, ClientOrderID: cid, Side: side, Type: typ, Status: "NEW",
		Price: price, OrigQty: qty, QuoteOrderQty: quoteQty, Time: now, UpdateTime: now,
	}
	switch typ {
	case "LIMIT", "LIMIT_MAKER":
		// Rests, locking what it could spend.
		if side == "BUY" {
			cost := qty.Mul(price)
			if quote.free.Cmp(cost) < 0 {
				return mexcError(MEXCCodeInsufficientBalance, "Insufficient balance")
			}
			if !test {
				quote.free, quote.locked = quote.free.Sub(cost), quote.locked.Add(cost)
			}
		} else {
			if base.free.Cmp(qty) < 0 {
				return mexcError(MEXCCodeInsufficientBalance, "Insufficient balance")
			}
			if !test {
				base.free, base.locked = base.free.Sub(qty), base.locked.Add(qty)
			}
		}
	default:
		limit := decimal.Zero
		if typ != "MARKET" {
			limit = price
		}
		f := book.match(side, qty, quoteQty, limit)
		if side == "BUY" && quote.free.Cmp(f.quote) < 0 || side == "SELL" && base.free.Cmp(f.qty) < 0 {
			return mexcError(MEXCCodeInsufficientBalance, "Insufficient balance")
		}
		full := (!qty.IsZero() && f.qty.Cmp(qty) == 0) || (qty.IsZero() && f.quote.Cmp(quoteQty) == 0)
		switch {
		case typ == "FILL_OR_KILL" && !full:
			f = mexcFill{levels: nil}
			o.Status = "CANCELED"
		case full:
			o.Status = "FILLED"
		case f.qty.IsZero():
			o.Status = "CANCELED"
		default:
			o.Status = "PARTIALLY_CANCELED"
		}
		if test {
			break
		}
		if !f.qty.IsZero() {
			if side == "BUY" {
				book.asks = f.levels
				quote.free, base.free = quote.free.Sub(f.quote), base.free.Add(f.qty)
			} else {
				book.bids = f.levels
				base.free, quote.free = base.free.Sub(f.qty), quote.free.Add(f.quote)
			}
		}
		o.ExecutedQty, o.CumQuoteQty = f.qty, f.quote
	}
	if test {
		return mexcReply{http.StatusOK, struct{}{}}
	}
	m.nextID++
	o.OrderID = strconv.FormatInt(m.nextID, 10)
	if o.ClientOrderID == "" {
		o.ClientOrderID = "venue-" + o.OrderID
	}
	m.orders = append(m.orders, o)
	m.byID[o.OrderID] = o
	m.byClient[o.ClientOrderID] = o
	return mexcReply{http.StatusOK, map[string]any{
		"symbol": o.Symbol, "orderId": m.orderID(o), "orderListId": -1,
		"price": o.Price.String(), "origQty": o.OrigQty.String(),
		"type": o.Type, "side": o.Side, "transactTime": now,
	}}
}

// clockLocked is Now for callers holding m.mu.
func (m *MEXC) clockLocked() time.Time { return time.Now().Add(m.skew) }

func (m *MEXC) orderID(o *MEXCOrder) any {
	if m.numericIDs {
		n, _ := strconv.ParseInt(o.OrderID, 10, 64)
		return n
	}
	return o.OrderID
}

func (m *MEXC) orderJSON(o *MEXCOrder) map[string]any {
	return map[string]any{
		"symbol": o.Symbol, "orderId": m.orderID(o), "orderListId": -1, "clientOrderId": o.ClientOrderID,
		"price": o.Price.String(), "origQty": o.OrigQty.String(), "executedQty": o.ExecutedQty.String(),
		"cummulativeQuoteQty": o.CumQuoteQty.String(), "status": o.Status, "timeInForce": "",
		"type": o.Type, "side": o.Side, "time": o.Time, "updateTime": o.UpdateTime, "isWorking": o.open(),
		"origQuoteOrderQty": o.QuoteOrderQty.String(),
	}
}

// findLocked looks an order up by orderId or origClientOrderId.
func (m *MEXC) findLocked(p url.Values) (*MEXCOrder, mexcReply, bool) {
	sym := p.Get("symbol")
	if _, ok := m.books[sym]; !ok {
		return nil, mexcError(MEXCCodeInvalidSymbol, "Invalid symbol."), false
	}
	var o *MEXCOrder
	switch id, cid := p.Get("orderId"), p.Get("origClientOrderId"); {
	case id != "":
		o = m.byID[id]
	case cid != "":
		o = m.byClient[cid]
	default:
		return nil, mexcError(MEXCCodeMissingOrderID, "orderId or origClientOrderId is required"), false
	}
	if o == nil || o.Symbol != sym {
		return nil, mexcError(MEXCCodeUnknownOrder, "Unknown order sent."), false
	}
	return o, mexcReply{}, true
}

// cancelLocked cancels an open order and releases what it locked.
func (m *MEXC) cancelLocked(o *MEXCOrder) {
	book := m.books[o.Symbol]
	left := o.OrigQty.Sub(o.ExecutedQty)
	if o.Side == "BUY" {
		q := m.balance(book.quote)
		amt := left.Mul(o.Price)
		q.free, q.locked = q.free.Add(amt), q.locked.Sub(amt)
	} else {
		b := m.balance(book.base)
		b.free, b.locked = b.free.Add(left), b.locked.Sub(left)
	}
	o.Status = "CANCELED"
	if !o.ExecutedQty.IsZero() {
		o.Status = "PARTIALLY_CANCELED"
	}
	o.UpdateTime = m.clockLocked().UnixMilli()
}

func (m *MEXC) cancelOrder(p url.Values) mexcReply {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, rep, ok := m.findLocked(p)
	if !ok {
		return rep
	}
	if !o.open() {
		return mexcError(MEXCCodeUnknownOrder, "Unknown order sent.")
	}
	m.cancelLocked(o)
	return mexcReply{http.StatusOK, m.orderJSON(o)}
}

func (m *MEXC) cancelAll(p url.Values) mexcReply { return m.eachOpen(p, m.cancelLocked) }

func (m *MEXC) openOrders(p url.Values) mexcReply { return m.eachOpen(p, nil) }

// eachOpen applies do, if not nil, to every open order of p's symbol and
// replies with those orders as they are afterwards.
func (m *MEXC) eachOpen(p url.Values, do func(*MEXCOrder)) mexcReply {
	m.mu.Lock()
	defer m.mu.Unlock()
	sym := p.Get("symbol")
	if _, ok := m.books[sym]; !ok {
		return mexcError(MEXCCodeInvalidSymbol, "Invalid symbol.")
	}
	out := []map[string]any{}
	for _, o := range m.orders {
		if o.Symbol == sym && o.open() {
			if do != nil {
				do(o)
			}
			out = append(out, m.orderJSON(o))
		}
	}
	return mexcReply{http.StatusOK, out}
}

func (m *MEXC) queryOrder(p url.Values) mexcReply {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, rep, ok := m.findLocked(p)
	if !ok {
		return rep
	}
	return mexcReply{http.StatusOK, m.orderJSON(o)}
}

func (m *MEXC) account(url.Values) mexcReply {
	m.mu.Lock()
	defer m.mu.Unlock()
	assets := make([]string, 0, len(m.balances))
	for a := range m.balances {
		assets = append(assets, a)
	}
	slices.Sort(assets)
	balances := []map[string]string{}
	for _, a := range assets {
		b := m.balances[a]
		balances = append(balances, map[string]string{"asset": a, "free": b.free.String(), "locked": b.locked.String()})
	}
	return mexcReply{http.StatusOK, map[string]any{
		"makerCommission": nil, "takerCommission": nil, "buyerCommission": nil, "sellerCommission": nil,
		"canTrade": true, "canWithdraw": true, "canDeposit": true, "updateTime": nil,
		"accountType": "SPOT", "balances": balances, "permissions": []string{"SPOT"},
	}}
}
