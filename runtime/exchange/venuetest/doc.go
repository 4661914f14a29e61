// Package venuetest provides fake exchange venues for tests: real HTTP and
// WebSocket servers on loopback that speak the venues' protocols exactly
// (signatures, timestamps, error codes) and misbehave on demand, so that
// the runtime's exchange adapters are tested against the faults they must
// survive without reaching a real venue.
//
// The fake MEXC spot venue (NewMEXC) verifies the API key, the HMAC
// signature over the raw query and body bytes and the timestamp window
// against its own clock, which tests can skew; keeps an account's orders
// and balances (LIMIT orders rest and lock funds, MARKET orders fill
// against a simple book and move balances); rejects duplicate client order
// IDs; and injects faults (MEXCFault): an error status before or after
// accepting a request, 429 and 418 with Retry-After, slow answers,
// Connection: close and abrupt TCP closes. It counts the connections it
// accepted against the requests it served, so that tests can assert
// connection reuse.
//
// Identifiers belonging to one venue carry its name (MEXC…, mexc…), so that
// the fakes of several venues share the package without colliding.
package venuetest
