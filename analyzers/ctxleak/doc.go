// Package ctxleak defines an Analyzer that reports goroutines that block
// forever or never stop, contexts whose cancel function is not called,
// mutexes left locked or locked twice, and misused WaitGroups.
//
// # Analyzer ctxleak
//
// ctxleak: report goroutines, contexts and locks that leak
//
// (The rules are documented as they land.)
package ctxleak
