// Package catalog is the suite's knowledge of library APIs, kept as data:
// which calls block and what their context-taking twins are, which functions
// start goroutines, and how contexts are made and derived. A newcomer reads
// the tables top to bottom and extends them one line at a time.
package catalog

import (
	"go/types"
	"strings"
)

// A Blocking entry describes a call that blocks without a context.
//
// Name is the callee as types.Func.FullName spells it for the generic origin:
// "net/http.Get", "(*database/sql.DB).Begin", "(net.Conn).Read".
type Blocking struct {
	Name string
	// What names the work that cannot be cancelled, for messages.
	What string
	// Fix is the advice, with ctx standing for the context in scope.
	Fix string
	// Rewrite is a template for a mechanical rewrite of the whole call, or ""
	// when there is none. $ctx is the context expression, $pkg the package
	// qualifier as written at the call, $recv the receiver expression, $args
	// the argument list as written and $0, $1, ... single arguments.
	Rewrite string
	// Twin is the context-taking function the rewrite calls (a package-level
	// name or a method on the same receiver), checked to exist in the version
	// being analysed before the rewrite is offered.
	Twin string
	// When narrows the entry: the call only blocks if the condition holds.
	When Condition
}

// Condition says which uses of a call's result make the call blocking.
type Condition int

const (
	Always Condition = iota
	// CommandRun: an *exec.Cmd blocks only once it is run; Command alone
	// merely builds it.
	CommandRun
	// RequestSent: a request without a context only matters if it is sent;
	// one that gets a context (WithContext, Clone) or is only served to an
	// in-process handler does not.
	RequestSent
)

