package mexc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
)

// Side is an order's side.
type Side string

// Order sides.
const (
	Buy  Side = "BUY"
	Sell Side = "SELL"
)

// OrderType is an order's type.
type OrderType string

// Order types.
const (
	Limit             OrderType = "LIMIT"
	Market            OrderType = "MARKET"
	LimitMaker        OrderType = "LIMIT_MAKER"
	ImmediateOrCancel OrderType = "IMMEDIATE_OR_CANCEL"
	FillOrKill        OrderType = "FILL_OR_KILL"
)

// OrderStatus is an order's state.
type OrderStatus string

// Order states.
const (
	StatusNew               OrderStatus = "NEW"
	StatusPartiallyFilled   OrderStatus = "PARTIALLY_FILLED"
	StatusFilled            OrderStatus = "FILLED"
	StatusCanceled          OrderStatus = "CANCELED"
	StatusPartiallyCanceled OrderStatus = "PARTIALLY_CANCELED"
)

// An OrderID is the venue's order ID. The venue sends it as a JSON string,
// and sent it as a number in older responses: both decode.
type OrderID string

// UnmarshalJSON accepts a JSON string or a JSON number.
func (id *OrderID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("mexc: orderId: %w", err)
		}
		*id = OrderID(s)
		return nil
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("mexc: orderId %s is neither a string nor a number", b)
		}
		*id = OrderID(n.String())
		return nil
	}
}

// Millis is a time the venue sends as milliseconds since the Unix epoch.
type Millis int64

// Time returns m as a time.Time, or the zero Time for 0.
func (m Millis) Time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m))
}

// An OrderRequest describes a new order. LIMIT orders need Quantity and
// Price; MARKET orders need Quantity or QuoteOrderQty. A zero decimal
// leaves its parameter out.
type OrderRequest struct {
	Symbol        string
	Side          Side
	Type          OrderType
	Quantity      decimal.Decimal
	QuoteOrderQty decimal.Decimal
	Price         decimal.Decimal
	// ClientOrderID is sent as newClientOrderId, by which an order whose
	// placement had an unknown outcome is found again. The client
	// generates one when it is empty.
	ClientOrderID string
}

// An OrderRef names one order of a symbol by the venue's ID or by the
// client order ID; OrderID wins when both are set.
type OrderRef struct {
	Symbol        string
	OrderID       OrderID
	ClientOrderID string
}

// An Order is an order as the venue reports it. The acknowledgement of a
// new order fills only Symbol, OrderID, ClientOrderID, Price, OrigQty,
// Type, Side and TransactTime.
type Order struct {
	Symbol              string          `json:"symbol"`
	OrderID             OrderID         `json:"orderId"`
	OrderListID         int64           `json:"orderListId"`
	ClientOrderID       string          `json:"clientOrderId"`
	Price               decimal.Decimal `json:"price"`
	OrigQty             decimal.Decimal `json:"origQty"`
	ExecutedQty         decimal.Decimal `json:"executedQty"`
	CummulativeQuoteQty decimal.Decimal `json:"cummulativeQuoteQty"`
	Status              OrderStatus     `json:"status"`
	TimeInForce         string          `json:"timeInForce"`
	Type                OrderType       `json:"type"`
	Side                Side            `json:"side"`
	Time                Millis          `json:"time"`
	UpdateTime          Millis          `json:"updateTime"`
	TransactTime        Millis          `json:"transactTime"`
	IsWorking           bool            `json:"isWorking"`
	// Reconciled is set on an order that PlaceOrder found by its client
	// order ID after the placement's own response was lost: it is the
	// venue's current view of the order, not the acknowledgement.
	Reconciled bool `json:"-"`
}

// An Account is the account's permissions and balances.
type Account struct {
	MakerCommission  decimal.Decimal `json:"makerCommission"`
	TakerCommission  decimal.Decimal `json:"takerCommission"`
	BuyerCommission  decimal.Decimal `json:"buyerCommission"`
	SellerCommission decimal.Decimal `json:"sellerCommission"`
	CanTrade         bool            `json:"canTrade"`
	CanWithdraw      bool            `json:"canWithdraw"`
	CanDeposit       bool            `json:"canDeposit"`
	UpdateTime       Millis          `json:"updateTime"`
	AccountType      string          `json:"accountType"`
	Balances         []Balance       `json:"balances"`
	Permissions      []string        `json:"permissions"`
}

// Balance returns the balance of asset, and whether the account has one.
func (a *Account) Balance(asset string) (Balance, bool) {
	for _, b := range a.Balances {
		if b.Asset == asset {
			return b, true
		}
	}
	return Balance{Asset: asset}, false
}

// A Balance is one asset's holdings.
type Balance struct {
	Asset  string          `json:"asset"`
	Free   decimal.Decimal `json:"free"`
	Locked decimal.Decimal `json:"locked"`
}

// A Level is one price level of an order book.
type Level struct {
	Price    decimal.Decimal
	Quantity decimal.Decimal
}

// UnmarshalJSON reads a level sent as ["price","quantity"].
func (l *Level) UnmarshalJSON(b []byte) error {
	var pq []decimal.Decimal
	if err := json.Unmarshal(b, &pq); err != nil {
		return fmt.Errorf("mexc: book level: %w", err)
	}
	if len(pq) < 2 {
		return fmt.Errorf("mexc: book level %s: want [price, quantity]", b)
	}
	l.Price, l.Quantity = pq[0], pq[1]
	return nil
}

// A Depth is an order book snapshot, best prices first.
type Depth struct {
	LastUpdateID int64   `json:"lastUpdateId"`
	Bids         []Level `json:"bids"`
	Asks         []Level `json:"asks"`
}

// params is an ordered list of query parameters: the order is part of what
// is signed.
type params []param

type param struct{ k, v string }

func (p *params) add(k, v string) {
	if v != "" {
		*p = append(*p, param{k, v})
	}
}

func (p *params) addDecimal(k string, d decimal.Decimal) {
	if !d.IsZero() {
		p.add(k, d.String())
	}
}

func (p *params) addInt(k string, n int) { p.add(k, strconv.Itoa(n)) }
