package wsclient

import (
	"cmp"
	"slices"
	"sync"
)

// A request is one Subscribe or Unsubscribe call: the message to send and
// the news, for the caller waiting in Subscribe, that it has been written.
type request struct {
	key  string
	msg  MessageFunc // nil for an Unsubscribe with no message
	seq  uint64      // order of Subscribe calls; resubscription follows it
	done chan struct{}
	err  error // set before done is closed
}

// subscriptions is the desired state: what every connection must be
// subscribed to. Each connection's writer compares it with what it has sent
// on that connection and sends the difference, so a Subscribe that races a
// reconnect is sent exactly once on the new connection.
type subscriptions struct {
	mu     sync.Mutex
	want   map[string]*request // by key
	drop   map[string]*request // unsubscriptions not yet settled, by key
	seq    uint64
	change chan struct{} // wakes the writer
}

func newSubscriptions() *subscriptions {
	return &subscriptions{
		want:   make(map[string]*request),
		drop:   make(map[string]*request),
		change: make(chan struct{}, 1),
	}
}

func (s *subscriptions) subscribe(key string, msg MessageFunc) *request {
	s.mu.Lock()
	s.seq++
	r := &request{key: key, msg: msg, seq: s.seq, done: make(chan struct{})}
	if old := s.want[key]; old != nil {
		old.settle(nil) // superseded: its caller need not wait for it
	}
	s.want[key] = r
	if d := s.drop[key]; d != nil {
		d.settle(nil)
		delete(s.drop, key)
	}
	s.mu.Unlock()
	signal(s.change)
	return r
}

func (s *subscriptions) unsubscribe(key string, msg MessageFunc) *request {
	s.mu.Lock()
	r := &request{key: key, msg: msg, done: make(chan struct{})}
	if old := s.want[key]; old != nil {
		old.settle(nil)
		delete(s.want, key)
	}
	if d := s.drop[key]; d != nil {
		d.settle(nil)
	}
	s.drop[key] = r
	s.mu.Unlock()
	signal(s.change)
	return r
}

// settle resolves r. The caller holds the subscriptions' lock.
func (r *request) settle(err error) {
	select {
	case <-r.done:
	default:
		r.err = err
		close(r.done)
	}
}

// An op is one message a connection needs sent to match the desired state.
type op struct {
	req   *request
	unsub bool
}

// plan returns what a connection that has sent the subscriptions in sent
// (key → seq) must send now: unsubscriptions first, then subscriptions in
// the order they were made. Unsubscriptions of keys never sent on it are
// settled here, with nothing to send.
func (s *subscriptions) plan(sent map[string]uint64) []op {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ops []op
	for key, r := range s.drop {
		if _, ok := sent[key]; ok {
			ops = append(ops, op{req: r, unsub: true})
			continue
		}
		r.settle(nil)
		delete(s.drop, key)
	}
	first := len(ops)
	for key, r := range s.want {
		if seq, ok := sent[key]; !ok || seq != r.seq {
			ops = append(ops, op{req: r})
		}
	}
	slices.SortFunc(ops[first:], func(a, b op) int { return cmp.Compare(a.req.seq, b.req.seq) })
	return ops
}

// sent records that o has been written, or could not be built (err).
func (s *subscriptions) sent(o op, err error) {
	s.mu.Lock()
	if o.unsub && s.drop[o.req.key] == o.req {
		delete(s.drop, o.req.key)
	}
	o.req.settle(err)
	s.mu.Unlock()
}