// NoContext lists the standard-library calls that block without a context.
// Methods with a ...Context twin on the same receiver (database/sql,
// (*tls.Conn).Handshake, (*net.Dialer).Dial) are found by DerivedTwin and
// need no entry here.
var NoContext = []Blocking{
	{Name: "net/http.Get", What: "the request", Fix: "build it with http.NewRequestWithContext(ctx, …) and send it with Client.Do"},
	{Name: "net/http.Head", What: "the request", Fix: "build it with http.NewRequestWithContext(ctx, …) and send it with Client.Do"},
	{Name: "net/http.Post", What: "the request", Fix: "build it with http.NewRequestWithContext(ctx, …) and send it with Client.Do"},
	{Name: "net/http.PostForm", What: "the request", Fix: "build it with http.NewRequestWithContext(ctx, …) and send it with Client.Do"},
	{Name: "(*net/http.Client).Get", What: "the request", Fix: "build it with http.NewRequestWithContext(ctx, …) and send it with Client.Do"},
	{Name: "(*net/http.Client).Head", What: "the request", Fix: "build it with http.NewRequestWithContext(ctx, …) and send it with Client.Do"},
	{Name: "(*net/http.Client).Post", What: "the request", Fix: "build it with http.NewRequestWithContext(ctx, …) and send it with Client.Do"},
	{Name: "(*net/http.Client).PostForm", What: "the request", Fix: "build it with http.NewRequestWithContext(ctx, …) and send it with Client.Do"},
	{Name: "net/http.NewRequest", What: "the request it builds", When: RequestSent,
		Fix: "use http.NewRequestWithContext(ctx, …)", Twin: "NewRequestWithContext", Rewrite: "$pkg.NewRequestWithContext($ctx, $args)"},

	{Name: "net.Dial", What: "the dial", Fix: "dial with (&net.Dialer{}).DialContext(ctx, …)", Twin: "Dialer", Rewrite: "(&$pkg.Dialer{}).DialContext($ctx, $args)"},
	{Name: "net.DialTimeout", What: "the dial", Fix: "dial with (&net.Dialer{Timeout: …}).DialContext(ctx, …)", Twin: "Dialer", Rewrite: "(&$pkg.Dialer{Timeout: $2}).DialContext($ctx, $0, $1)"},
	{Name: "net.DialTCP", What: "the dial", Fix: "dial with (&net.Dialer{}).DialContext(ctx, …)"},
	{Name: "net.DialUDP", What: "the dial", Fix: "dial with (&net.Dialer{}).DialContext(ctx, …)"},
	{Name: "net.DialIP", What: "the dial", Fix: "dial with (&net.Dialer{}).DialContext(ctx, …)"},
	{Name: "net.DialUnix", What: "the dial", Fix: "dial with (&net.Dialer{}).DialContext(ctx, …)"},
	{Name: "net.Listen", What: "the listen", Fix: "listen with (&net.ListenConfig{}).Listen(ctx, …)", Twin: "ListenConfig", Rewrite: "(&$pkg.ListenConfig{}).Listen($ctx, $args)"},
	{Name: "net.ListenPacket", What: "the listen", Fix: "listen with (&net.ListenConfig{}).ListenPacket(ctx, …)", Twin: "ListenConfig", Rewrite: "(&$pkg.ListenConfig{}).ListenPacket($ctx, $args)"},
	{Name: "net.ListenTCP", What: "the listen", Fix: "listen with (&net.ListenConfig{}).Listen(ctx, …)"},
	{Name: "net.ListenUDP", What: "the listen", Fix: "listen with (&net.ListenConfig{}).ListenPacket(ctx, …)"},
	{Name: "net.ListenIP", What: "the listen", Fix: "listen with (&net.ListenConfig{}).ListenPacket(ctx, …)"},
	{Name: "net.ListenUnix", What: "the listen", Fix: "listen with (&net.ListenConfig{}).Listen(ctx, …)"},
	{Name: "net.ListenUnixgram", What: "the listen", Fix: "listen with (&net.ListenConfig{}).ListenPacket(ctx, …)"},
	{Name: "net.ListenMulticastUDP", What: "the listen", Fix: "listen with (&net.ListenConfig{}).ListenPacket(ctx, …)"},
	{Name: "net.LookupHost", What: "the DNS lookup", Fix: "use net.DefaultResolver.LookupHost(ctx, …)", Twin: "DefaultResolver", Rewrite: "$pkg.DefaultResolver.LookupHost($ctx, $args)"},
	{Name: "net.LookupAddr", What: "the DNS lookup", Fix: "use net.DefaultResolver.LookupAddr(ctx, …)", Twin: "DefaultResolver", Rewrite: "$pkg.DefaultResolver.LookupAddr($ctx, $args)"},
	{Name: "net.LookupCNAME", What: "the DNS lookup", Fix: "use net.DefaultResolver.LookupCNAME(ctx, …)", Twin: "DefaultResolver", Rewrite: "$pkg.DefaultResolver.LookupCNAME($ctx, $args)"},
	{Name: "net.LookupMX", What: "the DNS lookup", Fix: "use net.DefaultResolver.LookupMX(ctx, …)", Twin: "DefaultResolver", Rewrite: "$pkg.DefaultResolver.LookupMX($ctx, $args)"},
	{Name: "net.LookupNS", What: "the DNS lookup", Fix: "use net.DefaultResolver.LookupNS(ctx, …)", Twin: "DefaultResolver", Rewrite: "$pkg.DefaultResolver.LookupNS($ctx, $args)"},
	{Name: "net.LookupTXT", What: "the DNS lookup", Fix: "use net.DefaultResolver.LookupTXT(ctx, …)", Twin: "DefaultResolver", Rewrite: "$pkg.DefaultResolver.LookupTXT($ctx, $args)"},
	{Name: "net.LookupSRV", What: "the DNS lookup", Fix: "use net.DefaultResolver.LookupSRV(ctx, …)", Twin: "DefaultResolver", Rewrite: "$pkg.DefaultResolver.LookupSRV($ctx, $args)"},
	{Name: "net.LookupPort", What: "the DNS lookup", Fix: "use net.DefaultResolver.LookupPort(ctx, …)", Twin: "DefaultResolver", Rewrite: "$pkg.DefaultResolver.LookupPort($ctx, $args)"},
	{Name: "net.LookupIP", What: "the DNS lookup", Fix: `use net.DefaultResolver.LookupIP(ctx, "ip", …)`, Twin: "DefaultResolver", Rewrite: `$pkg.DefaultResolver.LookupIP($ctx, "ip", $0)`},

	// tls.Dialer.DialContext returns a net.Conn, not a *tls.Conn: no
	// mechanical rewrite keeps every caller compiling.
	{Name: "crypto/tls.Dial", What: "the dial and handshake", Fix: "dial with (&tls.Dialer{Config: …}).DialContext(ctx, …) and assert the result to *tls.Conn"},
	{Name: "crypto/tls.DialWithDialer", What: "the dial and handshake", Fix: "dial with (&tls.Dialer{NetDialer: …, Config: …}).DialContext(ctx, …) and assert the result to *tls.Conn"},

	{Name: "(*database/sql.DB).Begin", What: "the transaction", Fix: "use BeginTx(ctx, nil)", Twin: "BeginTx", Rewrite: "$recv.BeginTx($ctx, nil)"},

	{Name: "os/exec.Command", What: "the process", When: CommandRun, Fix: "use exec.CommandContext(ctx, …)", Twin: "CommandContext", Rewrite: "$pkg.CommandContext($ctx, $args)"},

	{Name: "net.ResolveTCPAddr", What: "the DNS lookup", Fix: "resolve with net.DefaultResolver.LookupIPAddr(ctx, …) or dial by name with a context"},
	{Name: "net.ResolveUDPAddr", What: "the DNS lookup", Fix: "resolve with net.DefaultResolver.LookupIPAddr(ctx, …) or dial by name with a context"},
	{Name: "net.ResolveIPAddr", What: "the DNS lookup", Fix: "resolve with net.DefaultResolver.LookupIPAddr(ctx, …)"},

	{Name: "time.Sleep", What: "the sleep", Fix: "wait in a select on ctx.Done() and a timer"},

	{Name: "net/smtp.Dial", What: "the SMTP dial", Fix: "dial with (&net.Dialer{}).DialContext(ctx, …) and wrap it with smtp.NewClient"},
	{Name: "net/smtp.SendMail", What: "the SMTP exchange", Fix: "dial with (&net.Dialer{}).DialContext(ctx, …), wrap it with smtp.NewClient and set a deadline on the connection"},
}

