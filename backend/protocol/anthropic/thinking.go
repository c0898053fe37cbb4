package anthropic

import (
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// DefaultMaxTokens is sent when the client gave no max_tokens: Anthropic
// requires it, and OpenAI and Gemini clients often leave it out.
const DefaultMaxTokens = 8192

// encryptedMarker and reasoningMarker start the signature of a thinking
// block whose reasoning came from an OpenAI Responses upstream: the block's
// Encrypted content, given to an Anthropic client as its signature so that
// the client hands it back on its next turn, after the reasoning item's id
// when the upstream gave one:
//
//	routex:reasoning:<item id>:<encrypted content>
//	routex:encrypted:<encrypted content>
//
// The id travels because the encrypted content is bound to it: OpenAI and
// the servers that copy its API refuse it under another id ("The encrypted
// content for item … could not be verified"), and Codex hands its reasoning
// items back with their ids. Both forms are read back into Block.ID and
// Block.Encrypted, so they never reach Anthropic as a signature (and
// Anthropic's own never start so).
const (
	encryptedMarker = "routex:encrypted:"
	reasoningMarker = "routex:reasoning:"
)

// carriedSignature is the signature an Anthropic client gets for a
// thinking block: its own, or its encrypted reasoning with its item id,
// marked.
func carriedSignature(b *protocol.Block) string {
	if b.Signature != "" || b.Encrypted == "" {
		return b.Signature
	}
	if b.ID != "" && !strings.Contains(b.ID, ":") {
		return reasoningMarker + b.ID + ":" + b.Encrypted
	}
	return encryptedMarker + b.Encrypted
}

// readCarried undoes carriedSignature for a thinking block handed back by
// a client: the reasoning item's id and encrypted content, and ok when the
// signature is one Routex carried (which then never goes anywhere as a
// signature, even when what it holds is malformed).
func readCarried(signature string) (id, encrypted string, ok bool) {
	if rest, found := strings.CutPrefix(signature, reasoningMarker); found {
		if id, enc, cut := strings.Cut(rest, ":"); cut {
			return id, enc, true
		}
		return "", "", true
	}
	enc, found := strings.CutPrefix(signature, encryptedMarker)
	return "", enc, found
}

// MinThinkingBudget is the smallest budget_tokens Anthropic accepts.
const MinThinkingBudget = 1024

// thinkingRoom is what a client that set no max_tokens keeps for the answer
// beyond the thinking budget when the budget is raised past the default.
const thinkingRoom = 4096

// EffortBudget is the thinking budget used for an OpenAI reasoning_effort
// (or Anthropic output_config.effort) when no budget was given.
func EffortBudget(effort string) int {
	switch effort {
	case "minimal":
		return MinThinkingBudget
	case "low":
		return 2048
	case "high":
		return 24576
	case "max", "xhigh":
		return 32000
	}
	return 8192 // medium, and any effort we do not know
}

// outputEffort maps an effort to one output_config.effort accepts, or "".
func outputEffort(effort string) string {
	switch effort {
	case "low", "medium", "high", "max":
		return effort
	case "minimal":
		return "low"
	case "xhigh":
		return "max"
	}
	return ""
}

// samplingPlan is what an Anthropic upstream gets for thinking, the output
// limit and sampling.
type samplingPlan struct {
	thinking     *ThinkingConfig
	outputConfig *OutputConfig
	maxTokens    int
	temperature  *float64
	topP         *float64
	topK         *int
}

// planSampling applies Anthropic's rules for thinking to a request:
//
//   - max_tokens defaults to DefaultMaxTokens.
//   - Thinking is left off when the request forces tool use (tool_choice any
//     or tool), or when the last assistant turn calls a tool without a
//     signed thinking block first: Anthropic rejects both with thinking on,
//     and a signature cannot be invented (docs/CONVERSION.md, rule 7).
//   - Adaptive thinking stays adaptive, with its effort.
//   - Otherwise the budget is the client's, or EffortBudget of its effort,
//     at least MinThinkingBudget and below max_tokens. When the client set
//     no max_tokens, max_tokens is raised to budget+4096; when it did, its
//     limit is kept (in both APIs it includes the thinking) and the budget
//     is cut to half of it, or thinking dropped when that is under 1024.
//   - With thinking on, temperature and top_k are dropped and top_p is kept
//     only from 0.95 to 1, the values Anthropic accepts with thinking.
//   - temperature and top_p together: top_p is dropped, since newer Claude
//     models reject the pair and OpenAI clients often send both.
func planSampling(req *protocol.Request, lastAssistantNeedsSignature bool) samplingPlan {
	p := samplingPlan{maxTokens: req.MaxTokens, temperature: req.Temperature, topP: req.TopP, topK: req.TopK}
	clientMax := p.maxTokens > 0
	if !clientMax {
		p.maxTokens = DefaultMaxTokens
	}
	if p.temperature != nil && p.topP != nil {
		p.topP = nil
	}
	t := req.Thinking
	if t == nil || (!t.Enabled && t.Effort == "") || t.Effort == "none" {
		return p
	}
	if tc := req.ToolChoice; tc != nil && (tc.Mode == protocol.ToolAny || tc.Mode == protocol.ToolName) {
		return p
	}
	if lastAssistantNeedsSignature {
		return p
	}
	if t.Adaptive {
		p.thinking = &ThinkingConfig{Type: "adaptive"}
		if e := outputEffort(t.Effort); e != "" {
			p.outputConfig = &OutputConfig{Effort: e}
		}
	} else {
		budget := t.BudgetTokens
		if budget <= 0 {
			budget = EffortBudget(t.Effort)
		}
		budget = max(budget, MinThinkingBudget)
		if budget >= p.maxTokens {
			if clientMax {
				budget = p.maxTokens / 2
				if budget < MinThinkingBudget {
					return p
				}
			} else {
				p.maxTokens = budget + thinkingRoom
			}
		}
		p.thinking = &ThinkingConfig{Type: "enabled", BudgetTokens: budget}
	}
	p.temperature, p.topK = nil, nil
	if p.topP != nil && (*p.topP < 0.95 || *p.topP > 1) {
		p.topP = nil
	}
	return p
}

// lastAssistantNeedsSignature reports whether the last assistant turn calls
// a tool without starting with a signed (or redacted) thinking block, which
// Anthropic refuses when thinking is on.
func lastAssistantNeedsSignature(msgs []protocol.Message) bool {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role != protocol.RoleAssistant {
			continue
		}
		hasTool, first := false, protocol.BlockType("")
		for _, b := range msgs[i].Content {
			if first == "" && keptInRequest(&b) {
				first = b.Type
			}
			if b.Type == protocol.BlockToolUse {
				hasTool = true
			}
		}
		return hasTool && first != protocol.BlockThinking && first != protocol.BlockRedactedThinking
	}
	return false
}
