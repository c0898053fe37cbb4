package route

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"

	"github.com/routex-app/routex/backend/suggest"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Defaults for the zero values of Config.
const (
	DefaultLongContextTokens = 60000
	DefaultBackgroundModel   = "(?i)haiku"
)

// The built-in scenarios that have a route, in the order Select checks them
// (default last).
const (
	ScenarioLongContext = "long_context"
	ScenarioWebSearch   = "web_search"
	ScenarioImage       = "image"
	ScenarioThink       = "think"
	ScenarioBackground  = "background"
	ScenarioDefault     = "default"
)

// Scenarios lists the routed scenarios in the order people read them
// (default first). It is the one list of scenario names: the store fills
// every one, the API and the CLI validate with it, and the dashboard gets it
// through the generated API types.
var Scenarios = []string{ScenarioDefault, ScenarioBackground, ScenarioThink, ScenarioLongContext, ScenarioWebSearch, ScenarioImage}

// KnownScenario reports whether name is one of Scenarios.
func KnownScenario(name string) bool { return slices.Contains(Scenarios, name) }

// The scenarios a Decision names besides the routed ones above.
const (
	ScenarioExplicit = "explicit"
	ScenarioSubagent = "subagent"
	ScenarioRule     = "rule"
)

// Config is what Compile needs, taken from store.Routes plus the background
// pattern.
type Config struct {
	Routes            map[string][]string // scenario → targets: default, background, think, long_context, web_search, image; other keys are ignored
	Strategy          string              // global default strategy (not validated here: package balance owns the names)
	Strategies        map[string]string   // per-scenario strategy override, including "explicit", "subagent"; may be nil
	LongContextTokens int                 // DefaultLongContextTokens when 0 or less
	BackgroundModel   string              // regexp on the client model; DefaultBackgroundModel when ""
	Rules             json.RawMessage     // JSON array of Rule; empty or null = no rules
}

// CompileError says what is wrong in a routing configuration, in words a
// user can act on. Index is the rule's position in Rules, or -1 for errors
// outside the rules (Field then names the setting: "routes.think[1]",
// "background_model", "rules").
type CompileError struct {
	Index   int
	Name    string // the rule's name, "" if it has none or for non-rule errors
	Field   string // JSON name of the field: "expr", "targets[0]", "model", …
	Message string
}

func (e *CompileError) Error() string {
	where := e.Field
	if e.Index >= 0 {
		where = fmt.Sprintf("rules[%d]", e.Index)
		if e.Field != "" {
			where += "." + e.Field
		}
		if e.Name != "" {
			where += fmt.Sprintf(" (rule '%s')", e.Name)
		}
	}
	return where + ": " + e.Message
}

// CompileErrors lists the *CompileError values in err, which Compile returns
// alone or joined, so the API can show each one next to its field.
func CompileErrors(err error) []*CompileError {
	var out []*CompileError
	var ce *CompileError
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, CompileErrors(e)...)
		}
	} else if errors.As(err, &ce) {
		out = append(out, ce)
	}
	return out
}

// Table is a compiled routing configuration. It is immutable and safe for
// concurrent use; build a new one with Compile when the configuration
// changes.
type Table struct {
	strategy    string
	strategies  map[string]string
	longContext int
	background  *regexp.Regexp
	routes      map[string]route // the built-in scenarios only
	rules       []rule
	vms         sync.Pool // *vm.VM, reused across expression runs
}

// route is a scenario's compiled route. targets is nil when empty.
type route struct {
	targets  []Target
	strategy string
}

