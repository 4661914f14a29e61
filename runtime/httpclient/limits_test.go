package httpclient

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestWeightLimits(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	limits := new(Limits)
	// Ten units, refilled so slowly that nothing comes back during the test.
	limits.Set("ip", rate.NewLimiter(rate.Every(time.Hour), 10))
	c := newClient(t, Options{Limits: limits})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	for range 2 {
		if _, err := get(ctx, t, c, s.URL, Weight("ip", 4)); err != nil {
			t.Fatal(err)
		}
	}
	// Two units left: the third call would wait about two hours, past the
	// deadline, so it fails at once without reaching the server.
	_, err := get(ctx, t, c, s.URL, Weight("ip", 4))
	if err == nil || !strings.Contains(err.Error(), `rate limit "ip"`) {
		t.Errorf("err = %v, want the rate limit refusing", err)
	}
	if n := s.requests.Load(); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
}

func TestWeightUnknownLimit(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	limits := new(Limits)
	limits.Set("ip", rate.NewLimiter(rate.Inf, 0))
	c := newClient(t, Options{Limits: limits})

	_, err := get(t.Context(), t, c, s.URL, Weight("orders", 1))
	if err == nil || !strings.Contains(err.Error(), `no rate limit named "orders"`) {
		t.Errorf("err = %v, want the unknown limit reported", err)
	}
	noLimits := newClient(t, Options{})
	if _, err := get(t.Context(), t, noLimits, s.URL, Weight("ip", 1)); err == nil {
		t.Error("a weight with no Limits configured went through")
	}
	if n := s.requests.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestWeightDrawnEveryAttempt(t *testing.T) {
	h, _ := failing(1, http.StatusServiceUnavailable, nil)
	s := newServer(t, h)
	ip := rate.NewLimiter(rate.Every(time.Hour), 10)
	orders := rate.NewLimiter(rate.Every(time.Hour), 10)
	limits := new(Limits)
	limits.Set("ip", ip)
	limits.Set("orders", orders)
	c := newClient(t, Options{Limits: limits})
	noWait(c)

	if _, err := get(t.Context(), t, c, s.URL, Weight("ip", 3), Weight("orders", 1)); err != nil {
		t.Fatal(err)
	}
	// Two attempts: 6 units of ip and 2 of orders are gone. Tokens trickle
	// back at one an hour, so compare with a margin of one.
	now := time.Now()
	if got := ip.TokensAt(now); got < 4 || got >= 5 {
		t.Errorf("ip tokens left = %.3f, want about 4", got)
	}
	if got := orders.TokensAt(now); got < 8 || got >= 9 {
		t.Errorf("orders tokens left = %.3f, want about 8", got)
	}
}
