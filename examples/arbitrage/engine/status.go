package engine

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/asynclint/asynclint/runtime/exchange/decimal"
)

// writeStatus writes a status line to Out: a line each time, or, when
// Live, the same line rewritten in place, ended by the final one.
func (e *Engine) writeStatus(line string, final bool) {
	switch {
	case e.cfg.Live && final:
		fmt.Fprintf(e.cfg.Out, "\r\033[K%s\n", line)
	case e.cfg.Live:
		fmt.Fprintf(e.cfg.Out, "\r\033[K%s", line)
	default:
		_, _ = io.WriteString(e.cfg.Out, line+"\n") // a status line lost to a broken terminal is no loss
	}
}

// statusLine is one line of the books, the spreads, the counters and the
// p99 latencies. It reads the loop's state: only the loop calls it, or
// Run once the loop has returned.
func (e *Engine) statusLine() string {
	st := e.Stats()
	var b strings.Builder
	fmt.Fprintf(&b, "%5.1fs", time.Since(e.begin).Seconds())
	fmt.Fprintf(&b, " | gate %s/%s mexc %s/%s", price(e.gate.bid), price(e.gate.ask), price(e.mex.bid), price(e.mex.ask))
	fmt.Fprintf(&b, " | net bp buy %s sell %s", e.edgeString(buyMEXC), e.edgeString(sellMEXC))
	fmt.Fprintf(&b, " | opps %d orders %d ok %d rec %d rej %d unk %d",
		st.Opportunities, st.OrdersSent, st.OrdersPlaced, st.Reconciled, st.Rejected, st.Unknown)
	fmt.Fprintf(&b, " | reconn %d resync %d", st.Reconnects, st.Resyncs)
	fmt.Fprintf(&b, " | p99 depth %s order %s loop %s",
		short(e.Latency(OpDepth)), short(e.Latency(OpOrder)), short(e.Latency(OpLoop)))
	if st.Stalls > 0 {
		fmt.Fprintf(&b, " | stalls %d", st.Stalls)
	}
	return b.String()
}

func (e *Engine) edgeString(d direction) string {
	if !e.haveEdge[d] {
		return "-"
	}
	s := e.edge[d].String()
	if e.active[d] {
		s += "*"
	}
	return s
}

func price(p decimal.Decimal) string {
	if p.IsZero() {
		return "-"
	}
	return p.String()
}

// short rounds d to about three significant digits.
func short(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < 100*time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(time.Millisecond).String()
	}
}

// Summary describes the run: its counters, the last error and stall, and
// the latencies of the timed operations. It may be called at any time and
// is meant for after Run has returned.
func (e *Engine) Summary() string {
	st := e.Stats()
	var b strings.Builder
	elapsed := time.Duration(e.elapsed.Load())
	if elapsed == 0 && !e.begin.IsZero() {
		elapsed = time.Since(e.begin)
	}
	fmt.Fprintf(&b, "summary after %s (orders %s):\n", elapsed.Round(time.Millisecond), e.cfg.Orders)
	fmt.Fprintf(&b, "  gate.io  %d book updates, %d tickers, %d reconnects, %d resyncs, %d errors survived\n",
		st.GateUpdates, st.GateTickers, st.Reconnects, st.Resyncs, st.GateErrors)
	fmt.Fprintf(&b, "  mexc     %d depth polls, %d failed\n", st.MEXCPolls, st.PollErrors)
	fmt.Fprintf(&b, "  engine   %d opportunities, %d skipped; %d orders sent: %d accepted (%d reconciled), %d rejected, %d unknown\n",
		st.Opportunities, st.Skipped, st.OrdersSent, st.OrdersPlaced, st.Reconciled, st.Rejected, st.Unknown)
	e.mu.Lock()
	lastErr, lastStall := e.lastErr, e.lastStall
	e.mu.Unlock()
	if lastErr != "" {
		fmt.Fprintf(&b, "  last error: %s\n", lastErr)
	}
	fmt.Fprintf(&b, "  stalls   %d", st.Stalls)
	if lastStall != "" {
		fmt.Fprintf(&b, " (last: %s)", lastStall)
	}
	b.WriteString("\n")
	b.WriteString(e.tr.Summary().String())
	return b.String()
}
