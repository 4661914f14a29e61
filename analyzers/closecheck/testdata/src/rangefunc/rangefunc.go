// Package rangefunc acquires in the bodies of range-over-func loops, which
// SSA turns into functions of their own.
package rangefunc

import (
	"iter"
	"net/http"
	"slices"
)

func urls() iter.Seq[string] { return slices.Values([]string{"http://127.0.0.1:1"}) }

func closed() {
	for u := range urls() {
		resp, err := http.Get(u)
		if err != nil {
			continue
		}
		resp.Body.Close()
	}
}

func first() (*http.Response, error) {
	for u := range urls() {
		resp, err := http.Get(u)
		if err != nil {
			continue
		}
		return resp, nil
	}
	return nil, nil
}

func leaky() int {
	n := 0
	for u := range urls() {
		resp, err := http.Get(u) // want `response body from http.Get is never closed`
		if err != nil {
			continue
		}
		n += resp.StatusCode
	}
	return n
}
