package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Settings are one analyzer's settings: flag name → value. The keys are
// checked against the analyzer's Flags, so a flag added to an analyzer is a
// setting with no change here.
type Settings map[string]Value

// Value is a setting's value in the form the flag's Set takes: a string, a
// bool or a number as written, a list joined with commas.
type Value string

// UnmarshalJSON accepts a string, a bool, a number or a list of those.
// (register.DecodeSettings hands golangci-lint's YAML over as JSON.)
func (v *Value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		parts := make([]string, len(list))
		for i, e := range list {
			s, err := scalar(e)
			if err != nil {
				return fmt.Errorf("list element %d: %w", i, err)
			}
			parts[i] = s
		}
		*v = Value(strings.Join(parts, ","))
		return nil
	}
	s, err := scalar(b)
	if err != nil {
		return err
	}
	*v = Value(s)
	return nil
}

// scalar returns a JSON string, bool or number as the text a flag takes.
func scalar(b json.RawMessage) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", errors.New("empty value")
	}
	switch b[0] {
	case '"':
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	case 't', 'f':
		var x bool
		if err := json.Unmarshal(b, &x); err != nil {
			return "", err
		}
		return fmt.Sprint(x), nil
	case 'n':
		return "", errors.New("null: want a string, a bool, a number or a list of those")
	case '{', '[':
		return "", fmt.Errorf("%s: want a string, a bool, a number or a list of those", b)
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// apply sets a's flags from s, in the order of the keys so that errors are
// deterministic. A key that is not a flag of a is an error naming the
// flags there are.
func (s Settings) apply(a *analysis.Analyzer) error {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if a.Flags.Lookup(k) == nil {
			return fmt.Errorf("%s: unknown setting %q (the settings are the analyzer's flags: %s)", a.Name, k, flagNames(&a.Flags))
		}
		if err := a.Flags.Set(k, string(s[k])); err != nil {
			return fmt.Errorf("%s: setting %s: %w", a.Name, k, err)
		}
	}
	return nil
}

func flagNames(fs *flag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
