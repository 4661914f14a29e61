package nonblock

import (
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"feeds"
)

type Tick struct {
	Symbol string
	Bid    float64
}

type Book struct {
	mu      sync.Mutex
	last    map[string]Tick
	updates chan Tick
	in      chan Tick
	wg      sync.WaitGroup
	conn    net.Conn
	client  *http.Client
}

// OnTick runs on the feed's reader goroutine: anything that waits here
// delays every later tick and the pongs behind them.
//
//asynclint:nonblocking
func (b *Book) OnTick(t Tick) { // want OnTick:`noctx: \(\*nonblock.Book\).OnTick → time.Sleep; blocks: \(\*nonblock.Book\).OnTick → channel send`
	b.apply(t) // pure computation: quiet
	select {
	case b.updates <- t: // quiet: the select has a default
	default:
	}
	b.updates <- t               // want `channel send blocks in \(\*nonblock.Book\).OnTick, which is marked //asynclint:nonblocking; use a select with a default case`
	b.persist(t)                 // want `\(\*nonblock.Book\).persist can block \(\(\*nonblock.Book\).persist → os.WriteFile\) in \(\*nonblock.Book\).OnTick`
	time.Sleep(time.Millisecond) // want `time.Sleep blocks in \(\*nonblock.Book\).OnTick, which is marked //asynclint:nonblocking; hand the work to another goroutine`
	b.wg.Wait()                  // want `\(\*sync.WaitGroup\).Wait blocks in \(\*nonblock.Book\).OnTick`
	<-b.in                       // want `channel receive blocks in \(\*nonblock.Book\).OnTick`
	select {                     // want `select without default blocks in \(\*nonblock.Book\).OnTick`
	case <-b.in:
	case <-time.After(time.Second):
	}
	b.conn.Write([]byte("ack")) // want `\(net.Conn\).Write blocks in \(\*nonblock.Book\).OnTick`
	feeds.Snapshot(nil)         // want `feeds.Snapshot can block \(feeds.Snapshot → feeds.LastPrice → net/http.Get\)`
	go b.persist(t)             // quiet: another goroutine does the waiting
	defer b.wg.Wait()           // want `\(\*sync.WaitGroup\).Wait blocks in \(\*nonblock.Book\).OnTick`
}

func (b *Book) apply(t Tick) {
	if b.last == nil {
		b.last = map[string]Tick{}
	}
	b.last[t.Symbol] = t
}

func (b *Book) persist(t Tick) {
	os.WriteFile("/tmp/last", []byte(t.Symbol), 0o600)
}

// Drain ranges over a channel: a literal marked nonblocking may not.
func (b *Book) Drain() { // want Drain:`blocks: \(\*nonblock.Book\).Drain → \(\*nonblock.Book\).Drain.func1 → channel receive`
	//asynclint:nonblocking
	onBatch := func(ts []Tick) {
		for range b.in { // want `channel receive blocks in \(\*nonblock.Book\).Drain.func1`
		}
		for _, t := range ts {
			b.apply(t)
		}
	}
	onBatch(nil)
}

// Unmarked functions may block: blocking is not itself a finding.
func (b *Book) Flush() { // want Flush:`blocks: \(\*nonblock.Book\).Flush → channel send`
	b.updates <- Tick{}
	b.wg.Wait()
}
