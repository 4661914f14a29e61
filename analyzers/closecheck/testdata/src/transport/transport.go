// Package transport holds transports built per call, and shared ones.
package transport

import (
	"io"
	"net/http"
	"time"
)

// A transport built for one call and dropped takes its idle connections
// with it.
func fetch(url string) ([]byte, error) {
	tr := &http.Transport{MaxIdleConns: 10} // want `transport built per call: its idle connections are never reused or released \(built by http.Transport{…}, on the path through the return at line 17\)`
	c := &http.Client{Transport: tr, Timeout: time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func inline(url string) error {
	c := &http.Client{Transport: &http.Transport{}} // want `transport built per call`
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func cloned(url string) error {
	tr := http.DefaultTransport.(*http.Transport).Clone() // want `transport built per call: its idle connections are never reused or released \(http.DefaultTransport.\(\*http.Transport\).Clone`
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// newClient builds a client around a new transport: each caller gets one.
func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{}}
}

func viaHelper(url string) error {
	c := newClient() // want `transport built per call: its idle connections are never reused or released \(newClient`
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Quiet: shared, kept, released.

var shared = &http.Client{Transport: &http.Transport{}}

type api struct{ hc *http.Client }

func newAPI() *api {
	return &api{hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

func (a *api) reset() {
	a.hc = &http.Client{Transport: &http.Transport{}}
}

func released(url string) error {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func releasedByClient(url string) error {
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
