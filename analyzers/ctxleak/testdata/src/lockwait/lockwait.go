// Package lockwait holds waits made while holding a lock the waker needs.
package lockwait

import "sync"

type broadcaster struct {
	mu      sync.Mutex
	updates chan int
	done    chan struct{}
	subs    []func(int)
}

func newBroadcaster() *broadcaster {
	b := &broadcaster{updates: make(chan int, 1), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		for v := range b.updates {
			b.publish(v)
		}
	}()
	return b
}

func (b *broadcaster) publish(v int) { // want publish:"locks 0.mu"
	b.mu.Lock()
	for _, f := range b.subs {
		f(v)
	}
	b.mu.Unlock()
}

// The loop closes done only once it has published, which needs mu.
func (b *broadcaster) stop() { // want stop:"locks 0.mu"
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.updates)
	<-b.done // want `receive from field done of broadcaster waits while holding b.mu \(locked at line 34\), and every goroutine that sends on or closes it locks b.mu first \(newBroadcaster.func1, line 16\): neither can proceed`
}

// The fixed twin: wait after unlocking.
func (b *broadcaster) stopFixed() { // want stopFixed:"locks 0.mu"
	b.mu.Lock()
	close(b.updates)
	b.mu.Unlock()
	<-b.done
}

type status struct {
	mu      sync.RWMutex
	changes chan string
	last    map[string]string
}

func newStatus() *status { return &status{changes: make(chan string)} }

// The receiver takes the lock before each receive.
func (s *status) loop() { // want loop:"never returns"
	for {
		s.mu.Lock()
		s.last = map[string]string{}
		s.mu.Unlock()
		<-s.changes
	}
}

func (s *status) set(k string) { // want set:"locks 0.mu"
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes <- k // want `send on field changes of status waits while holding s.mu \(locked at line 67\), and every goroutine that receives from it locks s.mu first`
}

// A reader lock does not wait for another reader.
type table struct {
	mu    sync.RWMutex
	ready chan struct{}
}

func (t *table) serve() { // want serve:"locks 0.mu \\(read\\)"
	t.mu.RLock()
	defer t.mu.RUnlock()
	<-t.ready
}

func (t *table) open() { // want open:"locks 0.mu \\(read\\)"
	t.mu.RLock()
	close(t.ready)
	t.mu.RUnlock()
}

// Some waker needs no lock: quiet.
type jobs struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	n    int
	feed chan int
}

func (j *jobs) worker() { // want worker:"locks 0.mu"
	defer j.wg.Done()
	j.mu.Lock()
	j.n++
	j.mu.Unlock()
}

func (j *jobs) lazyWorker() {
	defer j.wg.Done()
}

func (j *jobs) wait() { // want wait:"locks 0.mu"
	j.mu.Lock()
	defer j.mu.Unlock()
	j.wg.Wait()
}

// Every Done comes after the lock: Wait under it never returns.
type flusher struct {
	mu sync.Mutex
	wg sync.WaitGroup
	n  int
}

func (f *flusher) flushOne() { // want flushOne:"locks 0.mu"
	f.mu.Lock()
	f.n--
	f.mu.Unlock()
	f.wg.Done()
}

func (f *flusher) drain() { // want drain:"locks 0.mu"
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wg.Wait() // want `Wait on field wg of flusher waits while holding f.mu \(locked at line 130\), and every goroutine that calls Done on it locks f.mu first`
}

// Wakers in the same function are not another goroutine's: quiet.
func (j *jobs) selfFeed() { // want selfFeed:"locks 0.mu"
	j.mu.Lock()
	defer j.mu.Unlock()
	go func() { j.feed <- 1 }()
	<-j.feed
}

// Through a buffer, the other side need not wait for this one.
type delivery struct {
	mu     sync.Mutex
	result chan int
	done   bool
}

func newDelivery() *delivery { return &delivery{result: make(chan int, 1)} }

func (d *delivery) deliver(v int) { // want deliver:"locks 0.mu"
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done = true
	d.result <- v
}

func (d *delivery) cancel() { // want cancel:"locks 0.mu"
	d.mu.Lock()
	if d.done {
		<-d.result
	}
	d.mu.Unlock()
}

// The receiver locks after each receive, and is called in a loop: the
// next receive comes after the lock.
type manager struct {
	mu      sync.Mutex
	updates chan bool
	pods    map[string]bool
}

