package a

import (
	"context"
	"crypto/tls"
	"database/sql"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"
)

// --- context parameter in scope ---

func dial(ctx context.Context, addr string) (net.Conn, error) {
	return net.Dial("tcp", addr) // want `net.Dial blocks without a context while ctx is in scope: the dial cannot be cancelled; dial with \(&net.Dialer\{\}\).DialContext\(ctx, …\)`
}

func orders(ctx context.Context, db *sql.DB) error {
	rows, err := db.Query("SELECT id FROM orders") // want `\(\*sql.DB\).Query blocks without a context while ctx is in scope: the call cannot be cancelled; use QueryContext\(ctx, …\)`
	if err != nil {
		return err
	}
	defer rows.Close()
	tx, err := db.Begin() // want `\(\*sql.DB\).Begin blocks without a context while ctx is in scope: the transaction cannot be cancelled; use BeginTx\(ctx, nil\)`
	if err != nil {
		return err
	}
	return tx.Commit()
}

func backoff(ctx context.Context) {
	time.Sleep(time.Second) // want `time.Sleep blocks without a context while ctx is in scope: the sleep cannot be cancelled; wait in a select on ctx.Done\(\) and a timer`
}

func restart(ctx context.Context) error {
	return exec.Command("systemctl", "restart", "feed").Run() // want `exec.Command blocks without a context while ctx is in scope: the process cannot be cancelled`
}

// A command that is only built, not run, does not block.
func build(ctx context.Context) *exec.Cmd { return exec.Command("true") }

func secure(ctx context.Context, addr string) error {
	c, err := tls.Dial("tcp", addr, &tls.Config{}) // want `tls.Dial blocks without a context`
	if err != nil {
		return err
	}
	return c.Handshake() // want `\(\*tls.Conn\).Handshake blocks without a context while ctx is in scope: the call cannot be cancelled; use HandshakeContext\(ctx, …\)`
}

func resolve(ctx context.Context, host string) {
	net.LookupHost(host) // want `net.LookupHost blocks without a context`
}

func stream(ctx context.Context, url string) {
	d := websocket.Dialer{}
	d.Dial(url, nil) // want `\(\*websocket.Dialer\).Dial blocks without a context while ctx is in scope: the call cannot be cancelled; use DialContext\(ctx, …\)`
}

// A context derived from the parameter is the one to thread.
func derived(ctx context.Context, addr string) {
	tctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, _ = tctx, addr
	net.Dial("tcp", addr) // want `net.Dial blocks without a context while tctx is in scope`
}

// --- *http.Request in scope ---

func proxy(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get("http://127.0.0.1:1/upstream") // want `http.Get blocks without a context while r.Context\(\) is in scope: the request cannot be cancelled; build it with http.NewRequestWithContext\(r.Context\(\), …\) and send it with Client.Do`
	if err == nil {
		resp.Body.Close()
	}
	req, _ := http.NewRequest("GET", "http://127.0.0.1:1/", nil) // want `http.NewRequest blocks without a context while r.Context\(\) is in scope`
	http.DefaultClient.Do(req)
}

// --- goroutines ---

func poller(addr string) {
	go func() {
		for {
			http.Get(addr)          // want `http.Get blocks without a context in a goroutine: nothing can cancel the request`
			time.Sleep(time.Second) // want `time.Sleep blocks without a context in a goroutine`
		}
	}()
}

func fanout(ctx context.Context, addrs []string) error {
	var g errgroup.Group
	for _, a := range addrs {
		g.Go(func() error {
			_, err := net.Dial("tcp", a) // want `net.Dial blocks without a context while ctx is in scope`
			return err
		})
	}
	var wg sync.WaitGroup
	wg.Go(func() { time.Sleep(time.Millisecond) }) // want `time.Sleep blocks without a context while ctx is in scope`
	wg.Wait()
	time.AfterFunc(time.Second, func() { net.Dial("tcp", "127.0.0.1:1") }) // want `net.Dial blocks without a context while ctx is in scope`
	return g.Wait()
}

func ping(addr string) { net.Dial("tcp", addr) }

func monitor(addrs []string) {
	for _, a := range addrs {
		go ping(a) // want `a.ping blocks without a context \(a.ping → net.Dial\) in the goroutine started here`
	}
	go http.Get("http://127.0.0.1:1/") // want `http.Get blocks without a context in the goroutine started here`
}

// --- not async paths ---

func main() {
	http.Get("http://127.0.0.1:1/")
	time.Sleep(time.Second)
	ping("127.0.0.1:1")
}

func init() {
	net.Dial("tcp", "127.0.0.1:1")
}

func helper(addr string) { net.Dial("tcp", addr) }

// A context the function chose to ignore is still a context it could use:
// the finding stands, with no expression to thread.
func ignored(_ context.Context, addr string) {
	net.Dial("tcp", addr) // want `net.Dial blocks without a context while a context is in scope`
}

// A type parameter constrained by context.Context is a context.
func generic2[C context.Context](ctx C, addr string) {
	net.Dial("tcp", addr) // want `net.Dial blocks without a context while ctx is in scope`
}

// Literals in package-level initializers are checked too.
var fetchPrice = func(ctx context.Context, url string) {
	http.Get(url) // want `http.Get blocks without a context while ctx is in scope`
}

type feed struct{ addr string }

func (f *feed) poll() { http.Get(f.addr) }

// A method value reaches the method's body.
func methodValue(ctx context.Context, f *feed) {
	p := f.poll
	p() // want `\(\*a.feed\).poll blocks without a context \(\(\*a.feed\).poll → net/http.Get\) while ctx is in scope`
}

// A function value SSA can see is resolved too.
func funcValue(ctx context.Context) {
	get := http.Get
	get("http://127.0.0.1:1/") // want `http.Get blocks without a context while ctx is in scope`
}

type getter interface{ poll() }

// An interface call whose receiver is of one concrete type.
func concrete(ctx context.Context) {
	var g getter = &feed{}
	g.poll() // want `\(\*a.feed\).poll blocks without a context`
}

// A deferred call runs in the function: it blocks it.
func deferred(ctx context.Context, f *feed) {
	defer f.poll() // want `\(\*a.feed\).poll blocks without a context`
}

// Generic helpers are summarised from their origin.
func fetchAll[T any](urls []T, get func(T)) {
	for _, u := range urls {
		get(u)
	}
}

func generic(ctx context.Context, urls []string) {
	fetchAll(urls, func(u string) {
		http.Get(u) // want `http.Get blocks without a context while ctx is in scope`
	})
}
