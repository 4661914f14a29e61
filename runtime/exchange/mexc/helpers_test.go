package mexc_test

import (
	"testing"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
	"github.com/asynclint/asynclint/runtime/exchange/mexc"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
)

// setup starts a fake venue and a client of it, both closed when the test
// ends (the client first).
func setup(t *testing.T, vopts venuetest.MEXCOptions, opts mexc.Options) (*venuetest.MEXC, *mexc.Client) {
	t.Helper()
	venue := venuetest.NewMEXC(vopts)
	t.Cleanup(venue.Close)
	opts.BaseURL = venue.URL()
	if opts.APIKey == "" {
		opts.APIKey = venuetest.MEXCTestAPIKey
	}
	if opts.Secret == "" {
		opts.Secret = venuetest.MEXCTestSecret
	}
	if opts.HTTP.Retry.BaseDelay == 0 {
		opts.HTTP.Retry.BaseDelay = 5 * time.Millisecond
	}
	c, err := mexc.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return venue, c
}

func dec(s string) decimal.Decimal { return decimal.MustParse(s) }

// limitBuy is a resting order the default fake account can afford.
func limitBuy(clientID string) mexc.OrderRequest {
	return mexc.OrderRequest{
		Symbol: "BTCUSDT", Side: mexc.Buy, Type: mexc.Limit,
		Quantity: dec("0.5"), Price: dec("60000"), ClientOrderID: clientID,
	}
}
