package gateio

import (
	"slices"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
)

// A Book is a copy of a local order book, as Client.Book returns it.
type Book struct {
	Pair string
	// Synced reports whether the book is synchronised with the venue. While
	// it is not, the levels are empty and a snapshot is on its way.
	Synced   bool
	UpdateID int64 // the last update id applied
	Time     time.Time
	Bids     []Level // best (highest) first
	Asks     []Level // best (lowest) first
}

// BestBid returns the highest bid, and false if there is none.
func (b *Book) BestBid() (Level, bool) {
	if len(b.Bids) == 0 {
		return Level{}, false
	}
	return b.Bids[0], true
}

// BestAsk returns the lowest ask, and false if there is none.
func (b *Book) BestAsk() (Level, bool) {
	if len(b.Asks) == 0 {
		return Level{}, false
	}
	return b.Asks[0], true
}

// side is one side of a book: levels sorted best first, no zero amounts.
type side struct {
	levels []Level
	desc   bool // bids: highest first
}

// search returns the index of price, or where it would be inserted.
func (s *side) search(p decimal.Decimal) (int, bool) {
	return slices.BinarySearchFunc(s.levels, p, func(l Level, p decimal.Decimal) int {
		if s.desc {
			return p.Cmp(l.Price)
		}
		return l.Price.Cmp(p)
	})
}

// set applies an absolute amount: zero removes the level.
func (s *side) set(l Level) {
	i, found := s.search(l.Price)
	switch {
	case l.Amount.IsZero() && found:
		s.levels = slices.Delete(s.levels, i, i+1)
	case l.Amount.IsZero():
	case found:
		s.levels[i] = l
	default:
		s.levels = slices.Insert(s.levels, i, l)
	}
}

func (s *side) reset(ls []Level) {
	s.levels = s.levels[:0]
	for _, l := range ls {
		s.set(l)
	}
}

func (s *side) best() Level {
	if len(s.levels) == 0 {
		return Level{}
	}
	return s.levels[0]
}

// localBook is the state of one pair's book. It is guarded by Client.mu.
type localBook struct {
	pair   string
	synced bool
	id     int64 // last update id applied
	// base is the update id of the snapshot or full:true push the book was
	// last rebuilt from: a later push with u <= base was already covered by
	// it (it raced the REST snapshot), not sent twice.
	base int64
	time time.Time
	bids side
	asks side

	// While not synced: the pushes received since the sync began, oldest
	// first, and the generation of the snapshot fetch in flight (0: none).
	buffer   []*bookUpdateResult
	fetching uint64
	cancel   func()
}

func newLocalBook(pair string) *localBook {
	return &localBook{pair: pair, bids: side{desc: true}}
}

func (b *localBook) copy() Book {
	return Book{
		Pair: b.pair, Synced: b.synced, UpdateID: b.id, Time: b.time,
		Bids: slices.Clone(b.bids.levels), Asks: slices.Clone(b.asks.levels),
	}
}

func (b *localBook) crossed() bool {
	return len(b.bids.levels) > 0 && len(b.asks.levels) > 0 &&
		b.bids.levels[0].Price.Cmp(b.asks.levels[0].Price) >= 0
}

func (b *localBook) snapshot(reason string) *BookSnapshot {
	return &BookSnapshot{
		Pair: b.pair, Time: b.time, UpdateID: b.id, Reason: reason,
		Bids: slices.Clone(b.bids.levels), Asks: slices.Clone(b.asks.levels),
	}
}

// replace rebuilds the book from the given levels as of update id, which
// becomes its base.
func (b *localBook) replace(id int64, t time.Time, bids, asks []Level) {
	b.id, b.base, b.time = id, id, t
	b.bids.reset(bids)
	b.asks.reset(asks)
}

// apply applies one push's levels.
func (b *localBook) apply(u *bookUpdateResult) *BookUpdate {
	for _, l := range u.B {
		b.bids.set(l)
	}
	for _, l := range u.A {
		b.asks.set(l)
	}
	b.id, b.time = u.LastU, time.UnixMilli(u.T)
	return &BookUpdate{
		Pair: b.pair, Time: b.time, FirstID: u.U, LastID: u.LastU,
		Bids: u.B, Asks: u.A, BestBid: b.bids.best(), BestAsk: b.asks.best(),
	}
}

// unsync empties the book and stops any fetch in flight.
func (b *localBook) unsync() {
	b.synced = false
	b.bids.levels, b.asks.levels = nil, nil
	b.buffer = nil
	b.stopFetch()
}

func (b *localBook) stopFetch() {
	if b.cancel != nil {
		b.cancel()
		b.cancel = nil
	}
	b.fetching = 0
}
