package gateio

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
)

// An Event is one typed market-data event: *Ticker, *BookTicker, *Trade,
// *BookSnapshot or *BookUpdate. Events are fresh values that the handler
// may keep.
type Event interface {
	// CurrencyPair returns the pair the event is about, "BTC_USDT".
	CurrencyPair() string
}

// A Ticker is a spot.tickers push: 24-hour statistics, about once a second.
type Ticker struct {
	Pair             string
	Time             time.Time // when the venue sent it
	Last             decimal.Decimal
	LowestAsk        decimal.Decimal
	HighestBid       decimal.Decimal
	ChangePercentage decimal.Decimal
	BaseVolume       decimal.Decimal
	QuoteVolume      decimal.Decimal
	High24h          decimal.Decimal
	Low24h           decimal.Decimal
}

// A BookTicker is a spot.book_ticker push: the best bid and ask.
type BookTicker struct {
	Pair     string
	Time     time.Time
	UpdateID int64
	Bid      decimal.Decimal
	BidSize  decimal.Decimal
	Ask      decimal.Decimal
	AskSize  decimal.Decimal
}

// A Trade is a spot.trades push: one public trade.
type Trade struct {
	Pair   string
	ID     int64
	Time   time.Time
	Side   string // "buy" or "sell", the taker's side
	Amount decimal.Decimal
	Price  decimal.Decimal
}

// A Level is one price level of an order book. In a BookUpdate, a zero
// Amount means the level was removed.
type Level struct {
	Price  decimal.Decimal
	Amount decimal.Decimal
}

// Why a BookSnapshot was emitted.
const (
	ReasonSync = "sync" // the book was (re)built from a REST snapshot
	ReasonFull = "full" // the venue pushed a full:true update
)

// A BookSnapshot is the whole local order book of a pair, emitted each time
// it is (re)built: after the first synchronisation, after every resync and
// after a full:true push. Bids are best (highest) first, asks best (lowest)
// first.
type BookSnapshot struct {
	Pair     string
	Time     time.Time
	UpdateID int64 // the last update id the book includes
	Reason   string
	Bids     []Level
	Asks     []Level
}

// A BookUpdate is a spot.order_book_update push that was applied to the
// synchronised local book: the levels that changed, with absolute amounts.
// Best is the book's top after applying it.
type BookUpdate struct {
	Pair    string
	Time    time.Time
	FirstID int64 // U
	LastID  int64 // u
	Bids    []Level
	Asks    []Level
	BestBid Level // zero if the side is empty
	BestAsk Level
}

// CurrencyPair implements Event.
func (e *Ticker) CurrencyPair() string { return e.Pair }

// CurrencyPair implements Event.
func (e *BookTicker) CurrencyPair() string { return e.Pair }

// CurrencyPair implements Event.
func (e *Trade) CurrencyPair() string { return e.Pair }

// CurrencyPair implements Event.
func (e *BookSnapshot) CurrencyPair() string { return e.Pair }

// CurrencyPair implements Event.
func (e *BookUpdate) CurrencyPair() string { return e.Pair }

// An APIError is an error the venue returned in reply to a request, such as
// code 2 "unknown currency pair X" for a subscription.
type APIError struct {
	Channel string
	Event   string
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("gateio: %s %s: error %d: %s", e.Channel, e.Event, e.Code, e.Message)
}

// Error codes of the venue.
const (
	CodeBadBody     = 1
	CodeBadArgument = 2
	CodeServerError = 3
	CodeAuthFailed  = 4
)

// envelope is every inbound message: pushes, acks, pongs and the upgrade
// notice.
type envelope struct {
	Type    string          `json:"type"`
	Msg     string          `json:"msg"`
	Time    int64           `json:"time"`
	TimeMs  int64           `json:"time_ms"`
	ID      *int64          `json:"id"`
	Channel string          `json:"channel"`
	Event   string          `json:"event"`
	Error   *apiErrorBody   `json:"error"`
	Result  json.RawMessage `json:"result"`
}

type apiErrorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *envelope) when() time.Time {
	if e.TimeMs != 0 {
		return time.UnixMilli(e.TimeMs)
	}
	return time.Unix(e.Time, 0)
}

type tickerResult struct {
	CurrencyPair     string          `json:"currency_pair"`
	Last             decimal.Decimal `json:"last"`
	LowestAsk        decimal.Decimal `json:"lowest_ask"`
	HighestBid       decimal.Decimal `json:"highest_bid"`
	ChangePercentage decimal.Decimal `json:"change_percentage"`
	BaseVolume       decimal.Decimal `json:"base_volume"`
	QuoteVolume      decimal.Decimal `json:"quote_volume"`
	High24h          decimal.Decimal `json:"high_24h"`
	Low24h           decimal.Decimal `json:"low_24h"`
}

type bookTickerResult struct {
	T  int64           `json:"t"`
	U  int64           `json:"u"`
	S  string          `json:"s"`
	B  decimal.Decimal `json:"b"`
	BS decimal.Decimal `json:"B"`
	A  decimal.Decimal `json:"a"`
	AS decimal.Decimal `json:"A"`
}

type tradeResult struct {
	ID           int64           `json:"id"`
	CreateTime   int64           `json:"create_time"`
	CreateTimeMs json.Number     `json:"create_time_ms"`
	Side         string          `json:"side"`
	CurrencyPair string          `json:"currency_pair"`
	Amount       decimal.Decimal `json:"amount"`
	Price        decimal.Decimal `json:"price"`
}

// bookUpdateResult is a spot.order_book_update push.
type bookUpdateResult struct {
	T     int64   `json:"t"`
	Full  bool    `json:"full"`
	L     string  `json:"l"`
	S     string  `json:"s"`
	U     int64   `json:"U"`
	LastU int64   `json:"u"`
	B     []Level `json:"b"`
	A     []Level `json:"a"`
}

// restBook is the REST snapshot GET /api/v4/spot/order_book?with_id=true.
type restBook struct {
	ID      int64   `json:"id"`
	Current int64   `json:"current"`
	Update  int64   `json:"update"`
	Asks    []Level `json:"asks"`
	Bids    []Level `json:"bids"`
}

// UnmarshalJSON reads a level as the venue sends it, ["price","amount"].
func (l *Level) UnmarshalJSON(b []byte) error {
	var pa []decimal.Decimal
	if err := json.Unmarshal(b, &pa); err != nil {
		return fmt.Errorf("gateio: level %s: %w", b, err)
	}
	if len(pa) != 2 {
		return fmt.Errorf("gateio: level %s: want [price, amount]", b)
	}
	if pa[0].Sign() <= 0 || pa[1].Sign() < 0 {
		return fmt.Errorf("gateio: level %s: negative or zero price, or negative amount", b)
	}
	l.Price, l.Amount = pa[0], pa[1]
	return nil
}

// MarshalJSON writes a level as ["price","amount"].
func (l Level) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]decimal.Decimal{l.Price, l.Amount})
}

func (l Level) String() string { return l.Price.String() + "@" + l.Amount.String() }
