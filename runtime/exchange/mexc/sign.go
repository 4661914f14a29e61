package mexc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// A Secret is an API secret key. It prints as "[redacted]" with every fmt
// verb, so that it cannot leak through logs, errors or a %+v of a struct
// that holds it; string(s) gives the key back.
type Secret string

const redacted = "[redacted]"

// Format implements fmt.Formatter: every verb prints "[redacted]".
func (Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }

// String returns "[redacted]".
func (Secret) String() string { return redacted }

// GoString returns "[redacted]".
func (Secret) GoString() string { return redacted }

// MarshalText returns "[redacted]", so that encoding a configuration that
// holds a Secret does not write it out.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Sign returns the signature MEXC expects of a request: the lower-case hex
// HMAC-SHA256, keyed with secret, of the raw query string immediately
// followed by the raw body, with no "&" between them. query must be the
// exact bytes sent, without the signature parameter: a different parameter
// order or escaping gives a different signature.
func Sign(secret Secret, query, body string) string {
	return hex.EncodeToString(mac([]byte(secret), query, body))
}

func mac(key []byte, query, body string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(query))
	h.Write([]byte(body))
	return h.Sum(nil)
}
