package mexc_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
	"github.com/asynclint/asynclint/runtime/exchange/mexc"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
)

func Example() {
	venue := venuetest.NewMEXC(venuetest.MEXCOptions{}) // a fake venue on loopback
	defer venue.Close()

	c, err := mexc.New(mexc.Options{
		BaseURL: venue.URL(), // default https://api.mexc.com
		APIKey:  venuetest.MEXCTestAPIKey,
		Secret:  venuetest.MEXCTestSecret,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	o, err := c.PlaceOrder(ctx, mexc.OrderRequest{
		Symbol:   "BTCUSDT",
		Side:     mexc.Buy,
		Type:     mexc.Limit,
		Quantity: decimal.MustParse("0.5"),
		Price:    decimal.MustParse("60000"),
	})
	var unknown *mexc.OutcomeUnknownError
	switch {
	case errors.As(err, &unknown):
		// Never resend: look the order up later by its client order ID.
		fmt.Println("outcome unknown for", unknown.ClientOrderID)
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	q, err := c.QueryOrder(ctx, mexc.OrderRef{Symbol: o.Symbol, ClientOrderID: o.ClientOrderID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Symbol, q.Side, q.Type, q.OrigQty, "@", q.Price, q.Status)
	// Output: BTCUSDT BUY LIMIT 0.5 @ 60000 NEW
}

func ExampleSecret() {
	opts := mexc.Options{APIKey: "mx0aBYs33eIilxBWC5", Secret: "45d0b3c26f2644f19bfb98b07741b2f5"}
	fmt.Printf("%v\n", opts.Secret)
	// Output: [redacted]
}
