// Package fakemarket runs the fake MEXC and Gate.io venues of
// runtime/exchange/venuetest in-process as one market in which the two
// venues' prices cross now and then, so that examples/arbitrage has
// something to find without reaching a real venue.
//
// Every Options.Step the Gate.io market moves (its seeded random walk) and
// the MEXC book is set to a copy of Gate.io's top levels, shifted by the
// current dislocation. Every Options.Every steps a dislocation starts:
// MEXC's prices jump by 30 to 60 basis points up or down for a few steps,
// or, one time in four, by a near miss of 5 to 15 basis points that the
// venues' fees eat. Signs, sizes and lengths come from Options.Seed, so a
// seed gives the same sequence of dislocations every run.
package fakemarket

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
)

// Options configure a Market. The zero value is usable.
type Options struct {
	// Seed makes the market deterministic. Default 0 is a seed like any other.
	Seed uint64
	// Step is how often both venues' markets move. Default 25ms.
	Step time.Duration
	// Every is the number of steps from one dislocation to the next.
	// Default 40.
	Every int
	// Symbol is the MEXC symbol and Pair the Gate.io currency pair of the
	// one market listed. Defaults BTCUSDT and BTC_USDT.
	Symbol, Pair string
	// Levels is the depth of the MEXC book copied from Gate.io. Default 5.
	Levels int
}

// assets splits the pair "BTC_USDT" into its base and quote assets.
func (o *Options) assets() (base, quote string) {
	base, quote, _ = strings.Cut(o.Pair, "_")
	return base, quote
}

// A Market is the two fake venues and the goroutine that moves them.
// Tests reach the venues through Gate and MEXC to inject faults.
type Market struct {
	Gate *venuetest.Gate
	MEXC *venuetest.MEXC

	opts   Options
	rng    *rand.Rand // used by the driver goroutine only
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	crossing, nearMiss atomic.Int64
}

// Start starts the venues and the market's driver. Close stops them.
func Start(opts Options) *Market {
	if opts.Step <= 0 {
		opts.Step = 25 * time.Millisecond
	}
	if opts.Every <= 0 {
		opts.Every = 40
	}
	if opts.Symbol == "" {
		opts.Symbol = "BTCUSDT"
	}
	if opts.Pair == "" {
		opts.Pair = "BTC_USDT"
	}
	if opts.Levels <= 0 {
		opts.Levels = 5
	}
	base, quote := opts.assets()
	m := &Market{
		opts: opts,
		rng:  rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5bd1e995)),
		done: make(chan struct{}),
		Gate: venuetest.NewGate(venuetest.GateOptions{Seed: opts.Seed, Pairs: []string{opts.Pair}}),
		MEXC: venuetest.NewMEXC(venuetest.MEXCOptions{
			Balances: map[string]string{quote: "10000000", base: "10000"},
			Books:    map[string]venuetest.MEXCBook{opts.Symbol: {Base: base, Quote: quote}},
		}),
	}
	m.mirror(0) // the books agree before the first step
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	go m.drive(ctx)
	return m
}

// MEXCURL is the fake MEXC venue's REST base URL.
func (m *Market) MEXCURL() string { return m.MEXC.URL() }

// GateURL and GateRESTURL are the fake Gate.io venue's WebSocket endpoint
// and REST base URL.
func (m *Market) GateURL() string     { return m.Gate.URL() }
func (m *Market) GateRESTURL() string { return m.Gate.RESTURL() }

// Dislocations returns how many dislocations have started: those wide
// enough to cross the venues net of fees, and the near misses.
func (m *Market) Dislocations() (crossing, nearMiss int64) {
	return m.crossing.Load(), m.nearMiss.Load()
}

// Close stops the driver, then both venues, and returns once all their
// goroutines have exited. It is idempotent.
func (m *Market) Close() {
	m.once.Do(func() {
		m.cancel()
		<-m.done
		m.Gate.Close()
		m.MEXC.Close()
	})
}

// drive moves the market every Step until ctx ends.
func (m *Market) drive(ctx context.Context) {
	defer close(m.done)
	t := time.NewTicker(m.opts.Step)
	defer t.Stop()
	var step, offset, left int
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		step++
		switch {
		case left > 0:
			left--
			if left == 0 {
				offset = 0
			}
		case step%m.opts.Every == 0:
			offset, left = m.dislocation()
		}
		m.Gate.Step(1)
		m.mirror(offset)
	}
}

// dislocation draws the next dislocation: its size in basis points, with
// a sign, and its length in steps.
func (m *Market) dislocation() (bps, steps int) {
	if m.rng.IntN(4) == 0 {
		bps = 5 + m.rng.IntN(11)
		m.nearMiss.Add(1)
	} else {
		bps = 30 + m.rng.IntN(31)
		m.crossing.Add(1)
	}
	if m.rng.IntN(2) == 0 {
		bps = -bps
	}
	steps = max(2, m.opts.Every/4+m.rng.IntN(max(1, m.opts.Every/4)))
	return bps, steps
}

var bpsUnit = decimal.New(1, 4) // 0.0001

// mirror sets the MEXC book to Gate.io's top levels moved by bps basis
// points of Gate.io's mid price, rounded to the 0.01 tick.
func (m *Market) mirror(bps int) {
	gb := m.Gate.Book(m.opts.Pair)
	if len(gb.Bids) == 0 || len(gb.Asks) == 0 {
		return
	}
	bid, ask := decimal.MustParse(gb.Bids[0][0]), decimal.MustParse(gb.Asks[0][0])
	mid := bid.Add(ask).Mul(decimal.New(5, 1))
	shift := mid.Mul(decimal.NewFromInt(int64(bps))).Mul(bpsUnit).Quantize(2, decimal.RoundHalfEven)
	move := func(levels [][2]string) [][2]string {
		out := make([][2]string, 0, m.opts.Levels)
		for _, l := range levels[:min(len(levels), m.opts.Levels)] {
			p := decimal.MustParse(l[0]).Add(shift)
			out = append(out, [2]string{p.String(), l[1]})
		}
		return out
	}
	base, quote := m.opts.assets()
	m.MEXC.SetBook(m.opts.Symbol, venuetest.MEXCBook{
		Base: base, Quote: quote, Bids: move(gb.Bids), Asks: move(gb.Asks),
	})
}
