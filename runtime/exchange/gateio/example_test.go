package gateio_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/gateio"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
)

// A local order book kept in step with the venue (here the fake venue on
// loopback; leave URL and RESTURL empty for the real one). Events arrive
// on the Handler; Book gives a consistent copy at any time.
func Example() {
	venue := venuetest.NewGate(venuetest.GateOptions{Seed: 42})
	defer venue.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	synced := make(chan *gateio.BookSnapshot, 1)
	c, err := gateio.Dial(ctx, gateio.Options{
		URL:     venue.URL(),
		RESTURL: venue.RESTURL(),
		Handler: func(e gateio.Event) {
			switch e := e.(type) {
			case *gateio.BookSnapshot:
				select {
				case synced <- e:
				default:
				}
			case *gateio.BookUpdate:
				_ = e.BestBid // an arbitrage engine would act here
			}
		},
		OnError: func(err error) { log.Print(err) },
	})
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	if err := c.SubscribeOrderBook(ctx, "BTC_USDT"); err != nil {
		log.Fatal(err)
	}
	venue.Step(10) // the market moves
	select {
	case s := <-synced:
		fmt.Println(s.Pair, s.Reason)
	case <-ctx.Done():
		log.Fatal(ctx.Err())
	}
	book, _ := c.Book("BTC_USDT")
	bid, _ := book.BestBid()
	ask, _ := book.BestAsk()
	spread := ask.Price.Sub(bid.Price)
	fmt.Println("synced:", book.Synced, "crossed:", spread.Sign() <= 0)

	if err := c.Close(ctx); err != nil {
		log.Print(err)
	}
	if err := <-done; err != nil {
		log.Print(err)
	}
	// Output:
	// BTC_USDT sync
	// synced: true crossed: false
}
