package ctxleak

import (
	_ "embed"
	"flag"
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asynclint/asynclint/analyzers/internal/analyzerdoc"
	"github.com/asynclint/asynclint/analyzers/internal/directive"
	"github.com/asynclint/asynclint/analyzers/internal/program"
	"github.com/asynclint/asynclint/analyzers/internal/stdlib"
)

//go:embed doc.go
var doc string

const name = "ctxleak"

var Analyzer = &analysis.Analyzer{
	Name:      name,
	Doc:       analyzerdoc.Text(doc, name),
	URL:       "https://pkg.go.dev/github.com/asynclint/asynclint/analyzers/ctxleak",
	Run:       run,
	Requires:  []*analysis.Analyzer{program.Analyzer},
	FactTypes: []analysis.Fact{new(Summary)},
	Flags:     flags(),
}

var checkStd bool

func flags() flag.FlagSet {
	var fs flag.FlagSet
	fs.BoolVar(&checkStd, "std", false, "also analyse standard-library packages")
	return fs
}

// Diagnostic categories, one per rule.
const (
	catStranded   = "stranded"
	catForever    = "forever"
	catLostCancel = "lostcancel"
	catLock       = "lock"
	catWaitGroup  = "waitgroup"
	catTimer      = "timer"
)

// Summary is the fact ctxleak exports for a function: what it does with
// the cancel functions, mutexes and wait groups it is given, and whether it
// ever returns. Parameters are numbered from 0, a method's receiver first;
// a mutex is named by a path from a parameter ("0.mu" is the field mu of
// the receiver) or from a package-level variable ("pkg/path.v.mu").
type Summary struct {
	// Cancels lists the parameters of function type that the function
	// calls or hands on on every path: passing a cancel function to it
	// meets the obligation to call it.
	Cancels []int
	// CancelResults lists the results that are cancel functions the
	// caller must call, as context.WithCancel's second is.
	CancelResults []int
	// Locks lists the mutexes the function (or a callee) acquires: a
	// caller that already holds one of them deadlocks.
	Locks []Lock
	// Holds lists the mutexes the function leaves locked on return.
	Holds []Lock
	// Unlocks lists the mutexes the function releases without having
	// locked them.
	Unlocks []Lock
	// Done lists the *sync.WaitGroup parameters the function calls Done
	// on, on every path.
	Done []int
	// Forever: the function never returns; Loop is where it loops.
	Forever bool
	Loop    string
}

// Lock names a mutex and how it is held.
type Lock struct {
	Path string
	Read bool
	// Chain is how the function reaches the acquisition, callee by callee
	// (empty when it locks directly).
	Chain []string
}

func (*Summary) AFact() {}

func (s *Summary) String() string {
	var parts []string
	if len(s.Cancels) > 0 {
		parts = append(parts, fmt.Sprintf("cancels %v", s.Cancels))
	}
	if len(s.CancelResults) > 0 {
		parts = append(parts, fmt.Sprintf("returns cancel %v", s.CancelResults))
	}
	for _, set := range []struct {
		verb  string
		locks []Lock
	}{{"locks", s.Locks}, {"holds", s.Holds}, {"unlocks", s.Unlocks}} {
		for _, l := range set.locks {
			parts = append(parts, set.verb+" "+l.String())
		}
	}
	if len(s.Done) > 0 {
		parts = append(parts, fmt.Sprintf("done %v", s.Done))
	}
	if s.Forever {
		parts = append(parts, "never returns")
	}
	return strings.Join(parts, "; ")
}

func (l Lock) String() string {
	s := l.Path
	if l.Read {
		s += " (read)"
	}
	return s
}

func (s *Summary) empty() bool {
	return len(s.Cancels) == 0 && len(s.CancelResults) == 0 && len(s.Locks) == 0 && len(s.Holds) == 0 &&
		len(s.Unlocks) == 0 && len(s.Done) == 0 && !s.Forever
}

func run(pass *analysis.Pass) (any, error) {
	if stdlib.IsPackage(pass) && !checkStd {
		return nil, nil
	}
	dirs := directive.Parse(pass.Fset, pass.Files)
	if !worthBuilding(pass) {
		reportDirectives(pass, dirs)
		return nil, nil
	}
	c := newChecker(pass, dirs, program.Of(pass))
	c.summarise()
	c.exportFacts()
	c.checkCancels()
	c.checkGoroutines()
	c.checkLocks()
	c.checkWaitGroups()
	c.checkWaitInLoop()
	c.checkChannels()
	c.checkFieldChannels()
	c.checkServiceLoops()
	c.checkConds()
	c.checkLockWaits()
	c.checkLockOrder()
	c.checkTimers()
	c.flush()
	reportDirectives(pass, dirs)
	return nil, nil
}

