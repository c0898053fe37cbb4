package route

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/expr-lang/expr/vm"
)

// Rule is one user routing rule. Rules live in store.Routes.Rules as a JSON
// array, are tried in order, and the first enabled rule whose conditions all
// hold (AND) decides the targets. A rule with no condition matches every
// request. Example:
//
//	[
//	  {"name": "big prompts", "min_tokens": 50000, "targets": ["gemini,gemini-2.5-pro"]},
//	  {"name": "team a", "header": "x-team=a*", "targets": ["work-anthropic"]},
//	  {"name": "vision", "has_image": true, "targets": ["openrouter,openai/gpt-4o", "anthropic"], "strategy": "round_robin"},
//	  {"name": "custom", "expr": "Tokens > 20000 && Model matches 'opus' && !Stream", "targets": ["deepseek,deepseek-chat"]}
//	]
//
// Fields:
//   - name: shown in explanations and logs; "rules[i]" when empty.
//   - enabled: false turns the rule off without deleting it (default true).
//   - model: a regular expression (Go RE2 syntax) matched, case-insensitively,
//     anywhere in the client's model name; anchor with ^ and $ for a whole match.
//   - has_tools, has_image: true or false to require that the request does or
//     does not declare tools / carry an image in its last user turn.
//   - min_tokens, max_tokens: the estimated prompt tokens must be at least
//     min_tokens and at most max_tokens (0 = no bound).
//   - keyword: the last user message contains this text (case-insensitive).
//   - header: "name=value"; the request header name (case-insensitive) must be
//     present with that value, where * in value matches any run of characters.
//   - expr: an expr-lang expression over the request Summary (Model, Stream,
//     Thinking, HasTools, WebSearch, HasImage, Tokens, LastUserText, SystemTag,
//     UserID, Messages, Format, Headers["x-team"]) that returns a bool.
//   - targets: at least one "channel,model" (or "channel") to send the request to.
//   - strategy: how to balance among the targets (priority, round_robin, …);
//     empty = the global strategy.
type Rule struct {
	Name      string   `json:"name"`
	Enabled   *bool    `json:"enabled,omitempty"`
	Model     string   `json:"model,omitempty"`
	HasTools  *bool    `json:"has_tools,omitempty"`
	HasImage  *bool    `json:"has_image,omitempty"`
	MinTokens int      `json:"min_tokens,omitempty"`
	MaxTokens int      `json:"max_tokens,omitempty"`
	Keyword   string   `json:"keyword,omitempty"`
	Header    string   `json:"header,omitempty"`
	Expr      string   `json:"expr,omitempty"`
	Targets   []string `json:"targets"`
	Strategy  string   `json:"strategy,omitempty"`
}

// rule is a compiled Rule. Immutable after Compile.
type rule struct {
	label       string // name, or "rules[i]"
	enabled     bool
	model       *regexp.Regexp
	hasTools    *bool
	hasImage    *bool
	minTokens   int
	maxTokens   int
	keyword     string
	headerName  string // lower-cased; "" = no header condition
	headerGlob  string
	headerParts []string // headerGlob split at *
	program     *vm.Program
	exprSource  string
	targets     []Target
	strategy    string
}

// A rule's conditions, in the order they are checked.
type condition int

const (
	condEnabled condition = iota
	condModel
	condHasTools
	condHasImage
	condMinTokens
	condMaxTokens
	condKeyword
	condHeader
	condExpr
	condCount
)

// exprResult keeps the outcome of a rule's expression for its explanation.
type exprResult struct {
	ok  bool
	err error
}

// match reports whether r holds for s. With explain it also says why: the
// first condition that failed, or every condition that held. Without
// explain it builds no strings.
func (r *rule) match(s *Summary, run func(*vm.Program, *Summary) (bool, error), explain bool) (bool, string) {
	var ex exprResult
	failed := condCount
	for c := condEnabled; c < condCount; c++ {
		if r.set(c) && !r.holds(c, s, run, &ex) {
			failed = c
			break
		}
	}
	if !explain {
		return failed == condCount, ""
	}
	if failed < condCount {
		return false, fmt.Sprintf("rule '%s' skipped: %s", r.label, r.describe(failed, s, false, ex))
	}
	var held []string
	for c := condModel; c < condCount; c++ {
		if r.set(c) {
			held = append(held, r.describe(c, s, true, ex))
		}
	}
	if len(held) == 0 {
		return true, fmt.Sprintf("rule '%s' matched: it has no condition", r.label)
	}
	return true, fmt.Sprintf("rule '%s' matched: %s", r.label, strings.Join(held, ", "))
}

