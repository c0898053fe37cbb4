package route

import (
	"errors"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	ok := []string{"a"}
	tests := []struct {
		name  string
		cfg   Config
		index int
		field string
		msg   string // a substring of Message
	}{
		{"a bad model regexp", Config{Rules: rules(t, Rule{Name: "r", Model: "(opus", Targets: ok})},
			0, "model", "not a valid regular expression: missing closing )"},
		{"a bad background pattern", Config{BackgroundModel: "[haiku"},
			-1, "background_model", "not a valid regular expression"},
		{"a misspelt name in expr", Config{Rules: rules(t, Rule{Targets: ok}, Rule{Targets: ok}, Rule{Name: "big", Expr: "Tokns > 5", Targets: ok})},
			2, "expr", "unknown name Tokns (did you mean Tokens?)"},
		{"a syntax error in expr", Config{Rules: rules(t, Rule{Expr: "Tokens >", Targets: ok})},
			0, "expr", "unexpected token"},
		{"an expr that is not bool", Config{Rules: rules(t, Rule{Expr: "Tokens + 1", Targets: ok})},
			0, "expr", "expected bool"},
		{"a rule without targets", Config{Rules: rules(t, Rule{Name: "r"})},
			0, "targets", "at least one target"},
		{"a target without a channel", Config{Rules: rules(t, Rule{Targets: []string{"a", ",model"}})},
			0, "targets[1]", `target ",model" has no channel name`},
		{"a header without =", Config{Rules: rules(t, Rule{Header: "x-team", Targets: ok})},
			0, "header", `want "name=value"`},
		{"min_tokens above max_tokens", Config{Rules: rules(t, Rule{MinTokens: 10, MaxTokens: 5, Targets: ok})},
			0, "min_tokens", "no request can match"},
		{"a misspelt rule field", Config{Rules: []byte(`[{"has_tool":true,"targets":["a"]}]`)},
			0, "", `unknown field "has_tool" (did you mean "has_tools"?)`},
		{"a wrongly typed rule field", Config{Rules: []byte(`[{"min_tokens":"5","targets":["a"]}]`)},
			0, "", "cannot unmarshal string"},
		{"rules that are not an array", Config{Rules: []byte(`{"name":"x"}`)},
			-1, "rules", "not a JSON array of rules"},
		{"a bad route target", Config{Routes: map[string][]string{"think": {"a", " "}}},
			-1, "routes.think[1]", "has no channel name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tab, err := Compile(tt.cfg)
			if tab != nil || err == nil {
				t.Fatalf("Compile = %v, %v; want an error", tab, err)
			}
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %T %v, want a *CompileError", err, err)
			}
			if ce.Index != tt.index || ce.Field != tt.field || !strings.Contains(ce.Message, tt.msg) {
				t.Errorf("CompileError = %+v; want index %d, field %q, message with %q", ce, tt.index, tt.field, tt.msg)
			}
		})
	}
}

func TestCompileErrorText(t *testing.T) {
	t.Parallel()
	_, err := Compile(Config{Rules: rules(t, Rule{Targets: []string{"a"}}, Rule{Targets: []string{"a"}}, Rule{Expr: "Tokns > 5", Targets: []string{"a"}})})
	if want := "rules[2].expr: unknown name Tokns (did you mean Tokens?)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	_, err = Compile(Config{Rules: rules(t, Rule{Name: "big"})})
	if want := "rules[0].targets (rule 'big'): a rule needs at least one target \"channel,model\""; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestCompileReportsEveryError(t *testing.T) {
	t.Parallel()
	_, err := Compile(Config{
		BackgroundModel: "(",
		Routes:          map[string][]string{"default": {""}},
		Rules:           rules(t, Rule{Model: "[", Expr: "Nope", Targets: nil}),
	})
	got := CompileErrors(err)
	var fields []string
	for _, e := range got {
		fields = append(fields, e.Field)
	}
	if want := "background_model routes.default[0] model expr targets"; strings.Join(fields, " ") != want {
		t.Errorf("fields = %v, want %s", fields, want)
	}
}

func TestCompileAcceptsEmptyConfigurations(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "null", "[]", " [ ] "} {
		if _, err := Compile(Config{Rules: []byte(raw)}); err != nil {
			t.Errorf("Compile with rules %q: %v", raw, err)
		}
	}
}

func TestScenarioNames(t *testing.T) {
	t.Parallel()
	if Scenarios[0] != ScenarioDefault || len(Scenarios) != 6 {
		t.Fatalf("Scenarios = %v", Scenarios)
	}
	for _, sc := range Scenarios {
		if !KnownScenario(sc) {
			t.Errorf("KnownScenario(%q) = false", sc)
		}
	}
	for _, sc := range []string{ScenarioExplicit, ScenarioSubagent, ScenarioRule, "", "Default"} {
		if KnownScenario(sc) {
			t.Errorf("KnownScenario(%q) = true: it has no route", sc)
		}
	}
}
