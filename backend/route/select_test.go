package route

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// fullRoutes has a route for every scenario, each with its own channel.
var fullRoutes = map[string][]string{
	"default":      {"a,a-model", "b"},
	"background":   {"bg"},
	"think":        {"th,th-model"},
	"long_context": {"lc"},
	"web_search":   {"ws"},
	"image":        {"im"},
}

func TestSelectScenarios(t *testing.T) {
	t.Parallel()
	full := compile(t, Config{Routes: fullRoutes, Strategy: "priority"})
	only := func(routes map[string][]string) *Table {
		return compile(t, Config{Routes: routes, Strategy: "priority"})
	}
	ch := known("a", "b", "bg", "th", "lc", "ws", "im", "ollama")
	everything := Summary{Model: "claude-haiku-4-5", Tokens: 90000, WebSearch: true, HasImage: true, Thinking: true}
	tests := []struct {
		name     string
		table    *Table
		summary  Summary
		scenario string
		targets  []Target
	}{
		{"a plain request goes to default", full, Summary{Model: "claude-sonnet-4-5"}, "default",
			[]Target{{"a", "a-model"}, {"b", ""}}},
		{"channel,model in the model field is an explicit choice", full, Summary{Model: "ollama,qwen3", Tokens: 90000},
			"explicit", []Target{{"ollama", "qwen3"}}},
		{"channel, with no model is an explicit choice of the channel's model", full, Summary{Model: "ollama,"},
			"explicit", []Target{{"ollama", ""}}},
		{"a comma model name whose prefix is no channel is just a model", full, Summary{Model: "meta,llama-3"},
			"default", []Target{{"a", "a-model"}, {"b", ""}}},
		{"explicit choice beats the subagent tag", full, Summary{Model: "a,x", SystemTag: "ollama,y"},
			"explicit", []Target{{"a", "x"}}},
		{"a subagent tag naming a known channel wins over scenarios", full, Summary{Model: "claude-haiku-4-5", SystemTag: "ollama,qwen3", Thinking: true},
			"subagent", []Target{{"ollama", "qwen3"}}},
		{"a subagent tag naming an unknown channel is ignored", full, Summary{Model: "m", SystemTag: "nope,x"},
			"default", []Target{{"a", "a-model"}, {"b", ""}}},
		{"long prompts go to long_context before anything else", full, everything, "long_context", []Target{{"lc", ""}}},
		{"exactly the threshold is not long context", full, Summary{Model: "m", Tokens: 60000}, "default",
			[]Target{{"a", "a-model"}, {"b", ""}}},
		{"web search comes after long context", full, Summary{Model: "claude-haiku-4-5", WebSearch: true, HasImage: true, Thinking: true},
			"web_search", []Target{{"ws", ""}}},
		{"image comes after web search", full, Summary{Model: "claude-haiku-4-5", HasImage: true, Thinking: true},
			"image", []Target{{"im", ""}}},
		{"think comes after image", full, Summary{Model: "claude-haiku-4-5", Thinking: true},
			"think", []Target{{"th", "th-model"}}},
		{"a haiku model goes to background", full, Summary{Model: "Claude-HAIKU-4-5"},
			"background", []Target{{"bg", ""}}},
		{"an empty long_context route falls through to the next match", only(map[string][]string{"default": {"a"}, "image": {"im"}}),
			everything, "image", []Target{{"im", ""}}},
		{"empty routes fall through to default", only(map[string][]string{"default": {"a"}}), everything,
			"default", []Target{{"a", ""}}},
		{"default empty gives nil targets", only(nil), everything, "default", nil},
		{"a custom long context threshold", compile(t, Config{Routes: fullRoutes, LongContextTokens: 1000}),
			Summary{Model: "m", Tokens: 1001}, "long_context", []Target{{"lc", ""}}},
		{"a custom background pattern", compile(t, Config{Routes: fullRoutes, BackgroundModel: "^gpt-4o-mini$"}),
			Summary{Model: "gpt-4o-mini"}, "background", []Target{{"bg", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := tt.table.Select(&tt.summary, ch, false)
			if d.Scenario != tt.scenario || !reflect.DeepEqual(d.Targets, tt.targets) {
				t.Errorf("Select = %s %v, want %s %v", d.Scenario, d.Targets, tt.scenario, tt.targets)
			}
			if d.Reasons != nil {
				t.Errorf("Reasons = %q without explain, want nil", d.Reasons)
			}
		})
	}
}

func TestSelectWithoutKnownChannelsIgnoresExplicitChoices(t *testing.T) {
	t.Parallel()
	d := compile(t, Config{Routes: fullRoutes}).Select(&Summary{Model: "a,b", SystemTag: "a"}, nil, false)
	if d.Scenario != "default" {
		t.Errorf("Scenario = %s, want default", d.Scenario)
	}
}

func rules(t testing.TB, rs ...Rule) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSelectRules(t *testing.T) {
	t.Parallel()
	withRule := func(r Rule) *Table {
		r.Targets = []string{"r,r-model"}
		return compile(t, Config{Routes: fullRoutes, Rules: rules(t, r)})
	}
	headers := map[string]string{"x-team": "backend-eu"}
	tests := []struct {
		name    string
		rule    Rule
		summary Summary
		match   bool
	}{
		{"model regexp matches case-insensitively", Rule{Model: "opus"}, Summary{Model: "Claude-Opus-4-8"}, true},
		{"model regexp does not match", Rule{Model: "^gpt"}, Summary{Model: "claude-opus"}, false},
		{"has_tools true matches a request with tools", Rule{HasTools: ptr(true)}, Summary{HasTools: true}, true},
		{"has_tools false skips a request with tools", Rule{HasTools: ptr(false)}, Summary{HasTools: true}, false},
		{"has_image true matches an image", Rule{HasImage: ptr(true)}, Summary{HasImage: true}, true},
		{"has_image true skips a text request", Rule{HasImage: ptr(true)}, Summary{}, false},
		{"inside the token range matches", Rule{MinTokens: 100, MaxTokens: 200}, Summary{Tokens: 150}, true},
		{"below min_tokens is skipped", Rule{MinTokens: 100}, Summary{Tokens: 99}, false},
		{"above max_tokens is skipped", Rule{MaxTokens: 200}, Summary{Tokens: 201}, false},
		{"keyword matches case-insensitively", Rule{Keyword: "Refactor"}, Summary{LastUserText: "please REFACTOR this"}, true},
		{"keyword missing is skipped", Rule{Keyword: "refactor"}, Summary{LastUserText: "hi"}, false},
		{"header glob matches", Rule{Header: "X-Team=backend-*"}, Summary{Headers: headers}, true},
		{"header exact value matches", Rule{Header: "x-team=backend-eu"}, Summary{Headers: headers}, true},
		{"header with another value is skipped", Rule{Header: "x-team=frontend"}, Summary{Headers: headers}, false},
		{"missing header is skipped", Rule{Header: "x-team=*"}, Summary{}, false},
		{"expr true matches", Rule{Expr: `Tokens > 100 && Headers["x-team"] startsWith "backend"`}, Summary{Tokens: 101, Headers: headers}, true},
		{"expr false is skipped", Rule{Expr: `Model matches "gpt" || Stream`}, Summary{Model: "claude"}, false},
		{"expr over missing headers is false", Rule{Expr: `Headers["x-team"] == "a"`}, Summary{}, false},
		{"all conditions must hold", Rule{Model: "opus", HasTools: ptr(true), Keyword: "x"}, Summary{Model: "opus", HasTools: true}, false},
		{"a rule without conditions matches everything", Rule{}, Summary{Model: "any"}, true},
		{"a disabled rule never matches", Rule{Enabled: ptr(false)}, Summary{Model: "any"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := withRule(tt.rule).Select(&tt.summary, known(), false)
			if got := d.Scenario == "rule"; got != tt.match {
				t.Errorf("rule matched = %t (scenario %s), want %t", got, d.Scenario, tt.match)
			}
			if tt.match && (d.Rule != "rules[0]" || !reflect.DeepEqual(d.Targets, []Target{{"r", "r-model"}})) {
				t.Errorf("Decision = %+v, want rules[0] → r,r-model", d)
			}
		})
	}
}

func TestSelectRuleOrderAndPrecedence(t *testing.T) {
	t.Parallel()
	tab := compile(t, Config{Routes: fullRoutes, Strategy: "priority", Rules: rules(t,
		Rule{Name: "off", Enabled: ptr(false), Targets: []string{"off"}},
		Rule{Name: "opus", Model: "opus", Targets: []string{"first"}, Strategy: "round_robin"},
		Rule{Name: "tools", HasTools: ptr(true), Targets: []string{"second"}},
	)})
	tests := []struct {
		name    string
		summary Summary
		rule    string
	}{
		{"the first matching rule wins", Summary{Model: "opus", HasTools: true}, "opus"},
		{"a later rule matches when earlier ones do not", Summary{Model: "sonnet", HasTools: true}, "tools"},
		{"rules come before long context", Summary{Model: "sonnet", HasTools: true, Tokens: 1e6}, "tools"},
		{"an explicit choice comes before rules", Summary{Model: "a,opus"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if d := tab.Select(&tt.summary, known("a"), false); d.Rule != tt.rule {
				t.Errorf("Rule = %q (%s), want %q", d.Rule, d.Scenario, tt.rule)
			}
		})
	}
}

func TestSelectStrategy(t *testing.T) {
	t.Parallel()
	tab := compile(t, Config{
		Routes:     fullRoutes,
		Strategy:   "priority",
		Strategies: map[string]string{"think": "latency", "explicit": "least_used"},
		Rules: rules(t,
			Rule{Name: "own", Keyword: "own", Targets: []string{"x"}, Strategy: "round_robin"},
			Rule{Name: "inherit", Keyword: "inherit", Targets: []string{"x"}},
		),
	})
	tests := []struct {
		name    string
		summary Summary
		want    string
	}{
		{"a rule's own strategy wins", Summary{LastUserText: "own"}, "round_robin"},
		{"a rule without one uses the global strategy", Summary{LastUserText: "inherit"}, "priority"},
		{"a scenario override beats the global strategy", Summary{Thinking: true}, "latency"},
		{"a scenario without override uses the global strategy", Summary{Model: "haiku"}, "priority"},
		{"explicit choices can have an override too", Summary{Model: "a,b"}, "least_used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if d := tab.Select(&tt.summary, known("a"), false); d.Strategy != tt.want {
				t.Errorf("Strategy = %q (%s), want %q", d.Strategy, d.Scenario, tt.want)
			}
		})
	}
}