// WithContext lists calls that take a context (or carry one) and still
// block: they are fine on a context-aware path, but a function marked
// //asynclint:nonblocking must not make them. Every ...Context twin that
// DerivedTwin finds is blocking in this sense too.
var WithContext = []string{
	"(*net/http.Client).Do",
	"(net/http.RoundTripper).RoundTrip",
	"(*net/http.Transport).RoundTrip",
	"(*net.Dialer).DialContext",
	"(*net.ListenConfig).Listen",
	"(*net.ListenConfig).ListenPacket",
	"(*crypto/tls.Dialer).DialContext",
	"(*crypto/tls.Conn).HandshakeContext",
	"(*crypto/tls.Conn).Read",
	"(*crypto/tls.Conn).Write",
	"(*database/sql.DB).BeginTx",
	"(*database/sql.DB).Conn",
	"(*os/exec.Cmd).Run",
	"(*os/exec.Cmd).Output",
	"(*os/exec.Cmd).CombinedOutput",
	"(*os/exec.Cmd).Wait",
	"os.Open",
	"os.Create",
	"os.OpenFile",
	"os.ReadFile",
	"os.WriteFile",
	"os.ReadDir",
	"(*os.File).Read",
	"(*os.File).ReadAt",
	"(*os.File).Write",
	"(*os.File).WriteAt",
	"(*os.File).Sync",
	"(*sync.WaitGroup).Wait",
	"(*sync.Cond).Wait",
	"(*github.com/coder/websocket.Conn).Read",
	"(*github.com/coder/websocket.Conn).Reader",
	"(*github.com/coder/websocket.Conn).Write",
	"(*github.com/coder/websocket.Conn).Writer",
	"(*github.com/coder/websocket.Conn).Ping",
	"(*github.com/coder/websocket.Conn).Close",
	"github.com/coder/websocket.Dial",
	"github.com/coder/websocket.Accept",
	"(*github.com/gorilla/websocket.Conn).ReadMessage",
	"(*github.com/gorilla/websocket.Conn).WriteMessage",
	"(*github.com/gorilla/websocket.Conn).ReadJSON",
	"(*github.com/gorilla/websocket.Conn).WriteJSON",
	"(*github.com/gorilla/websocket.Conn).NextReader",
	"(*github.com/gorilla/websocket.Conn).NextWriter",
	"(*github.com/gorilla/websocket.Upgrader).Upgrade",
}

// NotBlocking names functions the twin rule would otherwise take for
// blocking: their ...Context twin exists for tracing or values, not because
// they wait on anything.
var NotBlocking = []string{
	"log/slog.",           // InfoContext and friends pass values to handlers
	"(*log/slog.Logger).", //
	"net/http/httptest.",  // NewRequestWithContext builds an in-process request
	"runtime/pprof.",      // labels
	"runtime/trace.",      // regions and tasks
	"(*database/sql.DB).Driver",
	"net/http.NewRequestWithContext", // builds a request; sending it is what blocks
}

var (
	noContext   = map[string]*Blocking{}
	withContext = map[string]bool{}
)

func init() {
	for i := range NoContext {
		noContext[NoContext[i].Name] = &NoContext[i]
	}
	for _, n := range WithContext {
		withContext[n] = true
	}
}

// Name is the key the tables use for fn: its FullName, for the generic origin.
func Name(fn *types.Func) string { return fn.Origin().FullName() }

// LookupNoContext returns the catalog entry for fn, or nil.
func LookupNoContext(fn *types.Func) *Blocking { return noContext[Name(fn)] }

// BlocksWithContext reports whether fn blocks even though it takes or
// carries a context.
func BlocksWithContext(fn *types.Func) bool {
	name := Name(fn)
	if withContext[name] {
		return true
	}
	return netIO(fn)
}

// netIO reports whether fn reads, writes or accepts on a connection or
// listener of package net: those wait on the peer whatever the context.
func netIO(fn *types.Func) bool {
	sig := fn.Signature()
	if sig.Recv() == nil || fn.Pkg() == nil || fn.Pkg().Path() != "net" {
		return false
	}
	n := fn.Name()
	return strings.HasPrefix(n, "Read") || strings.HasPrefix(n, "Write") || strings.HasPrefix(n, "Accept")
}

// Excluded reports whether fn is known not to block although the twin rule
// would say so.
func Excluded(fn *types.Func) bool {
	name := Name(fn)
	for _, p := range NotBlocking {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
