package engine

import (
	"fmt"
	"io"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
	"github.com/asynclint/asynclint/runtime/exchange/gateio"
	"github.com/asynclint/asynclint/runtime/exchange/mexc"
)

// OrderMode says what the engine does with an opportunity.
type OrderMode string

// Order modes.
const (
	OrdersOff  OrderMode = "off"  // count opportunities, place nothing
	OrdersTest OrderMode = "test" // validate orders with POST /api/v3/order/test
	OrdersLive OrderMode = "live" // place orders with POST /api/v3/order
)

// Config configures an Engine. Zero fields take the defaults below.
type Config struct {
	// Symbol is the MEXC symbol and Pair the Gate.io currency pair of the
	// market traded. Defaults BTCUSDT and BTC_USDT.
	Symbol, Pair string

	// MEXC configures the MEXC client: BaseURL, APIKey and Secret. Its
	// Secret is never printed.
	MEXC mexc.Options
	// GateURL and GateRESTURL are Gate.io's WebSocket endpoint and REST
	// base. Defaults gateio.DefaultURL and gateio.DefaultRESTURL.
	GateURL, GateRESTURL string

	// Orders is what to do with an opportunity. Default OrdersOff.
	Orders OrderMode
	// Quantity is the most base asset an order buys or sells; an order is
	// also limited to the quantity at MEXC's best price. Default 0.01.
	Quantity decimal.Decimal
	// ThresholdBps is the net spread, in basis points after both venues'
	// fees, above which an opportunity is taken. Default 5.
	ThresholdBps decimal.Decimal
	// MEXCFeeBps and GateFeeBps are the venues' taker fees in basis
	// points. Defaults 5 and 10.
	MEXCFeeBps, GateFeeBps decimal.Decimal

	// PollInterval is the time between MEXC depth requests. Default 100ms.
	PollInterval time.Duration
	// MaxBookAge is how old a venue's top of book may be and still be
	// traded on. Default 1s.
	MaxBookAge time.Duration
	// OrderTimeout is each opportunity's deadline, from the moment it is
	// seen to the venue's answer to its order. Default 2s.
	OrderTimeout time.Duration
	// MaxInFlight bounds the orders waiting for an answer; an opportunity
	// seen while that many are in flight is counted but not traded.
	// Default 4.
	MaxInFlight int

	// Out receives the status line every StatusInterval (default 1s), on
	// a line of its own or, when Live is set, rewritten in place.
	// Default: no status.
	Out            io.Writer
	StatusInterval time.Duration
	Live           bool
}

func (c *Config) setDefaults() error {
	if c.Symbol == "" {
		c.Symbol = "BTCUSDT"
	}
	if c.Pair == "" {
		c.Pair = "BTC_USDT"
	}
	if c.GateURL == "" {
		c.GateURL = gateio.DefaultURL
	}
	if c.GateRESTURL == "" {
		c.GateRESTURL = gateio.DefaultRESTURL
	}
	switch c.Orders {
	case "":
		c.Orders = OrdersOff
	case OrdersOff, OrdersTest, OrdersLive:
	default:
		return fmt.Errorf("engine: order mode %q: want off, test or live", c.Orders)
	}
	if c.Orders != OrdersOff && (c.MEXC.APIKey == "" || c.MEXC.Secret == "") {
		return fmt.Errorf("engine: order mode %s needs a MEXC API key and secret", c.Orders)
	}
	def := func(d *decimal.Decimal, v string) {
		if d.IsZero() {
			*d = decimal.MustParse(v)
		}
	}
	def(&c.Quantity, "0.01")
	def(&c.ThresholdBps, "5")
	def(&c.MEXCFeeBps, "5")
	def(&c.GateFeeBps, "10")
	if c.Quantity.Sign() < 0 || c.MEXCFeeBps.Sign() < 0 || c.GateFeeBps.Sign() < 0 {
		return fmt.Errorf("engine: negative quantity or fee")
	}
	dur := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	dur(&c.PollInterval, 100*time.Millisecond)
	dur(&c.MaxBookAge, time.Second)
	dur(&c.OrderTimeout, 2*time.Second)
	dur(&c.StatusInterval, time.Second)
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 4
	}
	return nil
}
