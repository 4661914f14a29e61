package venuetest

import "github.com/asynclint/asynclint/runtime/exchange/decimal"

// SetBook replaces the resting liquidity of symbol's market with b, adding
// the market if the venue does not list it yet, so that a test can move a
// fake MEXC market over time (examples/arbitrage drives crossing prices
// with it). Levels are [price, quantity] decimal strings, best first; it
// panics on a malformed one, as NewMEXC does. The account's own orders are
// left as they are.
func (m *MEXC) SetBook(symbol string, b MEXCBook) {
	mb := &mexcBook{base: b.Base, quote: b.Quote}
	for _, l := range b.Bids {
		mb.bids = append(mb.bids, mexcLevel{decimal.MustParse(l[0]), decimal.MustParse(l[1])})
	}
	for _, l := range b.Asks {
		mb.asks = append(mb.asks, mexcLevel{decimal.MustParse(l[0]), decimal.MustParse(l[1])})
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.books[symbol] = mb
}
