package transform

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		json  string
		steps []string // the chain for an unscoped model
	}{
		{"maxtoken with its option", `[["maxtoken", {"max_tokens": 8192}]]`, []string{"maxtoken"}},
		{"sampling with one option", `[["sampling", {"temperature": 0.6}]]`, []string{"sampling"}},
		{"sampling with null to remove a value", `[["sampling", {"top_p": null, "top_k": 40}]]`, []string{"sampling"}},
		{"cleancache by name", `["cleancache"]`, []string{"cleancache"}},
		{"cleancache as a one-element array", `[["cleancache"]]`, []string{"cleancache"}},
		{"cleancache with empty options", `[["cleancache", {}]]`, []string{"cleancache"}},
		{"reasoning without options", `["reasoning"]`, []string{"reasoning"}},
		{"reasoning with effort and budget", `[["reasoning", {"effort": "high", "budget_tokens": 4096}]]`, []string{"reasoning"}},
		{"reasoning disabled", `[["reasoning", {"disable": true}]]`, []string{"reasoning"}},
		{"tooluse by name", `["tooluse"]`, []string{"tooluse"}},
		{"toolrepair by name", `["toolrepair"]`, []string{"toolrepair"}},
		{"streamoptions by name", `["streamoptions"]`, []string{"streamoptions"}},
		{"customparams with nested params", `[["customparams", {"params": {"enable_thinking": false, "provider": {"order": ["a"]}}}]]`, []string{"customparams"}},
		{"headers with set and remove", `[["headers", {"set": {"X-Title": "Routex"}, "remove": ["anthropic-beta"]}]]`, []string{"headers"}},
		{"the object form the store has used", `[{"name": "maxtoken", "max_tokens": 8192}]`, []string{"maxtoken"}},
		{"several steps in order", `["cleancache", ["maxtoken", {"max_tokens": 100}], "toolrepair"]`, []string{"cleancache", "maxtoken", "toolrepair"}},
		{"a model group, left out for other models", `["cleancache", {"models": ["glm-*"], "use": ["tooluse"]}]`, []string{"cleancache"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(json.RawMessage(tt.json))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := p.For("some-model").Names(); !slices.Equal(got, tt.steps) {
				t.Errorf("steps = %q, want %q", got, tt.steps)
			}
		})
	}
}

