package gemini

import (
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// skipSignature is the value Google documents for a functionCall part whose
// real thought signature is unknown (history written by another model, or
// by a client that dropped it): "you can set the following dummy strings in
// the thoughtSignature field to skip validation: context_engineering_is_the_way_to_go
// or skip_thought_signature_validator" —
// https://ai.google.dev/gemini-api/docs/thought-signatures (FAQ). Without it
// Gemini 3 rejects replayed function calls with 400 "Function call is
// missing a thought_signature".
const skipSignature = "skip_thought_signature_validator"

// modelName strips the "models/" prefix a Gemini model name may carry.
func modelName(model string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(model)), "models/")
}

// geminiMajor returns the major version of a "gemini-N…" model name, or 0.
func geminiMajor(model string) int {
	rest, ok := strings.CutPrefix(modelName(model), "gemini-")
	if !ok {
		return 0
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil {
		return 0
	}
	return n
}

// needsSignatures reports whether the model validates thought signatures on
// replayed function calls (Gemini 3 and later).
func needsSignatures(model string) bool { return geminiMajor(model) >= 3 }

// multimodalFunctionResponses reports whether the model takes media inside
// functionResponse.parts (Gemini 3 and later); older models get the media as
// sibling parts of the same user turn.
func multimodalFunctionResponses(model string) bool { return geminiMajor(model) >= 3 }

// budgetRange is the thinkingBudget a model accepts (docs/CONVERSION.md, rule 7). Unknown models
// get a range every thinking Gemini model accepts.
func budgetRange(model string) (lo, hi int) {
	m := modelName(model)
	switch {
	case strings.HasPrefix(m, "gemini-2.5-pro"):
		return 128, 32768
	case strings.HasPrefix(m, "gemini-2.5-flash-lite"):
		return 512, 24576
	case strings.HasPrefix(m, "gemini-2.5-flash"):
		return 0, 24576
	}
	return 1024, 24576
}

// effortBudgets turns an effort (OpenAI's reasoning_effort, Anthropic's
// output_config.effort with adaptive thinking) into a budget.
var effortBudgets = map[string]int{
	"minimal": 512, "low": 1024, "medium": 8192, "high": 24576, "xhigh": 32768, "max": 32768,
}

// thinkingConfig maps neutral thinking to Gemini's, clamping the budget to
// the model's range. Thinking enabled without a budget or effort lets the
// model decide (-1).
func thinkingConfig(t *protocol.Thinking, model string) *ThinkingConfig {
	if t == nil || !t.Enabled {
		return nil
	}
	budget := t.BudgetTokens
	if budget <= 0 {
		budget = effortBudgets[strings.ToLower(t.Effort)]
	}
	if budget <= 0 {
		dynamic := -1
		return &ThinkingConfig{ThinkingBudget: &dynamic, IncludeThoughts: true}
	}
	lo, hi := budgetRange(model)
	budget = max(lo, min(hi, budget))
	return &ThinkingConfig{ThinkingBudget: &budget, IncludeThoughts: true}
}
