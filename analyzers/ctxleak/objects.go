package ctxleak

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// An object is what a mutex, channel or WaitGroup value refers to, as far
// as the package shows: a field of one of its struct types (every instance
// alike: s.mu in one method is s.mu in another), or one channel or
// variable made in a function (followed into the closures that capture
// it). Paths (path.go) name objects per function; objects are what two
// functions that never call each other can agree on.
type object struct {
	field *types.Var   // a struct field, or nil
	owner *types.Named // the struct type declaring field
	made  ssa.Value    // a MakeChan or an Alloc, when field is nil
}

func (o object) valid() bool { return o.field != nil || o.made != nil }

// objectOf returns the object v refers to (v a pointer to a mutex or
// WaitGroup, or a channel).
func objectOf(v ssa.Value) (object, bool) { return objectDepth(v, 0) }

func objectDepth(v ssa.Value, depth int) (object, bool) {
	if depth > 8 {
		return object{}, false
	}
	switch v := v.(type) {
	case *ssa.FieldAddr:
		return fieldObject(v.X.Type(), v.Field)
	case *ssa.Field:
		return fieldObject(v.X.Type(), v.Field)
	case *ssa.MakeChan:
		return object{made: v}, true
	case *ssa.Alloc:
		return object{made: v}, true
	case *ssa.ChangeType:
		return objectDepth(v.X, depth+1)
	case *ssa.UnOp:
		if v.Op != token.MUL {
			break
		}
		switch x := v.X.(type) {
		case *ssa.FieldAddr:
			return fieldObject(x.X.Type(), x.Field)
		case *ssa.Alloc:
			if st := onlyStore(x); st != nil {
				return objectDepth(st.Val, depth+1)
			}
		case *ssa.FreeVar:
			if b := binding(x); b != nil {
				if a, ok := b.(*ssa.Alloc); ok {
					if st := onlyStore(a); st != nil {
						return objectDepth(st.Val, depth+1)
					}
				}
			}
		}
	case *ssa.FreeVar:
		if b := binding(v); b != nil {
			return objectDepth(b, depth+1)
		}
	case *ssa.Call:
		// A getter: a function whose every return is the same object.
		fn := v.Call.StaticCallee()
		if fn == nil || len(fn.Blocks) == 0 || fn.Signature.Results().Len() != 1 {
			break
		}
		var o object
		for _, b := range fn.Blocks {
			if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
				if k, ok := ret.Results[0].(*ssa.Const); ok && k.IsNil() {
					continue // if s == nil { return nil }
				}
				ro, ok := objectDepth(ret.Results[0], depth+1)
				if !ok || (o.valid() && ro != o) {
					return object{}, false
				}
				o = ro
			}
		}
		return o, o.valid()
	case *ssa.Phi:
		var o object
		for i, e := range v.Edges {
			eo, ok := objectDepth(e, depth+1)
			if !ok || (i > 0 && eo != o) {
				return object{}, false
			}
			o = eo
		}
		return o, o.valid()
	}
	return object{}, false
}

// fieldObject returns the object for field i of the named struct type t
// points to (or is).
func fieldObject(t types.Type, i int) (object, bool) {
	named, ok := types.Unalias(deref(t)).(*types.Named)
	if !ok {
		return object{}, false
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok || i >= st.NumFields() {
		return object{}, false
	}
	if o := named.Origin(); o != nil {
		named = o
		st = named.Underlying().(*types.Struct)
	}
	return object{field: st.Field(i), owner: named}, true
}

// binding returns the value a free variable is bound to, when its function
// is made as a closure exactly once.
func binding(fv *ssa.FreeVar) ssa.Value {
	fn := fv.Parent()
	idx := -1
	for i, f := range fn.FreeVars {
		if f == fv {
			idx = i
		}
	}
	parent := fn.Parent()
	if idx < 0 || parent == nil {
		return nil
	}
	var found ssa.Value
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			mc, ok := instr.(*ssa.MakeClosure)
			if !ok || mc.Fn != fn {
				continue
			}
			if found != nil {
				return nil
			}
			found = mc.Bindings[idx]
		}
	}
	return found
}

// describeObject names an object for messages: "field mu of Server", or
// the channel's or variable's name.
func describeObject(o object) string {
	if o.field != nil {
		return "field " + o.field.Name() + " of " + o.owner.Obj().Name()
	}
	if a, ok := o.made.(*ssa.Alloc); ok && a.Comment != "" {
		return a.Comment
	}
	return "the channel"
}
