package sdkuser

import (
	"context"
	"net/http"

	"sdk"
)

func quote(ctx context.Context, c *sdk.Client) {
	c.Ticker("ETHUSDT")      // want `\(\*sdk.Client\).Ticker blocks without a context while ctx is in scope: the call cannot be cancelled; use TickerContext\(ctx, …\)`
	sdk.LastTrade("ETHUSDT") // want `sdk.LastTrade blocks without a context \(sdk.LastTrade → \(\*net/http.Client\).Do with a deadline on context.Background\(\)\) while ctx is in scope`
	c.TickerContext(ctx, "ETHUSDT")
	(&sdk.Order{}).Validate()
}

// The trade fetch ends by its own deadline: a goroutine running it is not
// stuck for good.
func poll() { go sdk.LastTrade("BTCUSDT") }

func account(ctx context.Context, s *sdk.Service) {
	s.Ping()      // want `\(\*sdk.Service\).Ping blocks without a context`
	sdk.Serve("") // want `sdk.Serve blocks without a context`
	s.Accounts()  // want `\(\*sdk.Service\).Accounts blocks without a context`
}

func send(ctx context.Context) {
	sdk.Basic{}.Send(&sdk.Request{})                      // want `\(sdk.Basic\).Send blocks without a context`
	req, _ := (&sdk.Request{Method: "GET"}).HTTPRequest() // want `\(\*sdk.Request\).HTTPRequest builds a request without a context \(\(\*sdk.Request\).HTTPRequest → net/http.NewRequest\) that is sent here`
	http.DefaultClient.Do(req)
	ok, _ := (&sdk.Request{Method: "GET"}).HTTPRequest()
	http.DefaultClient.Do(ok.WithContext(ctx))
}