// set reports whether the rule uses condition c.
func (r *rule) set(c condition) bool {
	switch c {
	case condEnabled:
		return true
	case condModel:
		return r.model != nil
	case condHasTools:
		return r.hasTools != nil
	case condHasImage:
		return r.hasImage != nil
	case condMinTokens:
		return r.minTokens > 0
	case condMaxTokens:
		return r.maxTokens > 0
	case condKeyword:
		return r.keyword != ""
	case condHeader:
		return r.headerName != ""
	case condExpr:
		return r.program != nil
	}
	return false
}

// holds evaluates condition c, which the rule uses, on s.
func (r *rule) holds(c condition, s *Summary, run func(*vm.Program, *Summary) (bool, error), ex *exprResult) bool {
	switch c {
	case condEnabled:
		return r.enabled
	case condModel:
		return r.model.MatchString(s.Model)
	case condHasTools:
		return s.HasTools == *r.hasTools
	case condHasImage:
		return s.HasImage == *r.hasImage
	case condMinTokens:
		return s.Tokens >= r.minTokens
	case condMaxTokens:
		return s.Tokens <= r.maxTokens
	case condKeyword:
		return containsFold(s.LastUserText, r.keyword)
	case condHeader:
		v, ok := s.Headers[r.headerName]
		return ok && glob(r.headerParts, v)
	case condExpr:
		ex.ok, ex.err = run(r.program, s)
		return ex.ok && ex.err == nil
	}
	return false
}

// describe says in plain English how condition c came out on s.
func (r *rule) describe(c condition, s *Summary, ok bool, ex exprResult) string {
	switch c {
	case condEnabled:
		return "disabled"
	case condModel:
		if ok {
			return fmt.Sprintf("model %s matches %s", s.Model, r.model)
		}
		return fmt.Sprintf("model %s does not match %s", s.Model, r.model)
	case condHasTools:
		if ok {
			return fmt.Sprintf("has_tools is %t", s.HasTools)
		}
		return fmt.Sprintf("has_tools is %t, want %t", s.HasTools, *r.hasTools)
	case condHasImage:
		if ok {
			return fmt.Sprintf("has_image is %t", s.HasImage)
		}
		return fmt.Sprintf("has_image is %t, want %t", s.HasImage, *r.hasImage)
	case condMinTokens:
		if ok {
			return fmt.Sprintf("%d tokens >= min_tokens %d", s.Tokens, r.minTokens)
		}
		return fmt.Sprintf("%d tokens < min_tokens %d", s.Tokens, r.minTokens)
	case condMaxTokens:
		if ok {
			return fmt.Sprintf("%d tokens <= max_tokens %d", s.Tokens, r.maxTokens)
		}
		return fmt.Sprintf("%d tokens > max_tokens %d", s.Tokens, r.maxTokens)
	case condKeyword:
		if ok {
			return fmt.Sprintf("last user message contains %q", r.keyword)
		}
		return fmt.Sprintf("last user message does not contain %q", r.keyword)
	case condHeader:
		v, present := s.Headers[r.headerName]
		switch {
		case ok:
			return fmt.Sprintf("header %s is %q", r.headerName, v)
		case !present:
			return fmt.Sprintf("header %s is missing", r.headerName)
		}
		return fmt.Sprintf("header %s is %q, want %q", r.headerName, v, r.headerGlob)
	case condExpr:
		switch {
		case ex.err != nil:
			return fmt.Sprintf("expr %s failed: %v", r.exprSource, ex.err)
		case ok:
			return fmt.Sprintf("expr %s is true", r.exprSource)
		}
		return fmt.Sprintf("expr %s is false", r.exprSource)
	}
	return ""
}

// containsFold reports whether s contains substr, ignoring case, without
// allocating.
func containsFold(s, substr string) bool {
	for i := 0; i+len(substr) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(substr)], substr) {
			return true
		}
	}
	return false
}

// glob matches s against a pattern split at its * (strings.Split(p, "*")):
// * stands for any run of characters, everything else for itself.
func glob(parts []string, s string) bool {
	if len(parts) == 1 {
		return parts[0] == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}
