package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/asynclint/asynclint/examples/arbitrage/engine"
	"github.com/asynclint/asynclint/examples/arbitrage/fakemarket"
	"github.com/asynclint/asynclint/runtime/exchange/decimal"
	"github.com/asynclint/asynclint/runtime/exchange/gateio"
	"github.com/asynclint/asynclint/runtime/exchange/mexc"
	"github.com/asynclint/asynclint/runtime/exchange/venuetest"
)

// config is the program's configuration, from flags and the environment.
type config struct {
	engine   engine.Config
	embedded bool          // run against in-process fake venues
	seed     uint64        // of the fake market
	duration time.Duration // 0: until a signal
}

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "arbitrage:", err)
		os.Exit(2)
	}
	cfg.engine.Live = isTerminal(os.Stdout)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, cfg, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "arbitrage:", err)
		os.Exit(1)
	}
}

// parseConfig reads the flags in args and the environment through getenv.
func parseConfig(args []string, getenv func(string) string, errOut io.Writer) (config, error) {
	var (
		cfg                        config
		useReal                    bool
		orders                     string
		qty, thr, mexcFee, gateFee string
		fs                         = flag.NewFlagSet("arbitrage", flag.ContinueOnError)
		ec                         = &cfg.engine
	)
	fs.SetOutput(errOut)
	fs.DurationVar(&cfg.duration, "duration", 0, "stop after this long (0: run until SIGINT)")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the embedded fake market")
	fs.BoolVar(&useReal, "real", false, "trade the real venues at their default endpoints")
	fs.StringVar(&ec.MEXC.BaseURL, "mexc-url", "", "MEXC REST base URL (default "+mexc.DefaultBaseURL+"; implies real venues)")
	fs.StringVar(&ec.GateURL, "gate-url", "", "Gate.io WebSocket URL (default "+gateio.DefaultURL+"; implies real venues)")
	fs.StringVar(&ec.GateRESTURL, "gate-rest-url", "", "Gate.io REST base URL (default "+gateio.DefaultRESTURL+"; implies real venues)")
	fs.StringVar(&ec.MEXC.APIKey, "mexc-key", getenv("MEXC_API_KEY"), "MEXC API key (env MEXC_API_KEY); the secret comes from env MEXC_SECRET_KEY only")
	fs.StringVar(&orders, "orders", "", "what to do with an opportunity: off, test (POST /api/v3/order/test) or live\n(default live on the fake venues, test with keys on real ones, off without keys)")
	fs.StringVar(&ec.Symbol, "symbol", "BTCUSDT", "MEXC symbol")
	fs.StringVar(&ec.Pair, "pair", "BTC_USDT", "Gate.io currency pair")
	fs.StringVar(&qty, "qty", "0.01", "most base asset per order")
	fs.StringVar(&thr, "threshold-bps", "5", "net spread, in basis points after fees, that makes an opportunity")
	fs.StringVar(&mexcFee, "mexc-fee-bps", "5", "MEXC taker fee in basis points")
	fs.StringVar(&gateFee, "gate-fee-bps", "10", "Gate.io taker fee in basis points")
	fs.DurationVar(&ec.PollInterval, "poll", 100*time.Millisecond, "time between MEXC depth requests")
	fs.DurationVar(&ec.OrderTimeout, "order-timeout", 2*time.Second, "deadline of each opportunity, from seeing it to its order's answer")
	fs.DurationVar(&ec.StatusInterval, "status", time.Second, "time between status lines")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for _, d := range []struct {
		name string
		s    string
		to   *decimal.Decimal
	}{{"qty", qty, &ec.Quantity}, {"threshold-bps", thr, &ec.ThresholdBps}, {"mexc-fee-bps", mexcFee, &ec.MEXCFeeBps}, {"gate-fee-bps", gateFee, &ec.GateFeeBps}} {
		v, err := decimal.Parse(d.s)
		if err != nil {
			return cfg, fmt.Errorf("-%s: %w", d.name, err)
		}
		*d.to = v
	}
	ec.MEXC.Secret = mexc.Secret(getenv("MEXC_SECRET_KEY"))
	cfg.embedded = !useReal && ec.MEXC.BaseURL == "" && ec.GateURL == "" && ec.GateRESTURL == ""
	ec.Orders = engine.OrderMode(orders)
	switch {
	case cfg.embedded:
		ec.MEXC.APIKey, ec.MEXC.Secret = venuetest.MEXCTestAPIKey, venuetest.MEXCTestSecret
		if orders == "" {
			ec.Orders = engine.OrdersLive
		}
	case orders == "" && ec.MEXC.APIKey != "" && ec.MEXC.Secret != "":
		ec.Orders = engine.OrdersTest
	case orders == "":
		ec.Orders = engine.OrdersOff
	}
	return cfg, nil
}

// run runs the engine as cfg says until ctx ends or cfg.duration passes,
// then prints its summary to out.
func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}
	ec := cfg.engine
	ec.Out = out
	var market *fakemarket.Market
	if cfg.embedded {
		market = fakemarket.Start(fakemarket.Options{Seed: cfg.seed, Symbol: ec.Symbol, Pair: ec.Pair})
		defer market.Close()
		ec.MEXC.BaseURL, ec.GateURL, ec.GateRESTURL = market.MEXCURL(), market.GateURL(), market.GateRESTURL()
		fmt.Fprintf(out, "embedded fake venues (seed %d): MEXC %s, Gate.io %s\n", cfg.seed, ec.MEXC.BaseURL, ec.GateURL)
	}
	e, err := engine.New(ec)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "arbitrage %s/%s, orders %s, threshold %sbp net of fees (MEXC %sbp, Gate.io %sbp); Ctrl-C stops\n",
		ec.Symbol, ec.Pair, ec.Orders, ec.ThresholdBps, ec.MEXCFeeBps, ec.GateFeeBps)
	err = e.Run(ctx)
	if market != nil {
		market.Close()
		crossing, near := market.Dislocations()
		fmt.Fprintf(out, "fake market: %d crossing dislocations, %d near misses\n", crossing, near)
	}
	fmt.Fprint(out, e.Summary())
	return err
}

// isTerminal reports whether f is a character device, where the status
// line is rewritten in place.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