func newManager() *manager { return &manager{updates: make(chan bool), pods: map[string]bool{}} }

func (m *manager) start() {
	go func() {
		for i := 0; i < 2; i++ {
			m.syncBatch()
		}
	}()
}

func (m *manager) syncBatch() { // want syncBatch:"locks 0.mu"
	<-m.updates
	m.deletePod()
}

func (m *manager) deletePod() { // want deletePod:"locks 0.mu"
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pods, "x")
}

func (m *manager) setPod() { // want setPod:"locks 0.mu"
	m.mu.Lock()
	defer m.mu.Unlock()
	m.updates <- true // want `send on field updates of manager waits while holding m.mu`
}

// The waker's callers take the lock before calling it.
type queue struct {
	mu    sync.Mutex
	ready chan struct{}
	items []int
}

func newQueue() *queue { return &queue{ready: make(chan struct{})} }

func (q *queue) signal() { q.ready <- struct{}{} }

func (q *queue) push(v int) { // want push:"locks 0.mu"
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.signal()
}

func (q *queue) pushLocked(v int) { // want pushLocked:"locks 0.mu"
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, v)
	q.signal() // want `\(\*queue\)\.signal is called while holding q\.mu \(locked at line \d+\) and waits \(send on field ready of queue, line \d+\), but every goroutine that receives from it locks q\.mu first`
}

// push unlocks before it signals, but must lock first all the same.
func (q *queue) take() int { // want take:"locks 0.mu"
	q.mu.Lock()
	defer q.mu.Unlock()
	<-q.ready // want `receive from field ready of queue waits while holding q.mu \(locked at line 229\), and every goroutine that sends on or closes it locks q.mu first \(\(\*queue\)\.signal, line 211\)`
	return len(q.items)
}

// One caller of the waker needs no lock: quiet.
type inbox struct {
	mu    sync.Mutex
	ready chan struct{}
	n     int
}

func newInbox() *inbox { return &inbox{ready: make(chan struct{})} }

func (b *inbox) signal() { b.ready <- struct{}{} }

func (b *inbox) add() { // want add:"locks 0.mu"
	b.mu.Lock()
	b.n++
	b.mu.Unlock()
	b.signal()
}

func (b *inbox) kick() { b.signal() }

func (b *inbox) take() int { // want take:"locks 0.mu"
	b.mu.Lock()
	defer b.mu.Unlock()
	<-b.ready
	return b.n
}

// The worker's deferred retire locks before its deferred Done runs.
type pool struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	busy int
}

func (p *pool) retire() { // want retire:"locks 0.mu"
	p.mu.Lock()
	p.busy--
	p.mu.Unlock()
}

func (p *pool) work(f func()) { // want work:"cancels \\[1\\]"
	defer p.wg.Done()
	defer p.retire()
	f()
}

func (p *pool) shutdown() { // want shutdown:"locks 0.mu"
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wg.Wait() // want `Wait on field wg of pool waits while holding p.mu`
}

// The wait is in a callee: the caller holds the lock across the call.
type health struct{ stop chan struct{} }

type container struct {
	mu     sync.Mutex
	health *health
}

func (h *health) closeMonitor() { h.stop <- struct{}{} }

func (c *container) probe() { // want probe:"locks 0.mu"
	c.mu.Lock()
	defer c.mu.Unlock()
}

func (c *container) monitor() { // want monitor:"locks 0.mu"
	for {
		select {
		case <-c.health.stop:
			return
		default:
			c.probe()
		}
	}
}

func newContainer() *container {
	c := &container{health: &health{stop: make(chan struct{})}}
	go c.monitor()
	return c
}

func (c *container) stateChanged() { // want stateChanged:"locks 0.mu"
	c.mu.Lock()
	defer c.mu.Unlock()
	c.health.closeMonitor() // want `\(\*health\)\.closeMonitor is called while holding c\.mu \(locked at line \d+\) and waits \(send on field stop of health, line \d+\), but every goroutine that receives from it locks c\.mu first`
}

// The fixed twin calls it after unlocking.
func (c *container) stateChangedFixed() { // want stateChangedFixed:"locks 0.mu"
	c.mu.Lock()
	h := c.health
	c.mu.Unlock()
	h.closeMonitor()
}