func TestSelectExplain(t *testing.T) {
	t.Parallel()
	tab := compile(t, Config{Routes: map[string][]string{"default": {"a"}, "background": {"bg"}}, Rules: rules(t,
		Rule{Name: "big", MinTokens: 50000, Targets: []string{"x"}},
		Rule{Name: "team", Header: "x-team=a", Expr: "HasTools", Targets: []string{"y"}},
	)})
	tests := []struct {
		name    string
		summary Summary
		reasons []string // each must appear, in this order
	}{
		{"a background request says why each earlier check failed", Summary{Model: "claude-haiku-4-5", Tokens: 1200, Thinking: true}, []string{
			"rule 'big' skipped: 1200 tokens < min_tokens 50000",
			"rule 'team' skipped: header x-team is missing",
			"not long_context: 1200 tokens <= threshold 60000",
			"think: thinking is enabled, but its route is empty: falling through",
			"background: model claude-haiku-4-5 matches background pattern (?i)haiku",
		}},
		{"a matching rule lists its conditions", Summary{Model: "m", HasTools: true, Headers: map[string]string{"x-team": "a"}}, []string{
			"rule 'team' matched: header x-team is \"a\", expr HasTools is true",
		}},
		{"an explicit choice of an unknown channel says it is ignored", Summary{Model: "zz,top"}, []string{
			`model "zz,top" does not name a known channel: ignored`,
			"not background: model zz,top does not match (?i)haiku",
			"default route",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plain := tab.Select(&tt.summary, known("a"), false)
			explained := tab.Select(&tt.summary, known("a"), true)
			all := strings.Join(explained.Reasons, "\n")
			at := 0
			for _, want := range tt.reasons {
				i := strings.Index(all[at:], want)
				if i < 0 {
					t.Fatalf("reason %q missing (or out of order) in:\n%s", want, all)
				}
				at += i + len(want)
			}
			explained.Reasons, explained.Why = nil, nil
			if !reflect.DeepEqual(plain, explained) {
				t.Errorf("explain changed the decision:\n%+v\n%+v", plain, explained)
			}
		})
	}
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Target
		ok   bool
	}{
		{"channel and model", "deepseek,deepseek-chat", Target{"deepseek", "deepseek-chat"}, true},
		{"channel alone", "ollama", Target{"ollama", ""}, true},
		{"spaces are trimmed", " a , b ", Target{"a", "b"}, true},
		{"a model may hold more commas", "or,a,b", Target{"or", "a,b"}, true},
		{"no channel name", ",model", Target{"", "model"}, false},
		{"empty", "", Target{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseTarget(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseTarget(%q) = %v, %t; want %v, %t", tt.in, got, ok, tt.want, tt.ok)
			}
			if ok && got.String() != strings.ReplaceAll(tt.in, " ", "") {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}
