package wsclient_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/asynclint/asynclint/runtime/wsclient"
)

// gateMessage is the envelope of Gate.io spot v4 pushes, and of the
// "upgrade" notice that precedes a maintenance close.
type gateMessage struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	Event   string `json:"event"`
	Result  struct {
		CurrencyPair string `json:"currency_pair"`
		Last         string `json:"last"`
	} `json:"result"`
}

// A ticker client for Gate.io: JSON decoding, the venue's application ping,
// its "upgrade" notice, and resubscription with a fresh "time" on every
// connection. Tickers are snapshots, so a slow consumer may drop the oldest.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := wsclient.Dial(ctx, "wss://api.gateio.ws/ws/v4/", &wsclient.Options{
		Handler: wsclient.JSON(func(ctx context.Context, msg *gateMessage, m wsclient.Message) error {
			if msg.Type == "upgrade" {
				return fmt.Errorf("venue notice: %w", wsclient.ErrReconnect)
			}
			if msg.Channel == "spot.tickers" && msg.Event == "update" {
				fmt.Println(msg.Result.CurrencyPair, msg.Result.Last)
			}
			return nil
		}),
		Policy: wsclient.DropOldest,
		AppPing: func() ([]byte, error) {
			return fmt.Appendf(nil, `{"time":%d,"channel":"spot.ping"}`, time.Now().Unix()), nil
		},
		PingInterval: 10 * time.Second,
		OnError:      func(err error) { log.Print(err) },
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, pair := range []string{"BTC_USDT", "ETH_USDT"} {
		c.Subscribe(ctx, "spot.tickers "+pair, func() ([]byte, error) {
			return fmt.Appendf(nil, `{"time":%d,"channel":"spot.tickers","event":"subscribe","payload":[%q]}`,
				time.Now().Unix(), pair), nil
		})
	}
	// Run outlives the interrupt, so that Close can end it with a close
	// handshake.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go c.Run(runCtx)

	<-ctx.Done()
	closeCtx, cancelClose := context.WithTimeout(runCtx, 10*time.Second)
	defer cancelClose()
	if err := c.Close(closeCtx); err != nil {
		log.Print(err)
	}
}
