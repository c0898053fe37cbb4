package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/suggest"
)

// ConfigError is one problem in a channel's transformers JSON, found at
// save time. Path names the entry in the user's terms
// ("transformers[2][1].max_tokens") so the dashboard can point at it.
type ConfigError struct {
	Path    string
	Message string
}

func (e *ConfigError) Error() string { return e.Path + ": " + e.Message }

// Parse validates a channel's transformers JSON and compiles it into a
// Pipeline. It is meant for save time (the error goes back to the user)
// and for loading the catalogue.
//
// The JSON is an array of entries, each one of:
//
//	"name"                                        a built-in without options
//	["name", {options}]                           a built-in with options
//	{"name": "name", …options}                    the same, as one object
//	{"models": ["glm-*", …], "use": [entries…]}   entries for some upstream models only
//
// Model globs match the upstream model name, ignoring case; "*" matches any
// run of characters (slashes too) and "?" one character. Groups do not
// nest. Empty input, null and [] give a nil (empty) pipeline.
//
// Every problem found is reported: one *ConfigError, or several joined
// with errors.Join (each still a *ConfigError under errors.As).
func Parse(raw json.RawMessage) (*Pipeline, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return nil, nil
	}
	var list []json.RawMessage
	if t[0] != '[' {
		return nil, &ConfigError{Path: "transformers", Message: `must be a JSON array, e.g. ["cleancache", ["maxtoken", {"max_tokens": 8192}]]`}
	}
	if err := json.Unmarshal(t, &list); err != nil {
		return nil, &ConfigError{Path: "transformers", Message: "invalid JSON: " + err.Error()}
	}
	ps := &parser{p: &Pipeline{}}
	for i, e := range list {
		ps.entry(e, fmt.Sprintf("transformers[%d]", i), -1)
	}
	switch len(ps.errs) {
	case 0:
	case 1:
		return nil, ps.errs[0]
	default:
		return nil, errors.Join(ps.errs...)
	}
	if len(ps.p.entries) == 0 {
		return nil, nil
	}
	var base []step
	for _, e := range ps.p.entries {
		if e.group < 0 {
			base = append(base, e.step)
		}
	}
	ps.p.base = newChain(base)
	return ps.p, nil
}

// parser collects a pipeline's entries and every error found on the way.
type parser struct {
	p    *Pipeline
	errs []error
}

func (ps *parser) fail(path, format string, a ...any) {
	ps.errs = append(ps.errs, &ConfigError{Path: path, Message: fmt.Sprintf(format, a...)})
}

const entryShape = `must be "name", ["name", {options}] or {"models": [...], "use": [...]}`

// entry reads one entry at path; group is the model group it sits in.
func (ps *parser) entry(raw json.RawMessage, path string, group int) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		ps.fail(path, entryShape)
		return
	}
	switch raw[0] {
	case '"':
		var name string
		if json.Unmarshal(raw, &name) != nil {
			ps.fail(path, entryShape)
			return
		}
		ps.add(name, path, nil, path, group)
	case '[':
		var parts []json.RawMessage
		if json.Unmarshal(raw, &parts) != nil || len(parts) == 0 || len(parts) > 2 {
			ps.fail(path, `must be ["name"] or ["name", {options}]`)
			return
		}
		var name string
		if json.Unmarshal(parts[0], &name) != nil {
			ps.fail(path+"[0]", "must be a transformer name (a string)")
			return
		}
		var opts map[string]json.RawMessage
		if len(parts) == 2 {
			if !isObject(parts[1]) || json.Unmarshal(parts[1], &opts) != nil {
				ps.fail(path+"[1]", "options must be a JSON object")
				return
			}
		}
		ps.add(name, path+"[0]", opts, path+"[1]", group)
	case '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			ps.fail(path, entryShape)
			return
		}
		if _, ok := obj["name"]; ok {
			var name string
			if json.Unmarshal(obj["name"], &name) != nil {
				ps.fail(path+".name", "must be a transformer name (a string)")
				return
			}
			delete(obj, "name")
			ps.add(name, path+".name", obj, path, group)
			return
		}
		ps.group(obj, path, group)
	default:
		ps.fail(path, entryShape)
	}
}

// group reads a model-scoped group {"models": [...], "use": [...]}.
func (ps *parser) group(obj map[string]json.RawMessage, path string, outer int) {
	if outer >= 0 {
		ps.fail(path, "model groups cannot nest: list the models in one group")
		return
	}
	for _, k := range sortedKeys(obj) {
		if k != "models" && k != "use" {
			ps.fail(path+"."+k, "unknown key%s: a group has \"models\" and \"use\"", didYouMean(k, []string{"models", "use"}))
		}
	}
	var globs []string
	if err := json.Unmarshal(obj["models"], &globs); err != nil || len(globs) == 0 {
		ps.fail(path+".models", `must be a non-empty array of model names or globs, e.g. ["glm-*"]`)
	}
	for i, g := range globs {
		if strings.TrimSpace(g) == "" {
			ps.fail(fmt.Sprintf("%s.models[%d]", path, i), "must not be empty")
		}
	}
	var use []json.RawMessage
	if raw := bytes.TrimSpace(obj["use"]); len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &use) != nil {
		ps.fail(path+".use", "must be an array of transformers")
		return
	}
	g := len(ps.p.groups)
	ps.p.groups = append(ps.p.groups, globs)
	for i, e := range use {
		ps.entry(e, fmt.Sprintf("%s.use[%d]", path, i), g)
	}
}

// add builds the built-in name (named at namePath) with opts (at optsPath).
func (ps *parser) add(name, namePath string, opts map[string]json.RawMessage, optsPath string, group int) {
	b, ok := lookup(name)
	if !ok {
		ps.fail(namePath, "unknown transformer %q%s", name, didYouMean(name, Names()))
		return
	}
	o := &options{path: optsPath, raw: opts}
	s := b.build(o)
	o.checkUnknown(b.options)
	if len(o.errs) > 0 {
		ps.errs = append(ps.errs, o.errs...)
		return
	}
	ps.p.entries = append(ps.p.entries, entry{step: s, group: group})
}

func isObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// didYouMean returns ` (did you mean "x"?)` for the candidate closest to s,
// when one is close enough to be a typo, and "" otherwise.
func didYouMean(s string, candidates []string) string {
	best := suggest.Closest(s, candidates)
	if best == "" {
		return ""
	}
	return " (did you mean " + strconv.Quote(best) + "?)"
}
