package transform

import (
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// reasoning sets or removes the request's thinking (the codecs then map it
// to each provider's fields: thinking, reasoning_effort, thinkingConfig),
// and on the way down moves reasoning that a server wrote into the text,
// as <think>…</think> at its start (vLLM, Ollama and other
// OpenAI-compatible servers without a reasoning parser do), into a
// thinking block, where clients show it as reasoning instead of answer.
type reasoning struct {
	effort  string
	budget  int
	disable bool
}

func buildReasoning(o *options) step {
	var s reasoning
	s.effort, _ = o.enum("effort", "low", "medium", "high")
	s.budget, _ = o.positiveInt("budget_tokens")
	s.disable, _ = o.boolean("disable")
	if s.disable && (s.effort != "" || s.budget > 0) {
		o.errs = append(o.errs, &ConfigError{Path: o.path + ".disable", Message: `cannot be combined with "effort" or "budget_tokens"`})
	}
	return s
}

func (reasoning) name() string { return "reasoning" }

// request forces thinking on with the configured effort or budget, or off
// with disable. Without those options the request is left alone and the
// step only extracts <think> text on the way down.
func (s reasoning) request(req *protocol.Request) {
	switch {
	case s.disable:
		req.Thinking = nil
	case s.effort != "" || s.budget > 0:
		t := protocol.Thinking{}
		if req.Thinking != nil {
			t = *req.Thinking // a copy: the client's value stays as sent
		}
		t.Enabled = true
		if s.effort != "" {
			t.Effort = s.effort
		}
		if s.budget > 0 {
			t.BudgetTokens = s.budget
			t.Adaptive = false // a fixed budget is the opposite of adaptive
		}
		req.Thinking = &t
	}
}

// response splits the first text block when it starts with a think tag.
func (reasoning) response(resp *protocol.Response) {
	for i, b := range resp.Content {
		if b.Type != protocol.BlockText {
			continue
		}
		thinking, answer, ok := splitThink(b.Text)
		if !ok {
			return
		}
		out := make([]protocol.Block, 0, len(resp.Content)+1)
		out = append(out, resp.Content[:i]...)
		out = append(out, protocol.Block{Type: protocol.BlockThinking, Thinking: thinking})
		if answer != "" {
			b.Text = answer
			out = append(out, b)
		}
		resp.Content = append(out, resp.Content[i+1:]...)
		return
	}
}

func (reasoning) newStreamer() streamer { return &thinkStream{} }

// thinkTags are the opening tags recognised at the start of the text, with
// their closing tags. DeepSeek R1 and Qwen write <think>; some fine-tunes
// <thinking>.
var thinkTags = [...]struct{ open, close string }{
	{"<think>", "</think>"},
	{"<thinking>", "</thinking>"},
}

const spaces = " \t\r\n"

// splitThink splits text that starts (after white space) with a think tag
// into the reasoning and the answer after the closing tag. An unclosed tag
// (the reply was cut off while thinking) makes all of it reasoning.
func splitThink(text string) (thinking, answer string, ok bool) {
	rest := strings.TrimLeft(text, spaces)
	for _, tag := range thinkTags {
		if !strings.HasPrefix(rest, tag.open) {
			continue
		}
		rest = rest[len(tag.open):]
		thinking, answer, _ = strings.Cut(rest, tag.close)
		return strings.TrimSpace(thinking), strings.TrimLeft(answer, spaces), true
	}
	return "", "", false
}

// matchOpen says whether s (text with leading white space removed) starts
// with an opening tag (the tag's index) or could still become one as more
// text arrives (partial).
func matchOpen(s string) (tag int, partial bool) {
	for i, t := range thinkTags {
		if strings.HasPrefix(s, t.open) {
			return i, false
		}
	}
	for _, t := range thinkTags {
		if strings.HasPrefix(t.open, s) {
			return -1, true
		}
	}
	return -1, false
}

// partialSuffix is the length of the longest proper suffix of s that is a
// prefix of tag: the bytes to hold back because the tag may continue in
// the next delta.
func partialSuffix(s, tag string) int {
	for n := min(len(s), len(tag)-1); n > 0; n-- {
		if strings.HasSuffix(s, tag[:n]) {
			return n
		}
	}
	return 0
}
