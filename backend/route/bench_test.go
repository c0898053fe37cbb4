package route

import (
	"testing"

	"github.com/routex-app/routex/backend/protocol"
)

// BenchmarkSelect is the no-rule hot path: a Claude Code request (thinking
// on, think route empty) falling through to a default route of two targets.
func BenchmarkSelect(b *testing.B) {
	body, headers := claudeCode(b)
	s := Summarize(protocol.Anthropic, "", body, headers)
	tab := compile(b, Config{Routes: map[string][]string{"default": {"anthropic,claude-opus-4-8", "deepseek,deepseek-chat"}}, Strategy: "priority"})
	ch := known("anthropic", "deepseek")
	b.ReportAllocs()
	for b.Loop() {
		if d := tab.Select(&s, ch, false); len(d.Targets) != 2 {
			b.Fatal(d)
		}
	}
}

// BenchmarkSelectRules walks five rules, one of them an expression, to the
// last one.
func BenchmarkSelectRules(b *testing.B) {
	body, headers := claudeCode(b)
	s := Summarize(protocol.Anthropic, "", body, headers)
	tab := compile(b, Config{
		Routes: map[string][]string{"default": {"anthropic", "deepseek"}},
		Rules: rules(b,
			Rule{Name: "gpt", Model: "^gpt-", Targets: []string{"openai"}},
			Rule{Name: "big", MinTokens: 100000, Targets: []string{"gemini"}},
			Rule{Name: "refactor", Keyword: "refactor", Targets: []string{"deepseek"}},
			Rule{Name: "team", Header: "x-team=backend-*", Targets: []string{"work"}},
			Rule{Name: "custom", Expr: `HasTools && Tokens > 1000 && Model matches "opus"`, Targets: []string{"anthropic"}},
		),
	})
	ch := known("anthropic", "deepseek")
	b.ReportAllocs()
	for b.Loop() {
		if d := tab.Select(&s, ch, false); d.Rule != "custom" {
			b.Fatal(d)
		}
	}
}

// BenchmarkSelectExplain is the /api/routes/explain path, for scale.
func BenchmarkSelectExplain(b *testing.B) {
	body, headers := claudeCode(b)
	s := Summarize(protocol.Anthropic, "", body, headers)
	tab := compile(b, Config{Routes: map[string][]string{"default": {"anthropic", "deepseek"}}})
	b.ReportAllocs()
	for b.Loop() {
		tab.Select(&s, nil, true)
	}
}

func BenchmarkSummarize(b *testing.B) {
	body, headers := claudeCode(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Summarize(protocol.Anthropic, "", body, headers)
	}
}

func BenchmarkStripTagWithoutTag(b *testing.B) {
	body, _ := claudeCode(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := StripTag(protocol.Anthropic, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummarizeLight is the passthrough path when no route or rule
// needs token counts (Table.NeedsDetail false).
func BenchmarkSummarizeLight(b *testing.B) {
	body, headers := claudeCode(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		SummarizeLight(protocol.Anthropic, "", body, headers)
	}
}