// reportDirectives reports //asynclint:daemon and ctxleak-scoped ignores
// without a reason, and ignores that silenced nothing.
func reportDirectives(pass *analysis.Pass, dirs *directive.Set) {
	dirs.ReportMisuse(pass, name, false, directive.Daemon)
}

// checker holds what one run knows.
type checker struct {
	pass *analysis.Pass
	dirs *directive.Set
	prog *program.Program
	sums map[*ssa.Function]*Summary
	// diags are collected, then sorted and de-duplicated: several rules
	// may see the same stuck operation.
	diags []analysis.Diagnostic
	// fieldsRead: fields whose values the package reads, built on first use.
	fieldsRead map[*types.Var]bool
	// startupOnly: functions of a main package that only run at startup.
	startupOnly map[*ssa.Function]bool
	// ops: the package's operations on channels, mutexes and WaitGroups
	// by object, built on first use.
	ops map[object][]*syncOp
	// opsAt: the same operations, by the instruction performing them.
	opsAt map[ssa.Instruction][]*syncOp
	// held: the mutexes held at each call and wait, by function.
	held map[*ssa.Function]map[ssa.Instruction]map[object]heldAt
	// uses: how the package refers to its functions, built on first use.
	uses *funcUses
	// calls: the package's static calls, by callee, built on first use.
	calls map[*ssa.Function][]*ssa.Call
	// fields: the package's field accesses, built on first use.
	fields []ssa.Instruction
	// fieldChans: what the package does with each channel field.
	fieldChans map[*types.Var]*fieldChan
	// goBodies: the functions go statements run, built on first use.
	goBodies map[*ssa.Function]bool
	// goSpawners: the functions whose go statements run each go body.
	goSpawners map[*ssa.Function][]*ssa.Function
	// spawns: the go statements and spawner calls, in source order.
	spawns []spawn
	// runnerCalls: functions handed to runners, which call them on a
	// goroutine (RunWorker(ctx, fn)).
	runnerCalls []runnerCall
}

func newChecker(pass *analysis.Pass, dirs *directive.Set, prog *program.Program) *checker {
	return &checker{pass: pass, dirs: dirs, prog: prog, sums: map[*ssa.Function]*Summary{}}
}

func (c *checker) report(d analysis.Diagnostic) {
	if !d.Pos.IsValid() || c.dirs.Suppressed(name, d.Pos) {
		return
	}
	c.diags = append(c.diags, d)
}

// flush reports the collected diagnostics in position order, one per
// position: the first rule to speak about an operation names it.
func (c *checker) flush() {
	sort.SliceStable(c.diags, func(i, j int) bool { return c.diags[i].Pos < c.diags[j].Pos })
	last := token.NoPos
	for _, d := range c.diags {
		if d.Pos == last {
			continue
		}
		last = d.Pos
		c.pass.Report(d)
	}
}

func (c *checker) line(pos token.Pos) int { return c.pass.Fset.Position(pos).Line }

// name names fn for messages, qualified by its package's name when it is
// not this package's.
func (c *checker) name(fn *ssa.Function) string {
	if fn.Pkg != nil && fn.Pkg != c.prog.Pkg && fn.Parent() == nil {
		if fn.Signature.Recv() != nil {
			return fmt.Sprintf("(%s).%s", types.TypeString(fn.Signature.Recv().Type(), (*types.Package).Name), fn.Name())
		}
		return fn.Pkg.Pkg.Name() + "." + fn.Name()
	}
	return displayName(fn)
}

// displayName names fn the way messages do: feeds.Open, (*feeds.Client).Get,
// feeds.Poll.func1.
func displayName(fn *ssa.Function) string {
	if p := fn.Parent(); p != nil {
		i := strings.LastIndex(fn.Name(), "$")
		return displayName(p) + ".func" + fn.Name()[i+1:]
	}
	if recv := fn.Signature.Recv(); recv != nil {
		return fmt.Sprintf("(%s).%s", types.TypeString(recv.Type(), types.RelativeTo(fn.Pkg.Pkg)), fn.Name())
	}
	return fn.Name()
}
