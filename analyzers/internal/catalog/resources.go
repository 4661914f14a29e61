package catalog

import (
	"go/types"
	"sort"
	"strings"
)

// A Kind is a sort of resource: a value that must be released once it has
// been acquired. closecheck reads its messages and fixes from here.
type Kind struct {
	// Name is the resource as messages name it: "response body".
	Name string
	// Part is the field of the acquired value that holds what must be
	// released ("Body" for an *http.Response), or "" for the value itself.
	Part string
	// Release lists the methods that release it, called on the value (or
	// its Part). Any one of them discharges the obligation.
	Release []string
	// Verb says what releasing it is called, for messages: "closed".
	Verb string
	// Why says what leaks when it is not released.
	Why string
	// Fix is the release a suggested fix defers, as a method of the value
	// (or of its Part).
	Fix string
	// Before123 marks kinds that leak only before go1.23 or with
	// GODEBUG=asynctimerchan=1: since go1.23 an unreferenced timer is
	// collected, stopped or not.
	Before123 bool
}

// Kinds are the resource kinds, by the key that Acquirers, Opaque and
// closecheck's facts use.
var Kinds = map[string]*Kind{
	"response": {Name: "response body", Part: "Body", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its connection is neither reused nor released until the server hangs up"},
	"body": {Name: "response body", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its connection is neither reused nor released until the server hangs up"},
	"conn": {Name: "connection", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its socket stays open until the peer hangs up"},
	"listener": {Name: "listener", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its port stays bound"},
	"packetconn": {Name: "packet connection", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its socket stays open"},
	"ws": {Name: "websocket connection", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its socket stays open until the peer hangs up"},
	// coder/websocket: Close runs the close handshake, CloseNow just
	// closes; a deferred release should not wait on the peer.
	"coderws": {Name: "websocket connection", Release: []string{"Close", "CloseNow"}, Verb: "closed", Fix: "CloseNow",
		Why: "its socket and reader goroutine stay alive until the peer hangs up"},
	"rows": {Name: "rows", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "their database connection stays busy until they are read to the end"},
	"stmt": {Name: "statement", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "it stays prepared on the pool's connections"},
	"sqlconn": {Name: "database connection", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "it never goes back to the pool"},
	"tx": {Name: "transaction", Release: []string{"Commit", "Rollback"}, Verb: "committed or rolled back", Fix: "Rollback",
		Why: "its connection stays busy and its locks held"},
	"db": {Name: "database handle", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its connection pool stays open"},
	"file": {Name: "file", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its file descriptor stays open"},
	"server": {Name: "test server", Release: []string{"Close"}, Verb: "closed", Fix: "Close",
		Why: "its listener and goroutines outlive the test"},
	"ticker": {Name: "ticker", Release: []string{"Stop"}, Verb: "stopped", Fix: "Stop", Before123: true,
		Why: "before go1.23 a ticker that is not stopped is never collected"},
	"timer": {Name: "timer", Release: []string{"Stop"}, Verb: "stopped", Fix: "Stop", Before123: true,
		Why: "before go1.23 a timer that is not stopped is not collected until it fires"},
	// A transport is not released by a method so much as shared: built per
	// call and dropped, it takes its pool of idle connections with it.
	"transport": {Name: "transport", Release: []string{"CloseIdleConnections"}, Verb: "shared or released", Fix: "CloseIdleConnections",
		Why: "its idle connections are never reused or released"},
}

// An Acquirer is a call whose result Result is a fresh resource of kind
// Kind that its caller must release. Func is spelled as for Blocking.Name.
type Acquirer struct {
	Func   string
	Result int
	Kind   string
}

// Acquirers lists the calls whose results must be released. Functions
// outside this table are known by closecheck's summaries of their bodies
// (facts), and calls it cannot see through by Opaque.
var Acquirers = []Acquirer{
	{"net/http.Get", 0, "response"},
	{"net/http.Head", 0, "response"},
	{"net/http.Post", 0, "response"},
	{"net/http.PostForm", 0, "response"},
	{"(*net/http.Client).Do", 0, "response"},
	{"(*net/http.Client).Get", 0, "response"},
	{"(*net/http.Client).Head", 0, "response"},
	{"(*net/http.Client).Post", 0, "response"},
	{"(*net/http.Client).PostForm", 0, "response"},
	{"(*net/http.Transport).RoundTrip", 0, "response"},
	{"(net/http.RoundTripper).RoundTrip", 0, "response"},
	{"(*net/http.Transport).Clone", 0, "transport"},
	{"(*net/http.ResponseController).Hijack", 0, "conn"},
	{"(net/http.Hijacker).Hijack", 0, "conn"},

	{"net.Dial", 0, "conn"},
	{"net.DialTimeout", 0, "conn"},
	{"net.DialTCP", 0, "conn"},
	{"net.DialUDP", 0, "conn"},
	{"net.DialIP", 0, "conn"},
	{"net.DialUnix", 0, "conn"},
	{"(*net.Dialer).Dial", 0, "conn"},
	{"(*net.Dialer).DialContext", 0, "conn"},
	{"net.Listen", 0, "listener"},
	{"net.ListenTCP", 0, "listener"},
	{"net.ListenUnix", 0, "listener"},
	{"(*net.ListenConfig).Listen", 0, "listener"},
	{"net.ListenPacket", 0, "packetconn"},
	{"net.ListenUDP", 0, "packetconn"},
	{"net.ListenIP", 0, "packetconn"},
	{"net.ListenUnixgram", 0, "packetconn"},
	{"net.ListenMulticastUDP", 0, "packetconn"},
	{"(*net.ListenConfig).ListenPacket", 0, "packetconn"},
	{"(net.Listener).Accept", 0, "conn"},
	{"(*net.TCPListener).Accept", 0, "conn"},
	{"(*net.TCPListener).AcceptTCP", 0, "conn"},
	{"(*net.UnixListener).Accept", 0, "conn"},
	{"(*net.UnixListener).AcceptUnix", 0, "conn"},
	{"net.FileConn", 0, "conn"},
	{"net.FileListener", 0, "listener"},
	{"net.FilePacketConn", 0, "packetconn"},
	{"net.Pipe", 0, "conn"},
	{"net.Pipe", 1, "conn"},
	{"crypto/tls.Dial", 0, "conn"},
	{"crypto/tls.DialWithDialer", 0, "conn"},
	{"(*crypto/tls.Dialer).Dial", 0, "conn"},
	{"(*crypto/tls.Dialer).DialContext", 0, "conn"},
	{"crypto/tls.Listen", 0, "listener"},
	{"net/smtp.Dial", 0, "conn"},
	{"net/rpc.Dial", 0, "conn"},
	{"net/rpc.DialHTTP", 0, "conn"},

	{"database/sql.Open", 0, "db"},
	{"database/sql.OpenDB", 0, "db"},
	{"(*database/sql.DB).Query", 0, "rows"},
	{"(*database/sql.DB).QueryContext", 0, "rows"},
	{"(*database/sql.DB).Prepare", 0, "stmt"},
	{"(*database/sql.DB).PrepareContext", 0, "stmt"},
	{"(*database/sql.DB).Conn", 0, "sqlconn"},
	{"(*database/sql.DB).Begin", 0, "tx"},
	{"(*database/sql.DB).BeginTx", 0, "tx"},
	{"(*database/sql.Conn).QueryContext", 0, "rows"},
	{"(*database/sql.Conn).PrepareContext", 0, "stmt"},
	{"(*database/sql.Conn).BeginTx", 0, "tx"},
	{"(*database/sql.Tx).Query", 0, "rows"},
	{"(*database/sql.Tx).QueryContext", 0, "rows"},
	{"(*database/sql.Stmt).Query", 0, "rows"},
	{"(*database/sql.Stmt).QueryContext", 0, "rows"},
	// (*sql.Tx).Prepare and Stmt: closed with the transaction.

	{"os.Open", 0, "file"},
	{"os.Create", 0, "file"},
	{"os.OpenFile", 0, "file"},
	{"os.CreateTemp", 0, "file"},
	{"os.OpenInRoot", 0, "file"},
	{"(*os.Root).Open", 0, "file"},
	{"(*os.Root).Create", 0, "file"},
	{"(*os.Root).OpenFile", 0, "file"},
	{"os.Pipe", 0, "file"},
	{"os.Pipe", 1, "file"},
	{"archive/zip.OpenReader", 0, "file"},

	{"time.NewTicker", 0, "ticker"},
	{"time.NewTimer", 0, "timer"},

	{"net/http/httptest.NewServer", 0, "server"},
	{"net/http/httptest.NewTLSServer", 0, "server"},
	{"net/http/httptest.NewUnstartedServer", 0, "server"},

	{"github.com/coder/websocket.Dial", 0, "coderws"},
	{"github.com/coder/websocket.Accept", 0, "coderws"},
	{"(*github.com/gorilla/websocket.Dialer).Dial", 0, "ws"},
	{"(*github.com/gorilla/websocket.Dialer).DialContext", 0, "ws"},
	{"(*github.com/gorilla/websocket.Upgrader).Upgrade", 0, "ws"},
}

// NotAcquired lists results that look like resources and are not. Kind is
// unused. They win over facts: a library's summary of its own body may say
// otherwise.
var NotAcquired = []Acquirer{
	// The handshake responses of websocket dials: coder/websocket's body
	// must not be closed (it holds at most the first 1 KiB of an error
	// response, already read), gorilla's need not be ("the response body
	// does not need to be closed by the application").
	{Func: "github.com/coder/websocket.Dial", Result: 1},
	{Func: "(*github.com/gorilla/websocket.Dialer).Dial", Result: 1},
	{Func: "(*github.com/gorilla/websocket.Dialer).DialContext", Result: 1},
	// A recorded response is in memory.
	{Func: "(*net/http/httptest.ResponseRecorder).Result", Result: 0},
}

// Wrappers are calls whose result takes over one of its arguments (by index,
// the receiver not counted): releasing the result releases the argument.
var Wrappers = map[string]int{
	"crypto/tls.Client":                  0,
	"crypto/tls.Server":                  0,
	"crypto/tls.NewListener":             0,
	"net/http.MaxBytesReader":            1,
	"github.com/coder/websocket.NetConn": 1,
}

// Keepers are calls that release or keep one of their arguments (by index,
// the receiver not counted): once it is passed, the caller owes nothing.
var Keepers = map[string]int{
	"net/http.Serve":              0,
	"net/http.ServeTLS":           0,
	"(*net/http.Server).Serve":    0,
	"(*net/http.Server).ServeTLS": 0,
	"runtime.SetFinalizer":        0,
	"(*sync.Pool).Put":            0,
	// Containers of the standard library keep what they are given, like
	// a map or a slice does: a connection registry owns its entries.
	"(*sync.Map).Store":                        1,
	"(*sync.Map).LoadOrStore":                  1,
	"(*sync.Map).Swap":                         1,
	"(*sync.Map).CompareAndSwap":               2,
	"(*sync/atomic.Pointer[T]).Store":          0,
	"(*sync/atomic.Pointer[T]).Swap":           0,
	"(*sync/atomic.Pointer[T]).CompareAndSwap": 1,
	"(*sync/atomic.Value).Store":               0,
	"(*sync/atomic.Value).Swap":                0,
	"(*sync/atomic.Value).CompareAndSwap":      1,
	"context.WithValue":                        2,
	"(*container/list.List).PushBack":          0,
	"(*container/list.List).PushFront":         0,
	"(*container/list.List).InsertBefore":      0,
	"(*container/list.List).InsertAfter":       0,
	"container/heap.Push":                      1,
	// A profile or trace writes to its writer until it is stopped; a
	// file opened for it is customarily left to the process's exit.
	"runtime/pprof.StartCPUProfile": 0,
	"runtime/trace.Start":           0,
}

// Runners call one of their function arguments (by index, the receiver not
// counted) before they return: what the function releases is released
// there.
var Runners = map[string]int{
	"(*sync.Once).Do": 0,
}

// Opaque gives the kind of a result, by its type, for calls whose bodies
// cannot be seen: function values and interface methods. A function value
// returning one of these is a dialer, a doer or an opener; an interface
// method only when its name says it acquires (OpaqueVerbs), since a pool's
// Get hands out what the pool still owns. *http.Response is always fresh,
// but only as the first of exactly (*http.Response, error): a websocket
// dial returns its handshake response beside the connection.
var Opaque = map[string]string{
	"*net/http.Response":                 "response",
	"net.Conn":                           "conn",
	"net.Listener":                       "listener",
	"net.PacketConn":                     "packetconn",
	"*os.File":                           "file",
	"*database/sql.Rows":                 "rows",
	"*github.com/coder/websocket.Conn":   "coderws",
	"*github.com/gorilla/websocket.Conn": "ws",
}

// OpaqueVerbs are the name prefixes of interface methods that acquire.
var OpaqueVerbs = []string{"Dial", "Accept", "Open", "Connect", "Listen", "Query", "Upgrade"}

// ErrorTests are functions that return true only when their first
// argument is a non-nil error: where they are true, a call that returned
// that error acquired nothing.
var ErrorTests = map[string]bool{
	"errors.Is":       true, // with a non-nil target
	"errors.As":       true,
	"os.IsExist":      true,
	"os.IsNotExist":   true,
	"os.IsPermission": true,
	"os.IsTimeout":    true,
}

var (
	acquirers    = map[string]map[int]string{}
	notAcquired  = map[string]map[int]bool{}
	releases     = map[string]bool{}
	releaseNames []string
)

func init() {
	for _, a := range Acquirers {
		if acquirers[a.Func] == nil {
			acquirers[a.Func] = map[int]string{}
		}
		acquirers[a.Func][a.Result] = a.Kind
	}
	for _, a := range NotAcquired {
		if notAcquired[a.Func] == nil {
			notAcquired[a.Func] = map[int]bool{}
		}
		notAcquired[a.Func][a.Result] = true
	}
	for _, k := range Kinds {
		for _, r := range k.Release {
			if !releases[r] {
				releaseNames = append(releaseNames, r)
			}
			releases[r] = true
		}
	}
	sort.Strings(releaseNames)
}

// Acquired returns the kinds of fn's results that are fresh resources, by
// result index, or nil.
func Acquired(fn *types.Func) map[int]string { return acquirers[Name(fn)] }

// NotResource reports whether result i of fn is listed as no resource.
func NotResource(fn *types.Func, i int) bool { return notAcquired[Name(fn)][i] }

// IsRelease reports whether a method of this name releases some kind of
// resource: Close, CloseNow, Stop, Commit, Rollback, CloseIdleConnections.
func IsRelease(method string) bool { return releases[method] }

// ReleaseNames returns the names of the methods that release some kind
// of resource, sorted.
func ReleaseNames() []string { return releaseNames }

// Wrapper returns the argument a call of fn hands over to its result, or -1.
func Wrapper(fn *types.Func) int {
	if i, ok := Wrappers[Name(fn)]; ok {
		return i
	}
	return -1
}

// Keeper returns the argument a call of fn releases or keeps, or -1.
func Keeper(fn *types.Func) int {
	if i, ok := Keepers[Name(fn)]; ok {
		return i
	}
	return -1
}

// OpaqueKind returns the kind of result i of a call of signature sig that
// the analysis cannot see into: method names the interface method (nil for
// a function value). "" if the result is not known to be fresh.
func OpaqueKind(sig *types.Signature, i int, method *types.Func) string {
	res := sig.Results()
	if i >= res.Len() {
		return ""
	}
	key := types.TypeString(res.At(i).Type(), nil)
	kind := Opaque[key]
	if kind == "" {
		return ""
	}
	if kind == "response" {
		if res.Len() != 2 || i != 0 || !isError(res.At(1).Type()) {
			return ""
		}
		return kind
	}
	if method == nil {
		return kind
	}
	for _, v := range OpaqueVerbs {
		if strings.HasPrefix(method.Name(), v) {
			return kind
		}
	}
	return ""
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}
