package sarif

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
)

// Validate checks that data is a SARIF 2.1.0 log with the properties the
// format requires of the objects asynclint writes, and the constraints
// between them (a result's ruleIndex names the rule of its ruleId, a
// relative location's base is defined, related locations have distinct
// ids). It decodes data generically, so that it checks the JSON and not
// the Go types that produced it. It does not stand in for the JSON
// schema, which covers much that asynclint never writes.
//
// It returns every problem found, each with its JSON path.
func Validate(data []byte) error {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	v := &validator{}
	v.log(doc)
	return errors.Join(v.errs...)
}

type validator struct {
	errs []error
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// object returns x as an object, reporting it if it is not one.
func (v *validator) object(path string, x any) map[string]any {
	m, ok := x.(map[string]any)
	if !ok {
		v.errorf(path, "want an object, got %s", kind(x))
	}
	return m
}

// array returns the array m[key], reporting it if it is missing (when
// required), not an array, or empty (when nonEmpty).
func (v *validator) array(path string, m map[string]any, key string, required, nonEmpty bool) []any {
	x, ok := m[key]
	if !ok {
		if required {
			v.errorf(path+"."+key, "missing")
		}
		return nil
	}
	a, ok := x.([]any)
	if !ok {
		v.errorf(path+"."+key, "want an array, got %s", kind(x))
		return nil
	}
	if nonEmpty && len(a) == 0 {
		v.errorf(path+"."+key, "empty")
	}
	return a
}

// str returns the string m[key], reporting it if it is missing (when
// required), not a string, or empty.
func (v *validator) str(path string, m map[string]any, key string, required bool) (string, bool) {
	x, ok := m[key]
	if !ok {
		if required {
			v.errorf(path+"."+key, "missing")
		}
		return "", false
	}
	s, ok := x.(string)
	if !ok {
		v.errorf(path+"."+key, "want a string, got %s", kind(x))
		return "", false
	}
	if s == "" {
		v.errorf(path+"."+key, "empty")
	}
	return s, true
}

// integer returns the integer m[key], reporting it if it is missing
// (when required), not an integer, or less than lo.
func (v *validator) integer(path string, m map[string]any, key string, required bool, lo int) (int, bool) {
	x, ok := m[key]
	if !ok {
		if required {
			v.errorf(path+"."+key, "missing")
		}
		return 0, false
	}
	f, ok := x.(float64)
	if !ok || f != math.Trunc(f) {
		v.errorf(path+"."+key, "want an integer, got %v", x)
		return 0, false
	}
	if int(f) < lo {
		v.errorf(path+"."+key, "%v is less than %d", f, lo)
		return 0, false
	}
	return int(f), true
}

// message checks a message object m[key], which must have text.
func (v *validator) message(path string, m map[string]any, key string, required bool) {
	x, ok := m[key]
	if !ok {
		if required {
			v.errorf(path+"."+key, "missing")
		}
		return
	}
	if msg := v.object(path+"."+key, x); msg != nil {
		v.str(path+"."+key, msg, "text", true)
	}
}

func (v *validator) log(doc any) {
	top := v.object("$", doc)
	if top == nil {
		return
	}
	if s, _ := v.str("$", top, "version", true); s != Version {
		v.errorf("$.version", "%q, want %q", s, Version)
	}
	if s, ok := v.str("$", top, "$schema", true); ok && !strings.Contains(s, "sarif") {
		v.errorf("$.$schema", "%q does not name a SARIF schema", s)
	}
	for i, r := range v.array("$", top, "runs", true, true) {
		v.run(fmt.Sprintf("$.runs[%d]", i), r)
	}
}

func (v *validator) run(path string, x any) {
	run := v.object(path, x)
	if run == nil {
		return
	}
	bases := make(map[string]bool)
	if x, ok := run["originalUriBaseIds"]; ok {
		if m := v.object(path+".originalUriBaseIds", x); m != nil {
			for id, loc := range m {
				p := path + ".originalUriBaseIds." + id
				if l := v.object(p, loc); l != nil {
					if u, ok := v.str(p, l, "uri", true); ok {
						if pu, err := url.Parse(u); err != nil || !pu.IsAbs() || !strings.HasSuffix(u, "/") {
							v.errorf(p+".uri", "%q is not an absolute URI ending in a slash", u)
						}
					}
				}
				bases[id] = true
			}
		}
	}

	var rules []string
	if tool := v.object(path+".tool", run["tool"]); tool != nil {
		if driver := v.object(path+".tool.driver", tool["driver"]); driver != nil {
			dp := path + ".tool.driver"
			v.str(dp, driver, "name", true)
			seen := make(map[string]bool)
			for i, r := range v.array(dp, driver, "rules", false, false) {
				rp := fmt.Sprintf("%s.rules[%d]", dp, i)
				rule := v.object(rp, r)
				if rule == nil {
					rules = append(rules, "")
					continue
				}
				id, _ := v.str(rp, rule, "id", true)
				if seen[id] {
					v.errorf(rp+".id", "%q repeats an earlier rule's id", id)
				}
				seen[id] = true
				rules = append(rules, id)
				v.message(rp, rule, "shortDescription", false)
				v.message(rp, rule, "fullDescription", false)
				v.message(rp, rule, "help", false)
				if s, ok := v.str(rp, rule, "helpUri", false); ok {
					if u, err := url.Parse(s); err != nil || !u.IsAbs() {
						v.errorf(rp+".helpUri", "%q is not an absolute URI", s)
					}
				}
			}
		}
	}

	for i, inv := range v.array(path, run, "invocations", false, false) {
		ip := fmt.Sprintf("%s.invocations[%d]", path, i)
		m := v.object(ip, inv)
		if m == nil {
			continue
		}
		if _, ok := m["executionSuccessful"].(bool); !ok {
			v.errorf(ip+".executionSuccessful", "missing or not a boolean")
		}
		for j, n := range v.array(ip, m, "toolExecutionNotifications", false, false) {
			np := fmt.Sprintf("%s.toolExecutionNotifications[%d]", ip, j)
			if nm := v.object(np, n); nm != nil {
				v.message(np, nm, "message", true)
				v.level(np, nm)
				for k, l := range v.array(np, nm, "locations", false, false) {
					v.location(fmt.Sprintf("%s.locations[%d]", np, k), l, bases, false)
				}
			}
		}
	}

	for i, r := range v.array(path, run, "results", true, false) {
		v.result(fmt.Sprintf("%s.results[%d]", path, i), r, rules, bases)
	}
}

func (v *validator) level(path string, m map[string]any) {
	if s, ok := v.str(path, m, "level", false); ok {
		switch s {
		case "none", "note", "warning", "error":
		default:
			v.errorf(path+".level", "%q is not a level", s)
		}
	}
}

func (v *validator) result(path string, x any, rules []string, bases map[string]bool) {
	res := v.object(path, x)
	if res == nil {
		return
	}
	v.message(path, res, "message", true)
	v.level(path, res)
	if _, ok := res["level"]; !ok {
		v.errorf(path+".level", "missing") // optional in the format, but we always say
	}
	id, _ := v.str(path, res, "ruleId", true)
	if i, ok := v.integer(path, res, "ruleIndex", true, 0); ok {
		switch {
		case i >= len(rules):
			v.errorf(path+".ruleIndex", "%d, but the driver has %d rules", i, len(rules))
		case rules[i] != id && !strings.HasPrefix(id, rules[i]+"/"):
			v.errorf(path+".ruleIndex", "%d names rule %q, not the ruleId %q", i, rules[i], id)
		}
	}
	for i, l := range v.array(path, res, "locations", true, true) {
		v.location(fmt.Sprintf("%s.locations[%d]", path, i), l, bases, false)
	}
	ids := make(map[int]bool)
	for i, l := range v.array(path, res, "relatedLocations", false, false) {
		lp := fmt.Sprintf("%s.relatedLocations[%d]", path, i)
		if id, ok := v.location(lp, l, bases, true); ok {
			if ids[id] {
				v.errorf(lp+".id", "%d repeats an earlier related location's id", id)
			}
			ids[id] = true
		}
	}
	for i, f := range v.array(path, res, "fixes", false, false) {
		fp := fmt.Sprintf("%s.fixes[%d]", path, i)
		fix := v.object(fp, f)
		if fix == nil {
			continue
		}
		v.message(fp, fix, "description", false)
		for j, c := range v.array(fp, fix, "artifactChanges", true, true) {
			cp := fmt.Sprintf("%s.artifactChanges[%d]", fp, j)
			change := v.object(cp, c)
			if change == nil {
				continue
			}
			v.artifact(cp+".artifactLocation", change["artifactLocation"], bases)
			for k, r := range v.array(cp, change, "replacements", true, true) {
				rp := fmt.Sprintf("%s.replacements[%d]", cp, k)
				repl := v.object(rp, r)
				if repl == nil {
					continue
				}
				if _, ok := repl["deletedRegion"]; !ok {
					v.errorf(rp+".deletedRegion", "missing")
				} else {
					v.region(rp+".deletedRegion", repl["deletedRegion"])
				}
				if ic, ok := repl["insertedContent"]; ok {
					if m := v.object(rp+".insertedContent", ic); m != nil {
						if _, ok := m["text"].(string); !ok {
							v.errorf(rp+".insertedContent.text", "missing or not a string")
						}
					}
				}
			}
		}
	}
}

// location checks a location; a related one must have an id and a
// message, which it returns.
func (v *validator) location(path string, x any, bases map[string]bool, related bool) (id int, hasID bool) {
	loc := v.object(path, x)
	if loc == nil {
		return 0, false
	}
	if related {
		id, hasID = v.integer(path, loc, "id", true, 0)
		v.message(path, loc, "message", true)
	} else {
		v.message(path, loc, "message", false)
	}
	phys, ok := loc["physicalLocation"]
	if !ok {
		v.errorf(path+".physicalLocation", "missing")
		return id, hasID
	}
	pl := v.object(path+".physicalLocation", phys)
	if pl == nil {
		return id, hasID
	}
	v.artifact(path+".physicalLocation.artifactLocation", pl["artifactLocation"], bases)
	if r, ok := pl["region"]; ok {
		v.region(path+".physicalLocation.region", r)
		if m, _ := r.(map[string]any); m != nil {
			if _, ok := m["startColumn"]; !ok {
				v.errorf(path+".physicalLocation.region.startColumn", "missing")
			}
		}
	} else {
		v.errorf(path+".physicalLocation.region", "missing")
	}
	return id, hasID
}

// artifact checks an artifact location: a relative URI with a base the
// run defines, or an absolute URI.
func (v *validator) artifact(path string, x any, bases map[string]bool) {
	if x == nil {
		v.errorf(path, "missing")
		return
	}
	al := v.object(path, x)
	if al == nil {
		return
	}
	s, ok := v.str(path, al, "uri", true)
	if !ok {
		return
	}
	u, err := url.Parse(s)
	if err != nil {
		v.errorf(path+".uri", "%q: %v", s, err)
		return
	}
	base, hasBase := v.str(path, al, "uriBaseId", false)
	switch {
	case hasBase && (u.IsAbs() || strings.HasPrefix(s, "/")):
		v.errorf(path+".uri", "%q has a uriBaseId but is not relative", s)
	case hasBase && len(bases) > 0 && !bases[base]:
		v.errorf(path+".uriBaseId", "%q is not among the run's originalUriBaseIds", base)
	case !hasBase && !u.IsAbs():
		v.errorf(path+".uri", "%q is relative but has no uriBaseId", s)
	}
}

// region checks a region given by lines and columns, bytes, or both.
func (v *validator) region(path string, x any) {
	r := v.object(path, x)
	if r == nil {
		return
	}
	_, hasLine := r["startLine"]
	_, hasByte := r["byteOffset"]
	if !hasLine && !hasByte {
		v.errorf(path, "neither startLine nor byteOffset")
		return
	}
	if hasLine {
		sl, _ := v.integer(path, r, "startLine", true, 1)
		sc, hasSC := v.integer(path, r, "startColumn", false, 1)
		el, hasEL := v.integer(path, r, "endLine", false, 1)
		ec, hasEC := v.integer(path, r, "endColumn", false, 1)
		if !hasEL {
			el = sl
		}
		if el < sl {
			v.errorf(path, "ends on line %d before it starts, on line %d", el, sl)
		}
		if hasSC && hasEC && el == sl && ec < sc {
			v.errorf(path, "ends at column %d before it starts, at column %d", ec, sc)
		}
	}
	if hasByte {
		v.integer(path, r, "byteOffset", true, 0)
		v.integer(path, r, "byteLength", false, 0)
	}
}

func kind(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", x)
}
