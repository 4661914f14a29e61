package track

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// OpStats are the statistics of one operation.
type OpStats struct {
	Op       string
	Count    int64 // finished runs, whatever their outcome
	Errors   int64 // runs that returned an error other than a context's
	Canceled int64 // runs that ended with their context
	Slow     int64 // runs above the slow threshold, whatever their outcome
	P50      time.Duration
	P99      time.Duration
	Max      time.Duration
	Mean     time.Duration
}

// A Summary is a snapshot of a Tracker's operations, sorted by name.
type Summary struct {
	Ops []OpStats
	// SlowDropped counts slow operations not handed to OnSlow because it
	// had fallen behind or the Tracker was closed.
	SlowDropped int64
}

// Summary returns a snapshot of every operation that has been started or
// registered.
func (t *Tracker) Summary() Summary {
	m := *t.ops.Load()
	s := Summary{Ops: make([]OpStats, 0, len(m)), SlowDropped: t.dropped.Load()}
	for _, o := range m {
		s.Ops = append(s.Ops, o.Stats())
	}
	slices.SortFunc(s.Ops, func(a, b OpStats) int { return cmp.Compare(a.Op, b.Op) })
	return s
}

// Op returns the statistics of the named operation, if the summary has it.
func (s Summary) Op(name string) (OpStats, bool) {
	i, ok := slices.BinarySearchFunc(s.Ops, name, func(o OpStats, name string) int {
		return cmp.Compare(o.Op, name)
	})
	if !ok {
		return OpStats{}, false
	}
	return s.Ops[i], true
}

// String formats the summary as a table, one operation per line:
//
//	op                 count  errors  canceled  slow  p50    p99     max   mean
//	GET /api/v3/depth  1207   3       0         0     1.6ms  2.18ms  12ms  1.63ms
func (s Summary) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "op\tcount\terrors\tcanceled\tslow\tp50\tp99\tmax\tmean")
	for _, o := range s.Ops {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n",
			o.Op, o.Count, o.Errors, o.Canceled, o.Slow,
			short(o.P50), short(o.P99), short(o.Max), short(o.Mean))
	}
	w.Flush()
	if s.SlowDropped > 0 {
		fmt.Fprintf(&b, "(%d slow operations not reported: OnSlow fell behind)\n", s.SlowDropped)
	}
	return b.String()
}

// short rounds d to three significant digits: the histograms are not more
// precise than that, and a table of "1.234567ms" is hard to scan.
func short(d time.Duration) string {
	for unit := time.Duration(1); unit < time.Hour; unit *= 10 {
		if d < 1000*unit {
			return d.Round(unit).String()
		}
	}
	return d.Round(time.Second).String()
}