// Compile validates and compiles c into a Table: regular expressions, expr
// programs (typed against Summary, required to return bool) and targets.
// All problems are reported at once, as a *CompileError or, for several, an
// errors.Join of them (see CompileErrors).
func Compile(c Config) (*Table, error) {
	t := &Table{
		strategy:    c.Strategy,
		strategies:  c.Strategies,
		longContext: c.LongContextTokens,
		routes:      map[string]route{},
	}
	t.vms.New = func() any { return new(vm.VM) }
	if t.longContext <= 0 {
		t.longContext = DefaultLongContextTokens
	}
	var errs []error
	bg := c.BackgroundModel
	if bg == "" {
		bg = DefaultBackgroundModel
	}
	re, err := regexp.Compile(bg)
	if err != nil {
		errs = append(errs, &CompileError{Index: -1, Field: "background_model", Message: regexpMessage(err)})
	}
	t.background = re
	for _, name := range []string{ScenarioDefault, ScenarioBackground, ScenarioThink, ScenarioLongContext, ScenarioWebSearch, ScenarioImage} {
		targets, tErrs := compileTargets(c.Routes[name], func(i int) *CompileError {
			return &CompileError{Index: -1, Field: fmt.Sprintf("routes.%s[%d]", name, i)}
		})
		errs = append(errs, tErrs...)
		t.routes[name] = route{targets: targets, strategy: t.strategyFor(name)}
	}
	rules, rErrs := compileRules(c.Rules)
	t.rules = rules
	errs = append(errs, rErrs...)
	switch len(errs) {
	case 0:
		return t, nil
	case 1:
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}

// strategyFor is the scenario's override, else the global strategy.
func (t *Table) strategyFor(scenario string) string {
	if s := t.strategies[scenario]; s != "" {
		return s
	}
	return t.strategy
}

// compileTargets parses targets; nil when there are none.
func compileTargets(in []string, at func(i int) *CompileError) ([]Target, []error) {
	var out []Target
	var errs []error
	for i, s := range in {
		tg, ok := ParseTarget(s)
		if !ok {
			e := at(i)
			e.Message = fmt.Sprintf("target %q has no channel name; write \"channel,model\" or \"channel\"", s)
			errs = append(errs, e)
			continue
		}
		out = append(out, tg)
	}
	return out, errs
}

func compileRules(raw json.RawMessage) ([]rule, []error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, []error{&CompileError{Index: -1, Field: "rules", Message: "not a JSON array of rules: " + jsonMessage(err)}}
	}
	var rules []rule
	var errs []error
	for i, item := range items {
		var r Rule
		dec := json.NewDecoder(bytes.NewReader(item))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			errs = append(errs, &CompileError{Index: i, Message: jsonMessage(err)})
			continue
		}
		cr, rErrs := compileRule(i, r)
		errs = append(errs, rErrs...)
		rules = append(rules, cr)
	}
	return rules, errs
}

func compileRule(i int, r Rule) (rule, []error) {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, &CompileError{Index: i, Name: r.Name, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	cr := rule{
		label:      r.Name,
		enabled:    r.Enabled == nil || *r.Enabled,
		hasTools:   r.HasTools,
		hasImage:   r.HasImage,
		minTokens:  r.MinTokens,
		maxTokens:  r.MaxTokens,
		keyword:    r.Keyword,
		exprSource: r.Expr,
		strategy:   r.Strategy,
	}
	if cr.label == "" {
		cr.label = fmt.Sprintf("rules[%d]", i)
	}
	if r.Model != "" {
		if _, err := regexp.Compile(r.Model); err != nil {
			fail("model", "%s", regexpMessage(err))
		} else {
			cr.model = regexp.MustCompile("(?i)" + r.Model)
		}
	}
	if r.MinTokens < 0 {
		fail("min_tokens", "must not be negative")
	}
	if r.MaxTokens < 0 {
		fail("max_tokens", "must not be negative")
	}
	if r.MinTokens > 0 && r.MaxTokens > 0 && r.MinTokens > r.MaxTokens {
		fail("min_tokens", "min_tokens %d is above max_tokens %d, so no request can match", r.MinTokens, r.MaxTokens)
	}
	if r.Header != "" {
		name, value, ok := strings.Cut(r.Header, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" {
			fail("header", "want \"name=value\" (value may use *), e.g. \"x-team=backend\"; got %q", r.Header)
		} else {
			cr.headerName, cr.headerGlob = name, strings.TrimSpace(value)
			cr.headerParts = strings.Split(cr.headerGlob, "*")
		}
	}
	if strings.TrimSpace(r.Expr) != "" {
		p, err := expr.Compile(r.Expr, expr.Env(Summary{}), expr.AsBool())
		if err != nil {
			fail("expr", "%s", exprMessage(err))
		}
		cr.program = p
	}
	if len(r.Targets) == 0 {
		fail("targets", "a rule needs at least one target \"channel,model\"")
	}
	targets, tErrs := compileTargets(r.Targets, func(j int) *CompileError {
		return &CompileError{Index: i, Name: r.Name, Field: fmt.Sprintf("targets[%d]", j)}
	})
	cr.targets = targets
	return cr, append(errs, tErrs...)
}

func regexpMessage(err error) string {
	var re *syntax.Error
	if errors.As(err, &re) {
		return fmt.Sprintf("not a valid regular expression: %s in %q", re.Code, re.Expr)
	}
	return "not a valid regular expression: " + err.Error()
}

func jsonMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if field, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if s := suggest.Closest(strings.Trim(field, `"`), jsonFieldNames()); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
	}
	return msg
}

// exprMessage is expr's message without its source snippet, plus a
// suggestion for a misspelt Summary field.
func exprMessage(err error) string {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return err.Error()
	}
	msg := fe.Message
	if name, ok := strings.CutPrefix(msg, "unknown name "); ok {
		// The name says where the problem is; a column would add nothing.
		if s := suggest.Closest(name, summaryFieldNames()); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return msg
	}
	if fe.Snippet != "" {
		msg += fmt.Sprintf(" at column %d", fe.Column+1)
	}
	return msg
}

func summaryFieldNames() []string {
	t := reflect.TypeFor[Summary]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return names
}

func jsonFieldNames() []string {
	t := reflect.TypeFor[Rule]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return names
}
