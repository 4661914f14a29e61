// Antipatterns is a small trading bot written the way naive trading code
// is written: requests that ignore their context, bodies and sockets left
// open, a poller that never stops, an order sender that strands its
// goroutine and a timeout whose cancel is lost. Each bug carries a comment
// naming the asynclint analyzer that reports it (cmd/asynclint's
// antipatterns test checks that it does, and that nothing else is).
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"example.com/antipatterns/exchange"
)

func main() {
	if !exchange.Reachable("api.example.com:443") {
		log.Fatal("venue unreachable")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	c := exchange.NewClient("https://api.example.com")
	feed := exchange.NewPriceFeed("https://api.example.com/ticker?symbol=BTCUSDT")
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := tick(ctx, c, feed); err != nil {
			log.Print(err)
		}
	}
}

// tick checks the venue, the prices and the balance, and buys.
func tick(ctx context.Context, c *exchange.Client, feed *exchange.PriceFeed) error {
	resp, err := http.Get("https://api.example.com/ping") // ANTIPATTERN: blockingcall
	if err != nil {
		return err
	}
	resp.Body.Close()
	px, err := c.Ticker(ctx, "BTCUSDT")
	if err != nil {
		return err
	}
	free, err := c.Balance(ctx, "USDT")
	if err != nil {
		return err
	}
	if _, err := c.Depth(ctx, "BTCUSDT"); err != nil {
		return err
	}
	fmt.Println("last", feed.Last(), "ticker", px, "free", free)
	id, err := c.SendOrder(ctx, exchange.Order{Symbol: "BTCUSDT", Side: "BUY", Price: px, Quantity: "0.001"})
	if err != nil {
		return err
	}
	fmt.Println("order", id)
	return nil
}
