package httpclient

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

type order struct {
	Symbol string  `json:"symbol"`
	Side   string  `json:"side"`
	Qty    float64 `json:"qty"`
	ID     int64   `json:"orderId,omitempty"`
}

func TestJSONRoundTrip(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" {
			http.Error(w, "want Accept: application/json", http.StatusNotAcceptable)
			return
		}
		switch r.Method {
		case http.MethodGet:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"symbol":"BTCUSDT","side":"SELL","qty":0.5,"orderId":7}`)
		case http.MethodPost:
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				http.Error(w, "content type "+ct, http.StatusUnsupportedMediaType)
				return
			}
			var o order
			if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			o.ID = 8
			json.NewEncoder(w).Encode(o)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	c := newClient(t, Options{})

	var got order
	if err := c.GetJSON(t.Context(), s.URL+"/order?id=7", &got); err != nil {
		t.Fatal(err)
	}
	if want := (order{"BTCUSDT", "SELL", 0.5, 7}); got != want {
		t.Errorf("GetJSON = %+v, want %+v", got, want)
	}

	got = order{}
	if err := c.PostJSON(t.Context(), s.URL+"/order", order{Symbol: "ETHUSDT", Side: "BUY", Qty: 2}, &got); err != nil {
		t.Fatal(err)
	}
	if want := (order{"ETHUSDT", "BUY", 2, 8}); got != want {
		t.Errorf("PostJSON = %+v, want %+v", got, want)
	}

	req, err := http.NewRequestWithContext(t.Context(), http.MethodDelete, s.URL+"/order?id=8", nil)
	if err != nil {
		t.Fatal(err)
	}
	got = order{ID: 99}
	if err := c.DoJSON(t.Context(), req, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != 99 {
		t.Errorf("204 No Content changed the result to %+v", got)
	}
	if req.Header.Get("Accept") != "" {
		t.Error("DoJSON modified the caller's request")
	}
}

func TestMalformedJSON(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/truncated":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"symbol":"BTCUSDT","qty":`)
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Just a moment...</body></html>")
		case "/trailing":
			io.WriteString(w, `{"symbol":"BTCUSDT"} {"symbol":"ETHUSDT"}`)
		case "/type":
			io.WriteString(w, `{"qty":"lots"}`)
		}
	})
	c := newClient(t, Options{})
	for _, tc := range []struct {
		path string
		want []string // in the message
	}{
		{"/truncated", []string{"GET /truncated", "decoding", "application/json", "unexpected end of JSON input"}},
		{"/html", []string{"GET /html", "text/html", "invalid character '<'"}},
		{"/trailing", []string{"GET /trailing", "invalid character '{' after top-level value"}},
		{"/type", []string{"*httpclient.order", "cannot unmarshal string"}},
	} {
		var o order
		err := c.GetJSON(t.Context(), s.URL+tc.path, &o)
		if err == nil {
			t.Errorf("%s: no error", tc.path)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: err = %v, want it to mention %q", tc.path, err, w)
			}
		}
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &syntax) && !errors.As(err, &typ) {
			t.Errorf("%s: err = %v, want it to wrap the json error", tc.path, err)
		}
	}
}

func TestJSONResponseBounded(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `["`+strings.Repeat("x", 4096)+`"]`)
	})
	c := newClient(t, Options{MaxResponseBytes: 1024})
	var out []string
	err := c.GetJSON(t.Context(), s.URL, &out)
	if err == nil || !strings.Contains(err.Error(), "larger than 1024 bytes") {
		t.Errorf("err = %v, want the response refused as too large", err)
	}
}

func TestJSONStatusError(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code":-2015,"msg":"Invalid API-key."}`)
	})
	c := newClient(t, Options{})
	var out order
	err := c.GetJSON(t.Context(), s.URL, &out)
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want a 401 *StatusError", err)
	}
	var body struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	if err := json.Unmarshal(se.Body, &body); err != nil || body.Code != -2015 {
		t.Errorf("error body %q does not carry the venue's error code", se.Body)
	}
}
