package directives

import (
	"net"
	"net/http"
)

func ignored(url string) int {
	resp, _ := http.Get(url) //asynclint:ignore closecheck the venue closes the connection after one response
	return resp.StatusCode
}

func ignoredUnscoped(url string) int {
	//asynclint:ignore legacy poller, replaced in v2
	resp, _ := http.Get(url)
	return resp.StatusCode
}

// legacy is ignored as a whole.
//
//asynclint:ignore closecheck legacy poller, replaced in v2
func legacy(url string) int {
	resp, _ := http.Get(url)
	return resp.StatusCode
}

func nolint(url string) int {
	resp, _ := http.Get(url) //nolint:closecheck // legacy
	return resp.StatusCode
}

func notForUs(url string) int {
	resp, _ := http.Get(url) //asynclint:ignore blockingcall not for this analyzer // want `response body from http.Get is never closed`
	return resp.StatusCode
}

var adopt func(any)

func owned(addr string) error {
	conn, err := net.Dial("tcp", addr) //asynclint:owned the plugin host adopts every connection dialled here
	if err != nil {
		return err
	}
	_ = conn.LocalAddr()
	return nil
}

func ownedHandOff(addr string, host map[string]any) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	register(host, conn) //asynclint:owned the host closes what it registers
	return nil
}

func register(host map[string]any, c net.Conn) {}

// ownedFunc hands everything it dials to the host, which the analysis
// cannot see.
//
//asynclint:owned the host closes every connection
func ownedFunc(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	_ = conn.LocalAddr()
	return nil
}

func stale() {
	//asynclint:ignore closecheck nothing leaks here any more // want `//asynclint:ignore suppresses no finding: remove it`
	_ = 1
}

func staleUnscoped() {
	//asynclint:ignore nothing leaks here any more // want `//asynclint:ignore suppresses no finding: remove it`
	_ = 2
}

func staleOther() {
	//asynclint:ignore blockingcall another analyzer's: not reported here
	_ = 3
}

func noReason(addr string) {
	//asynclint:owned // want `//asynclint:owned needs a reason`
	conn, _ := net.Dial("tcp", addr) // want `connection from net.Dial is never closed`
	_ = conn.LocalAddr()
	//asynclint:ignore closecheck // want `//asynclint:ignore needs a reason`
	_ = 4
	//asynclint:ignore // unscoped and without a reason: blockingcall's to report
	_ = 5
}
