// Package closecheck defines an Analyzer that reports sockets, sessions,
// response bodies, rows, files and other resources that a function acquires
// and, on some path to its exit, neither releases nor hands on.
//
// # Analyzer closecheck
//
// closecheck: report resources not released or handed on on every path
//
// A resource that is not released keeps what it holds: an unclosed response
// body keeps its connection out of the pool until the server hangs up, an
// unclosed rows keeps a database connection busy, a transaction neither
// committed nor rolled back keeps its locks. One leak per request is how a
// service runs out of sockets, file descriptors or pool connections under
// load. closecheck reports the acquisition, with the return (or the loop
// that comes round to acquire another) through which the resource leaks:
//
//	response body from c.Do is not closed on the path through the return at line 48: ...
//
// What is a resource (the catalog, analyzers/internal/catalog/resources.go):
//
//   - an *http.Response from http.Get, Head, Post, PostForm, the same
//     *http.Client methods and Do, (*http.Transport).RoundTrip, any
//     http.RoundTripper, method values and function values returning
//     (*http.Response, error); released by Body.Close. A response built as
//     a literal is none, nor are the handshake responses of
//     github.com/coder/websocket.Dial and gorilla's Dialer.Dial and
//     DialContext, nor httptest.ResponseRecorder.Result;
//   - net.Conn, net.Listener and net.PacketConn from package net,
//     crypto/tls and *net.Dialer, and accepted connections; Close;
//   - *websocket.Conn from gorilla (Close) and coder/websocket (Close or
//     CloseNow);
//   - *sql.Rows, *sql.Stmt, *sql.Conn, *sql.DB (Close) and *sql.Tx (Commit
//     or Rollback);
//   - *os.File from os.Open, Create, OpenFile, CreateTemp; Close;
//   - *httptest.Server; Close;
//   - *time.Ticker and *time.Timer, only in files built for a Go before
//     1.23 or in packages that set //go:debug asynctimerchan=1; Stop;
//   - an *http.Transport built in a function, used and dropped: "transport
//     built per call", its idle connections are never reused or released;
//     CloseIdleConnections, or rather building it once;
//   - function values and interface methods whose names say they acquire
//     (Dial…, Accept…, Open…, Connect…, Listen…, Query…, Upgrade…)
//     returning one of the catalog's types: a dialer held in a field is
//     a dialer;
//   - the results of functions, in this module or any dependency, whose
//     summary says they return a fresh resource: one they acquired, the
//     body of a response they got, or a value they built around one whose
//     Close releases what it holds (a client around its connection, an
//     http.Client around a new Transport) — and which they kept no other
//     hold on. Values read from fields or parameters are never fresh.
//
// What counts as handed on (no finding):
//
//   - returning it; storing it into a field, a global, a map, a slice or a
//     channel that is not local to the function; storing it into a local
//     struct, slice or map makes that value hold it in turn. An unexported
//     field of the package that nothing in the package ever releases,
//     returns or hands on is no hand-off: that is reported as "stored in
//     field conn of poller, which nothing in this package closes";
//   - passing it to a function whose summary says it releases or keeps
//     that parameter (closeQuietly(conn), defer drain(resp),
//     scope.DeferClose(conn), defer func(c io.Closer){ c.Close() }(conn)),
//     to a function value or an interface method the analysis cannot see
//     into, or to a Must-style wrapper that returns it (then the result
//     is followed);
//   - capturing it in a closure that releases or keeps it, where the
//     closure runs or is handed on (go func(){ defer conn.CloseNow() … }(),
//     t.Cleanup(srv.Close));
//   - defer x.Close(), defer func(){ … x.Close() … }(), and plain releases
//     that cover every path.
//
// Paths on which the resource is nil are not followed: after
// resp, err := c.Do(req), the err != nil branch owes nothing, nor does the
// branch of if resp == nil, nor the branch where errors.As(err, …) holds,
// nor the branch of a helper's error when the helper releases the resource
// where it fails, nor a select case that received from a timer (it fired).
// main.main and init functions run once, and what they hold lives as long
// as the process: only a loop there that acquires again before releasing
// is reported.
//
// Summaries cross packages as facts: "releases param i" (on every path on
// which it is not nil), "releases param i on error" (on every path that
// returns a non-nil error: its callers owe nothing where it failed),
// "retains param i" (hands it on on some path), "result j is param i" and
// "result j is a fresh resource of kind K". A method running its receiver
// (reading from it, handing it to a goroutine of its own) does not take it
// over: only releasing it counts.
//
// Where deferring the release right after the acquisition (and its error
// check) is the whole fix, it comes as a suggested fix: defer x.Close()
// (Body.Close for responses, CloseNow for coder/websocket, Rollback for a
// transaction, Stop for timers), removing later defers of the same release.
//
// Directives:
//
//	//asynclint:owned <reason>        on the acquisition's line, on a line that hands the
//	                                  resource on, or on a function: a hand-off the analysis
//	                                  cannot see
//	//asynclint:ignore closecheck <reason>
//	                                  on the line or the function: suppress (reason required;
//	                                  an ignore that suppresses nothing is reported)
//
// //nolint:asynclint and //nolint:closecheck are honoured as well.
//
// Flags:
//
//	-closecheck.std
//	    also analyse standard-library packages (their resources are otherwise
//	    known from the catalog)
//
// # Examples
//
// Bad:
//
//	resp, err := c.Do(req)
//	if err != nil {
//		return nil, err
//	}
//	if resp.StatusCode != http.StatusOK {
//		return nil, fmt.Errorf("depth: %s", resp.Status) // the body leaks here
//	}
//	defer resp.Body.Close()
//
// Good:
//
//	resp, err := c.Do(req)
//	if err != nil {
//		return nil, err
//	}
//	defer resp.Body.Close()
//	if resp.StatusCode != http.StatusOK {
//		return nil, fmt.Errorf("depth: %s", resp.Status)
//	}
//
// Bad (rows):
//
//	rows, err := db.QueryContext(ctx, "SELECT name FROM venues")
//	if err != nil {
//		return nil, err
//	}
//	var names []string
//	for rows.Next() {
//		var name string
//		if err := rows.Scan(&name); err != nil {
//			return nil, err // the rows, and their connection, leak here
//		}
//		names = append(names, name)
//	}
//	return names, rows.Err()
//
// Good (rows):
//
//	rows, err := db.QueryContext(ctx, "SELECT name FROM venues")
//	if err != nil {
//		return nil, err
//	}
//	defer rows.Close()
//	var names []string
//	for rows.Next() {
//		...
//	}
//	return names, rows.Err()
package closecheck
