package route

import (
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
// explain it builds nothing.
func (r *rule) match(s *Summary, run func(*vm.Program, *Summary) (bool, error), explain bool) (bool, Reason) {
	var ex exprResult
	failed := condCount
	for c := condEnabled; c < condCount; c++ {
		if r.set(c) && !r.holds(c, s, run, &ex) {
			failed = c
			break
		}
	}
	if !explain {
		return failed == condCount, Reason{}
	}
	if failed < condCount {
		out := reason(ReasonRuleSkipped, "rule", r.label)
		out.Conditions = []Reason{r.describe(failed, s, false, ex)}
		return false, out
	}
	var held []Reason
	for c := condModel; c < condCount; c++ {
		if r.set(c) {
			held = append(held, r.describe(c, s, true, ex))
		}
	}
	if len(held) == 0 {
		return true, reason(ReasonRuleAlways, "rule", r.label)
	}
	out := reason(ReasonRuleMatched, "rule", r.label)
	out.Conditions = held
	return true, out
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

// describe says how condition c came out on s.
func (r *rule) describe(c condition, s *Summary, ok bool, ex exprResult) Reason {
	pick := func(yes, no string) string {
		if ok {
			return yes
		}
		return no
	}
	switch c {
	case condEnabled:
		return reason("cond_disabled")
	case condModel:
		return reason(pick("cond_model_match", "cond_model_nomatch"), "model", s.Model, "pattern", r.model.String())
	case condHasTools:
		return reason(pick("cond_tools_is", "cond_tools_want"), "value", btoa(s.HasTools), "want", btoa(*r.hasTools))
	case condHasImage:
		return reason(pick("cond_image_is", "cond_image_want"), "value", btoa(s.HasImage), "want", btoa(*r.hasImage))
	case condMinTokens:
		return reason(pick("cond_min_ok", "cond_min_fail"), "tokens", itoa(s.Tokens), "min", itoa(r.minTokens))
	case condMaxTokens:
		return reason(pick("cond_max_ok", "cond_max_fail"), "tokens", itoa(s.Tokens), "max", itoa(r.maxTokens))
	case condKeyword:
		return reason(pick("cond_keyword_has", "cond_keyword_missing"), "keyword", r.keyword)
	case condHeader:
		v, present := s.Headers[r.headerName]
		switch {
		case ok:
			return reason("cond_header_is", "name", r.headerName, "value", v)
		case !present:
			return reason("cond_header_missing", "name", r.headerName)
		}
		return reason("cond_header_want", "name", r.headerName, "value", v, "want", r.headerGlob)
	case condExpr:
		if ex.err != nil {
			return reason("cond_expr_failed", "expr", r.exprSource, "error", ex.err.Error())
		}
		return reason(pick("cond_expr_true", "cond_expr_false"), "expr", r.exprSource)
	}
	return Reason{}
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
