package venuetest

// SetBook replaces the resting liquidity of symbol's market with b, adding
// the market if the venue does not list it yet, so that a test can move a
// fake MEXC market over time (examples/arbitrage drives crossing prices
// with it). Levels are [price, quantity] decimal strings, best first; it
// panics on a malformed one, as NewMEXC does. The account's own orders are
// left as they are.
func (m *MEXC) SetBook(symbol string, b MEXCBook) {
	mb := newMEXCBook(b)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.books[symbol] = mb
}
