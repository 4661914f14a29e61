package ctxleak

import (
	"fmt"
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A lockEdge says that a function acquires to while holding from.
type lockEdge struct {
	from, to object
	fromRead bool
	toRead   bool
	heldPos  token.Pos // where from was locked
	at       token.Pos // where to is acquired (the Lock, or the call that locks it)
	fn       *ssa.Function
	held     map[object]heldAt
	via      *ssa.Function // the callee that locks to, or nil
	// fromOuter, toOuter: the fields holding the structs whose mutex
	// fields from and to are, when reached through one (c.in.Mutex is
	// not c.out.Mutex, though both are field Mutex of halfConn).
	fromOuter, toOuter *types.Var
}

// checkLockOrder reports two mutexes acquired in opposite orders by two
// functions of the package: one goroutine holding A waits for B while
// another holding B waits for A. Mutexes are objects (a field of a type),
// so two different fields are needed; orders taken under a common third
// lock cannot interleave and are left alone.
func (c *checker) checkLockOrder() {
	edges := map[[2]object][]*lockEdge{}
	for _, fn := range c.prog.Funcs {
		held := c.heldObjects(fn)
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				h := held[instr]
				if len(h) == 0 {
					continue
				}
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				for _, acq := range c.acquisitions(call) {
					for from, ha := range h {
						if from == acq.obj || from.field == nil || acq.obj.field == nil {
							continue
						}
						e := &lockEdge{from: from, to: acq.obj, fromRead: ha.read, toRead: acq.read,
							heldPos: ha.pos, at: call.Pos(), fn: fn, held: h, via: acq.via,
							fromOuter: ha.outer, toOuter: acq.outer}
						key := [2]object{from, acq.obj}
						edges[key] = append(edges[key], e)
					}
				}
			}
		}
	}
	reported := map[[2]object]bool{}
	keys := make([][2]object, 0, len(edges))
	for k := range edges {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return edges[keys[i]][0].at < edges[keys[j]][0].at })
	for _, k := range keys {
		rev := [2]object{k[1], k[0]}
		if reported[k] || reported[rev] {
			continue
		}
		for _, e1 := range edges[k] {
			e2 := inverted(e1, edges[rev])
			if e2 == nil {
				continue
			}
			// Report at the later of the two, naming the earlier.
			if e2.at < e1.at {
				e1, e2 = e2, e1
			}
			c.reportLockOrder(e2, e1)
			reported[k] = true
			break
		}
	}
}

// inverted returns an edge of others that deadlocks with e: the modes
// conflict on both mutexes, the two are not the same acquisition, and no
// third mutex is held at both.
func inverted(e *lockEdge, others []*lockEdge) *lockEdge {
	for _, o := range others {
		if o.at == e.at {
			continue
		}
		if e.fromRead && o.toRead || e.toRead && o.fromRead {
			continue // readers share
		}
		if e.fromOuter != o.toOuter || e.toOuter != o.fromOuter {
			continue // perhaps two mutexes of one type, in different places
		}
		common := false
		for m := range e.held {
			if m != e.from && m != e.to {
				if _, ok := o.held[m]; ok {
					common = true
				}
			}
		}
		if !common {
			return o
		}
	}
	return nil
}

type acquisition struct {
	obj   object
	outer *types.Var
	read  bool
	via   *ssa.Function
}

// lockID is a mutex object and the field holding its struct, if any.
type lockID struct {
	obj   object
	outer *types.Var
}

// outerField returns the field through which the struct holding the mutex
// field at v is reached: in for &c.in.Mutex or &c.in.mu (in a pointer).
func outerField(v ssa.Value) *types.Var {
	fa, ok := v.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	x := fa.X
	if ld, ok := x.(*ssa.UnOp); ok && ld.Op == token.MUL {
		x = ld.X
	}
	if inner, ok := x.(*ssa.FieldAddr); ok {
		if o, ok := fieldObject(inner.X.Type(), inner.Field); ok {
			return o.field
		}
	}
	return nil
}

// acquisitions returns the mutexes a call locks: the mutex of a Lock or
// RLock, or those a function of this package it calls locks (a few calls
// deep).
func (c *checker) acquisitions(call *ssa.Call) []acquisition {
	if sc, ok := syncMethod(call.Common()); ok {
		if sc.method != "Lock" && sc.method != "RLock" {
			return nil
		}
		if o, ok := objectOf(sc.recv); ok {
			return []acquisition{{obj: o, outer: outerField(sc.recv), read: sc.method == "RLock"}}
		}
		return nil
	}
	callee, _ := c.prog.Callee(call.Common())
	if callee == nil || callee.Pkg != c.prog.Pkg {
		return nil
	}
	var out []acquisition
	for id, read := range c.lockedIn(origin(callee)) {
		out = append(out, acquisition{obj: id.obj, outer: id.outer, read: read, via: origin(callee)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].obj.field.Name() < out[j].obj.field.Name() })
	return out
}

// lockedIn returns the field mutexes fn locks, directly or through the
// functions of this package it calls, and whether only for reading.
func (c *checker) lockedIn(fn *ssa.Function) map[lockID]bool {
	out := map[lockID]bool{}
	c.inCallTree(fn, false, func(instr ssa.Instruction) {
		call, ok := instr.(*ssa.Call)
		if !ok {
			return
		}
		sc, ok := syncMethod(call.Common())
		if !ok || sc.method != "Lock" && sc.method != "RLock" {
			return
		}
		if o, ok := objectOf(sc.recv); ok && o.field != nil {
			id := lockID{o, outerField(sc.recv)}
			read, had := out[id]
			out[id] = sc.method == "RLock" && (!had || read)
		}
	})
	return out
}

func (c *checker) reportLockOrder(e, other *lockEdge) {
	how := ""
	if e.via != nil {
		how = fmt.Sprintf(" (through %s)", displayName(e.via))
	}
	c.report(analysis.Diagnostic{
		Pos:      e.at,
		Category: catLock,
		Message: fmt.Sprintf("%s locks %s%s while holding %s (locked at line %d), but %s locks them the other way round (line %d): "+
			"two goroutines taking both can deadlock, each holding what the other waits for; always lock them in one order",
			displayName(e.fn), describeObject(e.to), how, describeObject(e.from), c.line(e.heldPos), displayName(other.fn), c.line(other.at)),
		Related: []analysis.RelatedInformation{
			{Pos: e.heldPos, Message: "the first lock is taken here"},
			{Pos: other.at, Message: "the other order"},
		},
	})
}
