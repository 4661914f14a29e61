package wsclient

import (
	"context"
	"sync"

	"github.com/coder/websocket"

	"github.com/asynclint/asynclint/runtime/track"
)

// An inMsg is a message on its way from the reader to the handler. Its
// buffer travels with it and comes back to the inbox once handled, so that a
// steady feed reads into the same few buffers.
type inMsg struct {
	typ  websocket.MessageType
	data []byte
	gap  bool
	gen  uint64 // the connection it came from
}

const (
	// firstBufSize fits a typical ticker or book update in one read.
	firstBufSize = 1 << 10
	// maxKeptBuf is the largest buffer kept for reuse: one large snapshot
	// must not pin megabytes per queue slot for the life of the Conn.
	maxKeptBuf = 64 << 10
)

// An inbox is the bounded queue between the reader and the dispatcher: a
// ring under a mutex, with a free list of buffers. Both sides take the lock
// once per message, and a side parks on a channel only when it has nothing
// to do, so a busy feed costs no goroutine wake-ups.
type inbox struct {
	policy Policy
	rec    track.Recorder

	mu          sync.Mutex
	ring        []*inMsg
	head, n     int
	free        []*inMsg
	gapNext     bool // the next message pushed follows dropped ones
	readerWaits bool // the reader is parked on room
	handlerIdle bool // the dispatcher is parked on ready

	ready chan struct{} // wakes the dispatcher
	room  chan struct{} // wakes the reader (Block)
}

func newInbox(size int, policy Policy, rec track.Recorder) *inbox {
	return &inbox{
		policy: policy,
		rec:    rec,
		ring:   make([]*inMsg, size),
		free:   make([]*inMsg, 0, size+2),
		ready:  make(chan struct{}, 1),
		room:   make(chan struct{}, 1),
	}
}

// get returns an empty message to read into.
func (q *inbox) get() *inMsg {
	q.mu.Lock()
	m := q.takeFreeLocked()
	q.mu.Unlock()
	return m
}

func (q *inbox) takeFreeLocked() *inMsg {
	if n := len(q.free); n > 0 {
		m := q.free[n-1]
		q.free = q.free[:n-1]
		return m
	}
	return &inMsg{data: make([]byte, 0, firstBufSize)}
}

// putLocked recycles m.
func (q *inbox) putLocked(m *inMsg) {
	if cap(m.data) > maxKeptBuf {
		m.data = nil
	}
	m.data = m.data[:0]
	m.gap = false
	if len(q.free) < cap(q.free) {
		q.free = append(q.free, m)
	}
}

// put recycles m without queueing it.
func (q *inbox) put(m *inMsg) {
	q.mu.Lock()
	q.putLocked(m)
	q.mu.Unlock()
}

// push queues m for the handler, applying the policy if the queue is full,
// and returns an empty message for the next read. Under Block it waits for
// room, calling stall(true) before and stall(false) after; it gives up when
// stop is closed and returns m back, unqueued.
func (q *inbox) push(stop <-chan struct{}, stall func(bool), m *inMsg) (*inMsg, bool) {
	var dropped int
	q.mu.Lock()
	for q.n == len(q.ring) {
		switch q.policy {
		case DropOldest:
			q.putLocked(q.popLocked())
			dropped++
			q.gapNext = true
			if q.n > 0 {
				// The new head follows the dropped message.
				q.ring[q.head].gap = true
				q.gapNext = false
			}
		case SignalGap:
			for q.n > 0 {
				q.putLocked(q.popLocked())
				dropped++
			}
			q.gapNext = true
		default:
			q.readerWaits = true
			q.mu.Unlock()
			stall(true)
			select {
			case <-q.room:
			case <-stop:
				stall(false)
				return m, false
			}
			stall(false)
			q.mu.Lock()
		}
	}
	if q.gapNext {
		m.gap = true
		q.gapNext = false
	}
	q.ring[(q.head+q.n)%len(q.ring)] = m
	q.n++
	wake := q.handlerIdle
	q.handlerIdle = false
	next := q.takeFreeLocked()
	q.mu.Unlock()

	if wake {
		signal(q.ready)
	}
	if dropped > 0 {
		q.rec.Count("ws.dropped", int64(dropped))
		if q.policy == SignalGap {
			q.rec.Count("ws.gap", 1)
		}
	}
	return next, true
}

// next recycles the message the dispatcher has finished with, if any, and
// returns the next one, waiting for it. It returns nil when ctx ends.
func (q *inbox) next(ctx context.Context, done *inMsg) *inMsg {
	q.mu.Lock()
	if done != nil {
		q.putLocked(done)
	}
	for q.n == 0 {
		q.handlerIdle = true
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil
		}
		q.mu.Lock()
	}
	m := q.popLocked()
	wake := q.readerWaits
	q.readerWaits = false
	q.mu.Unlock()

	if wake {
		signal(q.room)
	}
	return m
}

func (q *inbox) popLocked() *inMsg {
	m := q.ring[q.head]
	q.ring[q.head] = nil
	q.head = (q.head + 1) % len(q.ring)
	q.n--
	return m
}

// signal makes a pending wake-up on ch, unless one is already pending.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
