package route

import (
	"strconv"
	"strings"
)

// Reason is one step of an explanation as a stable code with its
// parameters, so the dashboard and the CLI can say it in the user's
// language (locale keys routing.reasons.<code>); String gives the English
// sentence. A rule's reason lists its conditions as reasons of their own.
type Reason struct {
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
	// Conditions are how a rule's conditions came out: the one that
	// failed (rule_skipped), or every one that held (rule_matched).
	Conditions []Reason `json:"conditions,omitempty"`
}

// Reason codes. A scenario check has three: _hit (it applies and its
// route has targets), _empty (it applies but its route is empty) and _miss.
const (
	ReasonExplicitChosen  = "explicit_chosen"
	ReasonExplicitUnknown = "explicit_unknown"
	ReasonTagChosen       = "tag_chosen"
	ReasonTagUnknown      = "tag_unknown"
	ReasonRuleSkipped     = "rule_skipped"
	ReasonRuleMatched     = "rule_matched"
	ReasonRuleAlways      = "rule_matched_always"
	ReasonNoRules         = "no_rules"
	ReasonDefaultRoute    = "default_route"
	ReasonDefaultEmpty    = "default_empty"
)

// english holds the English sentence of each code; {name} is a parameter
// and {conditions} the rule's conditions joined. locales/en.json says the
// same with go-i18n placeholders; a test keeps the two in step.
var english = map[string]string{
	ReasonExplicitChosen:  `model "{value}" chooses channel {channel}`,
	ReasonExplicitUnknown: `model "{value}" does not name a known channel: ignored`,
	ReasonTagChosen:       `<routex-model> tag "{value}" chooses channel {channel}`,
	ReasonTagUnknown:      `<routex-model> tag "{value}" does not name a known channel: ignored`,
	ReasonRuleSkipped:     "rule '{rule}' skipped: {conditions}",
	ReasonRuleMatched:     "rule '{rule}' matched: {conditions}",
	ReasonRuleAlways:      "rule '{rule}' matched: it has no condition",
	ReasonNoRules:         "no rules configured",
	ReasonDefaultRoute:    "default route",
	ReasonDefaultEmpty:    "default route is empty: balance over all enabled channels",

	"long_context_hit":  "long_context: {tokens} tokens > long_context threshold {threshold}",
	"long_context_miss": "not long_context: {tokens} tokens <= threshold {threshold}",
	"web_search_hit":    "web_search: request has a web search tool",
	"web_search_miss":   "not web_search: no web search tool",
	"image_hit":         "image: last user turn has an image",
	"image_miss":        "not image: no image in the last user turn",
	"think_hit":         "think: thinking is enabled",
	"think_miss":        "not think: thinking is off",
	"background_hit":    "background: model {model} matches background pattern {pattern}",
	"background_miss":   "not background: model {model} does not match {pattern}",

	"cond_disabled":        "disabled",
	"cond_model_match":     "model {model} matches {pattern}",
	"cond_model_nomatch":   "model {model} does not match {pattern}",
	"cond_tools_is":        "has_tools is {value}",
	"cond_tools_want":      "has_tools is {value}, want {want}",
	"cond_image_is":        "has_image is {value}",
	"cond_image_want":      "has_image is {value}, want {want}",
	"cond_min_ok":          "{tokens} tokens >= min_tokens {min}",
	"cond_min_fail":        "{tokens} tokens < min_tokens {min}",
	"cond_max_ok":          "{tokens} tokens <= max_tokens {max}",
	"cond_max_fail":        "{tokens} tokens > max_tokens {max}",
	"cond_keyword_has":     `last user message contains "{keyword}"`,
	"cond_keyword_missing": `last user message does not contain "{keyword}"`,
	"cond_header_is":       `header {name} is "{value}"`,
	"cond_header_missing":  "header {name} is missing",
	"cond_header_want":     `header {name} is "{value}", want "{want}"`,
	"cond_expr_failed":     "expr {expr} failed: {error}",
	"cond_expr_true":       "expr {expr} is true",
	"cond_expr_false":      "expr {expr} is false",
}

// emptySuffix ends the English of a scenario that applies but whose route
// has no targets (code <scenario>_empty).
const emptySuffix = ", but its route is empty: falling through"

// ReasonCodes lists every code Reason.String knows, for the locale test.
func ReasonCodes() []string {
	out := make([]string, 0, len(english)+len(scenarioChecks))
	for k := range english {
		out = append(out, k)
	}
	for _, sc := range scenarioChecks {
		out = append(out, sc+"_empty")
	}
	return out
}

// scenarioChecks are the scenarios Select checks, each with _hit, _empty
// and _miss codes.
var scenarioChecks = []string{ScenarioLongContext, ScenarioWebSearch, ScenarioImage, ScenarioThink, ScenarioBackground}

// String is the reason in English.
func (r Reason) String() string {
	tpl, ok := english[r.Code]
	if !ok {
		base, found := strings.CutSuffix(r.Code, "_empty")
		hit, known := english[base+"_hit"]
		if !found || !known {
			return r.Code
		}
		tpl = hit + emptySuffix
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		j := strings.IndexByte(tpl[i+1:], '}')
		if i < 0 || j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		name := tpl[i+1 : i+1+j]
		if name == "conditions" {
			for k, c := range r.Conditions {
				if k > 0 {
					b.WriteString(", ")
				}
				b.WriteString(c.String())
			}
		} else {
			b.WriteString(r.Params[name])
		}
		tpl = tpl[i+2+j:]
	}
}

// reason builds a Reason from a code and name, value pairs.
func reason(code string, pairs ...string) Reason {
	r := Reason{Code: code}
	if len(pairs) > 1 {
		r.Params = make(map[string]string, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			r.Params[pairs[i]] = pairs[i+1]
		}
	}
	return r
}

func itoa(n int) string { return strconv.Itoa(n) }

func btoa(b bool) string { return strconv.FormatBool(b) }
