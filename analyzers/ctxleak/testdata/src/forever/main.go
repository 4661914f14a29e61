package forever

// Not package main: init still marks process lifetime.
func init() {
	go flusher()
	f := &Feed{}
	go f.poll()
}