func TestParseEmptyGivesNilPipeline(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `null`, `[]`, "  [ ]  "} {
		p, err := Parse(json.RawMessage(in))
		if err != nil || p != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, nil", in, p, err)
		}
		if !p.Empty() || !p.For("m").Empty() {
			t.Errorf("Parse(%q): pipeline not empty", in)
		}
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want []string // "path: message" fragments, one per expected error
	}{
		{"an object instead of an array", `{"not":"an array"}`, []string{"transformers: must be a JSON array"}},
		{"invalid JSON", `[`, []string{"transformers: invalid JSON"}},
		{"an unknown name, with a did-you-mean", `["cleancache", "maxtokens"]`,
			[]string{`transformers[1]: unknown transformer "maxtokens" (did you mean "maxtoken"?)`}},
		{"an unknown name far from any", `["zzz"]`, []string{`transformers[0]: unknown transformer "zzz"`}},
		{"an unknown name in an array entry", `[["toolrepiar"]]`,
			[]string{`transformers[0][0]: unknown transformer "toolrepiar" (did you mean "toolrepair"?)`}},
		{"a number as entry", `[42]`, []string{`transformers[0]: must be "name"`}},
		{"an array entry with three elements", `[["maxtoken", {}, {}]]`, []string{`transformers[0]: must be ["name"]`}},
		{"options that are not an object", `[["maxtoken", 5]]`, []string{`transformers[0][1]: options must be a JSON object`}},
		{"max_tokens negative", `[["maxtoken", {"max_tokens": -1}]]`, []string{`transformers[0][1].max_tokens: must be a positive integer`}},
		{"max_tokens a string", `["cleancache", "tooluse", ["maxtoken", {"max_tokens": "8k"}]]`,
			[]string{`transformers[2][1].max_tokens: must be a positive integer`}},
		{"max_tokens fractional", `[["maxtoken", {"max_tokens": 1.5}]]`, []string{`.max_tokens: must be a positive integer`}},
		{"maxtoken without max_tokens", `["maxtoken"]`, []string{`transformers[0]: "max_tokens" is required`}},
		{"an unknown option, with a did-you-mean", `[["maxtoken", {"max_token": 10}]]`,
			[]string{`transformers[0][1]: "max_tokens" is required`, `transformers[0][1].max_token: unknown option (did you mean "max_tokens"?)`}},
		{"an option on a transformer without options", `[["cleancache", {"all": true}]]`,
			[]string{`transformers[0][1].all: unknown option: this transformer takes no options`}},
		{"temperature out of range", `[["sampling", {"temperature": 3}]]`, []string{`.temperature: must be a number from 0 to 2`}},
		{"top_p of the wrong type", `[["sampling", {"top_p": "high"}]]`, []string{`.top_p: must be a number from 0 to 1`}},
		{"top_k zero", `[["sampling", {"top_k": 0}]]`, []string{`.top_k: must be a positive integer`}},
		{"sampling with nothing to set", `["sampling"]`, []string{`transformers[0]: set at least one of`}},
		{"an unknown effort", `[["reasoning", {"effort": "max"}]]`, []string{`.effort: must be one of ["low" "medium" "high"]`}},
		{"disable with an effort", `[["reasoning", {"disable": true, "effort": "low"}]]`, []string{`.disable: cannot be combined`}},
		{"disable not a bool", `[["reasoning", {"disable": "yes"}]]`, []string{`.disable: must be true or false`}},
		{"params not an object", `[["customparams", {"params": [1]}]]`, []string{`.params: must be a JSON object`}},
		{"a params key sjson cannot name", `[["customparams", {"params": {"a*b": 1}}]]`, []string{`.params: key "a*b"`}},
		{"a header value on two lines", `[["headers", {"set": {"X-A": "b\r\nX-B: c"}}]]`, []string{`.set: the value of "X-A" must be one line`}},
		{"a managed header", `[["headers", {"set": {"content-length": "1"}}]]`, []string{`is managed by Routex`}},
		{"remove not an array", `[["headers", {"remove": "anthropic-beta"}]]`, []string{`.remove: must be an array`}},
		{"a group without models", `[{"use": ["tooluse"]}]`, []string{`transformers[0].models: must be a non-empty array`}},
		{"a group with an empty glob", `[{"models": [""], "use": ["tooluse"]}]`, []string{`transformers[0].models[0]: must not be empty`}},
		{"a group whose use is not an array", `[{"models": ["a"], "use": "tooluse"}]`, []string{`transformers[0].use: must be an array`}},
		{"a bad entry inside a group", `[{"models": ["glm-*"], "use": [["maxtoken", {"max_tokens": 0}]]}]`,
			[]string{`transformers[0].use[0][1].max_tokens: must be a positive integer`}},
		{"nested groups", `[{"models": ["a"], "use": [{"models": ["b"], "use": []}]}]`, []string{`transformers[0].use[0]: model groups cannot nest`}},
		{"a misspelt group key", `[{"models": ["a"], "uses": []}]`,
			[]string{`transformers[0].uses: unknown key (did you mean "use"?)`, `transformers[0].use: must be an array`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(json.RawMessage(tt.json))
			if err == nil {
				t.Fatalf("Parse accepted it: %v", p)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *ConfigError: %v", err, err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for i, want := range tt.want {
				if !strings.Contains(lines[i], want) {
					t.Errorf("error %d = %q, want it to contain %q", i, lines[i], want)
				}
			}
		})
	}
}

func TestNamesListsEveryBuiltin(t *testing.T) {
	t.Parallel()
	want := []string{"maxtoken", "sampling", "cleancache", "reasoning", "tooluse", "toolrepair", "streamoptions", "customparams", "headers"}
	got := Names()
	if !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	got[0] = "changed"
	if Names()[0] != "maxtoken" {
		t.Error("Names returns a shared slice")
	}
}

func TestGlobMatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pattern, model string
		want                 bool
	}{
		{"an exact name matches", "deepseek-reasoner", "deepseek-reasoner", true},
		{"case is ignored", "GLM-*", "glm-4.6", true},
		{"a star matches a suffix", "glm-*", "glm-4.5-air", true},
		{"a star crosses slashes", "*/deepseek-r1*", "deepseek/deepseek-r1-0528", true},
		{"a question mark matches one byte", "qwen?", "qwen3", true},
		{"a question mark needs a byte", "qwen?", "qwen", false},
		{"a prefix alone does not match", "glm", "glm-4.6", false},
		{"a star in the middle backtracks", "a*b*c", "axxbyybzc", true},
		{"a star in the middle can fail", "a*b*c", "axxbyy", false},
		{"a lone star matches anything", "*", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := matchGlob(tt.pattern, tt.model); got != tt.want {
				t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.pattern, tt.model, got, tt.want)
			}
		})
	}
}
