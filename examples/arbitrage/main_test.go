package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/asynclint/asynclint/examples/arbitrage/engine"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// TestEmbeddedRun is `go run ./examples/arbitrage -duration …`: the fake
// venues in-process, a bounded run, a status line and a summary, and
// nothing left running.
func TestEmbeddedRun(t *testing.T) {
	cfg, err := parseConfig([]string{"-duration", "1500ms", "-seed", "3", "-status", "250ms"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.embedded || cfg.engine.Orders != engine.OrdersLive {
		t.Fatalf("no flags: embedded %v, orders %s; want embedded, live", cfg.embedded, cfg.engine.Orders)
	}
	var out bytes.Buffer
	start := time.Now()
	if err := run(t.Context(), cfg, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a 1.5s run took %v", took)
	}
	t.Log(out.String())
	for _, want := range []string{"embedded fake venues (seed 3)", "| opps ", "summary after", "mexc.depth", "fake market:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out.String(), venuetest.MEXCTestSecret) {
		t.Error("the secret was printed")
	}
}

// TestRunStopsOnCancel is SIGINT: run returns nil once its context ends.
func TestRunStopsOnCancel(t *testing.T) {
	cfg, err := parseConfig(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 700*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, cfg, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "summary after") {
		t.Errorf("no summary:\n%s", out.String())
	}
}

// TestRealConfig checks the flags and environment for real venues: keys
// are optional, they select test orders, and the secret never prints.
func TestRealConfig(t *testing.T) {
	const secret = "0123456789abcdef-not-a-real-secret"
	cfg, err := parseConfig([]string{"-real"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.embedded || cfg.engine.Orders != engine.OrdersOff {
		t.Errorf("-real without keys: embedded %v, orders %s; want real venues, orders off", cfg.embedded, cfg.engine.Orders)
	}
	cfg, err = parseConfig([]string{"-mexc-url", "https://mexc.example"},
		env(map[string]string{"MEXC_API_KEY": "key", "MEXC_SECRET_KEY": secret}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.embedded || cfg.engine.Orders != engine.OrdersTest || cfg.engine.MEXC.APIKey != "key" {
		t.Errorf("keys from the environment: embedded %v, orders %s, key %q; want test orders with the key",
			cfg.embedded, cfg.engine.Orders, cfg.engine.MEXC.APIKey)
	}
	for _, s := range []string{fmt.Sprintf("%v", cfg.engine), fmt.Sprintf("%+v", cfg.engine.MEXC), fmt.Sprint(cfg.engine.MEXC.Secret)} {
		if strings.Contains(s, secret) {
			t.Errorf("the secret prints: %s", s)
		}
	}
	if _, err := parseConfig([]string{"-qty", "lots"}, env(nil), io.Discard); err == nil {
		t.Error("-qty lots: no error")
	}
	cfg, err = parseConfig([]string{"-orders", "live", "-real"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engine.New(cfg.engine); err == nil {
		t.Error("-orders live without keys: the engine accepted it")
	}
}
