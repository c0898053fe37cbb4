package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// builtin describes one built-in transformer: its name, the option keys it
// knows, and how to build it from validated options.
type builtin struct {
	name    string
	options []string
	build   func(o *options) step
}

// builtins is the read-only table of built-in transformers, in the order
// the dashboard lists them.
var builtins = [...]builtin{
	{"maxtoken", []string{"max_tokens"}, buildMaxToken},
	{"sampling", []string{"temperature", "top_p", "top_k"}, buildSampling},
	{"cleancache", nil, func(*options) step { return cleanCache{} }},
	{"reasoning", []string{"effort", "budget_tokens", "disable"}, buildReasoning},
	{"tooluse", nil, func(*options) step { return toolUse{} }},
	{"toolrepair", nil, func(*options) step { return toolRepair{} }},
	{"streamoptions", nil, func(*options) step { return streamOptions{} }},
	{"customparams", []string{"params"}, buildCustomParams},
	{"headers", []string{"set", "remove"}, buildHeaders},
}

// Names lists the built-in transformers, for the dashboard. The caller
// owns the returned slice.
func Names() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	return names
}

func lookup(name string) (builtin, bool) {
	for _, b := range builtins {
		if b.name == name {
			return b, true
		}
	}
	return builtin{}, false
}

// options reads one entry's options object key by key, recording every
// problem with its path rather than stopping at the first.
type options struct {
	path string
	raw  map[string]json.RawMessage
	errs []error
}

func (o *options) fail(key, format string, a ...any) {
	o.errs = append(o.errs, &ConfigError{Path: o.path + "." + key, Message: fmt.Sprintf(format, a...)})
}

// get returns the raw value of key; null counts as present.
func (o *options) get(key string) (json.RawMessage, bool) {
	v, ok := o.raw[key]
	return bytes.TrimSpace(v), ok
}

func isNull(v json.RawMessage) bool { return string(v) == "null" }

// require records an error when key is missing.
func (o *options) require(key, example string) bool {
	if _, ok := o.raw[key]; !ok {
		o.errs = append(o.errs, &ConfigError{Path: o.path, Message: fmt.Sprintf("%q is required, e.g. %s", key, example)})
		return false
	}
	return true
}

// positiveInt reads key as an integer > 0; ok is false when it is absent
// or invalid (the error is recorded).
func (o *options) positiveInt(key string) (n int, ok bool) {
	v, present := o.get(key)
	if !present {
		return 0, false
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n <= 0 {
		o.fail(key, "must be a positive integer")
		return 0, false
	}
	return n, true
}

// number reads key as a number in [lo, hi]. set says whether key was
// given; a null value gives set true and v nil (remove the value).
func (o *options) number(key string, lo, hi float64) (v *float64, set bool) {
	raw, present := o.get(key)
	if !present {
		return nil, false
	}
	if isNull(raw) {
		return nil, true
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || math.IsNaN(f) || f < lo || f > hi {
		o.fail(key, "must be a number from %g to %g, or null to remove it", lo, hi)
		return nil, false
	}
	return &f, true
}

// boolean reads key as true or false.
func (o *options) boolean(key string) (b, set bool) {
	raw, present := o.get(key)
	if !present {
		return false, false
	}
	if err := json.Unmarshal(raw, &b); err != nil || isNull(raw) {
		o.fail(key, "must be true or false")
		return false, false
	}
	return b, true
}

// enum reads key as one of values.
func (o *options) enum(key string, values ...string) (s string, set bool) {
	raw, present := o.get(key)
	if !present {
		return "", false
	}
	if err := json.Unmarshal(raw, &s); err != nil || !slices.Contains(values, s) {
		o.fail(key, "must be one of %q", values)
		return "", false
	}
	return s, true
}

// checkUnknown records an error for every key the transformer does not
// know, with the closest known key as a suggestion.
func (o *options) checkUnknown(known []string) {
	for _, k := range sortedKeys(o.raw) {
		if slices.Contains(known, k) {
			continue
		}
		if len(known) == 0 {
			o.fail(k, "unknown option: this transformer takes no options")
			continue
		}
		o.fail(k, "unknown option%s: known options are %q", didYouMean(k, known), known)
	}
}
