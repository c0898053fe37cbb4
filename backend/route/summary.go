// Package route decides which scenario, rule and targets a request gets:
// the explicit "channel,model" choice of a client, a subagent's
// <routex-model> tag, the user's rules (including expr-lang expressions),
// and the built-in scenarios (long_context, web_search, image, think,
// background, default). It is pure logic over a request Summary: no I/O, no
// logging. Balancing among the chosen targets belongs to package balance.
package route

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/anthropic"
	"github.com/routex-app/routex/backend/protocol/gemini"
	"github.com/routex-app/routex/backend/protocol/openai"
	"github.com/routex-app/routex/backend/protocol/responses"
)

// Summary is what routing looks at, built from the protocol.RequestFacts
// that the client format's reader (anthropic.ReadRequestFacts and its
// siblings) takes from the raw body without a full decode, so passthrough
// requests stay cheap. Custom rule
// expressions (Rule.Expr) see exactly these Go field names, so each is
// documented for users; the explain API shows it in JSON, in snake_case.
type Summary struct {
	// Format is the client's wire format: "anthropic", "openai", "gemini"
	// or "openai-responses".
	Format string `json:"format"`
	// Model is the model the client asked for: the body's model field, or for
	// Gemini the model named in the URL (passed to Summarize).
	Model string `json:"model"`
	// Stream is true for a streaming request. Gemini says so in the URL
	// (:streamGenerateContent), not the body: the caller sets it.
	Stream bool `json:"stream"`
	// Thinking is true when the request asks for extended reasoning:
	// Anthropic thinking.type "enabled" or "adaptive"; OpenAI reasoning_effort
	// set to anything but "none"; Responses reasoning with an effort other
	// than "none" (or a summary); Gemini generationConfig.thinkingConfig
	// present with a thinkingBudget other than 0.
	Thinking bool `json:"thinking"`
	// HasTools is true when the request declares at least one tool.
	HasTools bool `json:"has_tools"`
	// WebSearch is true for a web search tool: an Anthropic tool whose type
	// starts with "web_search", OpenAI web_search_options (or a tool of such
	// a type, as in the Responses API), Gemini googleSearch or
	// googleSearchRetrieval.
	WebSearch bool `json:"web_search"`
	// HasImage is true when the last user turn carries an image: an Anthropic
	// image block (also inside a tool_result), an OpenAI image_url part, a
	// Responses input_image part, a Gemini inlineData or fileData part with
	// an image/* MIME type. Images in
	// earlier turns do not count: they were already answered.
	HasImage bool `json:"has_image"`
	// Tokens estimates the prompt: a quick count (tokens.Quick) of the system
	// text, message text, tool calls and results, and tool schemas, plus
	// about 1600 per image and 3000 per document. Fast and approximate
	// (within some 20% of a real tokenizer on English text).
	Tokens int `json:"tokens"`
	// LastUserText is the text of the last user turn (text blocks only, not
	// tool results), joined by newlines and cut to its first 4 KiB.
	LastUserText string `json:"last_user_text"`
	// SystemTag is "channel,model" from a <routex-model>channel,model</routex-model>
	// tag in any system text (for subagents), "" when there is none.
	SystemTag string `json:"system_tag"`
	// UserID is Anthropic metadata.user_id or OpenAI user; for the
	// Responses API user, else safety_identifier, else prompt_cache_key
	// (Codex's conversation id).
	UserID string `json:"user_id"`
	// Messages is the number of messages (Gemini: contents; Responses:
	// input items, a string input counting one).
	Messages int `json:"messages"`
	// Headers maps lower-cased request header names to their first value,
	// e.g. Headers["x-team"].
	Headers map[string]string `json:"headers"`
	// FirstTurnHash is the FNV-64a hash (16 hex digits) of the first user
	// turn's text and the model, the last resort of SessionKey. It is only
	// computed when UserID and the session headers are all empty, since
	// SessionKey needs it only then.
	FirstTurnHash string `json:"first_turn_hash"`
}

// Summarize reads s from a request body of the given format. It never fails:
// a body that is not a JSON object yields a Summary with only Format, Model
// (as passed) and Headers set. A non-empty model argument wins over the
// body's model field; pass "" for Anthropic and OpenAI bodies and the URL's
// model for Gemini.
func Summarize(format protocol.Format, model string, body []byte, headers http.Header) Summary {
	if !gjson.ValidBytes(body) {
		return Summary{Format: string(format), Model: model, Headers: lowerHeaders(headers)}
	}
	return SummarizeValid(format, model, body, headers)
}

// SummarizeValid is Summarize for a body the caller has already checked to
// be valid JSON (the proxy does, to answer 400): validating a large body
// again would cost as much as reading it.
func SummarizeValid(format protocol.Format, model string, body []byte, headers http.Header) Summary {
	return summarize(format, model, body, headers, false)
}

// SummarizeLight is SummarizeValid without Tokens, LastUserText and
// HasImage, which only long-context and image routes and rules read (see
// Table.NeedsDetail): counting a large prompt costs more than the rest of a
// passthrough request.
func SummarizeLight(format protocol.Format, model string, body []byte, headers http.Header) Summary {
	return summarize(format, model, body, headers, true)
}

// tagHints are the tag's opening as it may appear in raw JSON: plain or
// with its '<' escaped. (Searching for "routex-model" alone would be
// slower: its first byte is common in JSON, which Index looks for first.)
var tagHints = []string{tagOpen, `\u003croutex-model`}

func summarize(format protocol.Format, model string, body []byte, headers http.Header, light bool) Summary {
	s := Summary{Format: string(format), Model: model, Headers: lowerHeaders(headers)}
	o := protocol.FactsOptions{
		System:      func(text string) { noteTag(&s, text) },
		SystemHints: tagHints,
	}
	if light {
		o.Detail = protocol.FactsLight
	}
	first := newFNV()
	if sessionHeader(s.Headers) == "" {
		o.FirstUser = first.write
	}
	f := ReadFacts(format, body, o)
	if s.Model == "" {
		s.Model = f.Model
	}
	s.Stream, s.Thinking, s.HasTools, s.WebSearch = f.Stream, f.Thinking, f.HasTools, f.WebSearch
	s.HasImage, s.Tokens, s.LastUserText = f.HasImage, f.Tokens, f.LastUserText
	s.UserID, s.Messages = f.UserID, f.Messages
	if s.UserID == "" && first.n > 0 {
		first.write("\x00")
		first.write(s.Model)
		s.FirstTurnHash = first.hex()
	}
	return s
}

// SessionKey is the conversation key for session affinity: UserID
// (metadata.user_id / user), else the x-session-id or
// x-claude-code-session-id header, else FirstTurnHash; "" when there is
// nothing to go by. It does not allocate.
func SessionKey(s *Summary) string {
	if s.UserID != "" {
		return s.UserID
	}
	if h := sessionHeader(s.Headers); h != "" {
		return h
	}
	return s.FirstTurnHash
}

func sessionHeader(h map[string]string) string {
	if v := h["x-session-id"]; v != "" {
		return v
	}
	return h["x-claude-code-session-id"]
}

func lowerHeaders(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	m := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			m[strings.ToLower(k)] = v[0]
		}
	}
	return m
}

// fnv64 is an FNV-64a hash fed strings piece by piece, so hashing a turn's
// text needs no concatenation.
type fnv64 struct {
	h uint64
	n int // bytes written
}

func newFNV() fnv64 { return fnv64{h: 14695981039346656037} }

func (f *fnv64) write(s string) {
	for i := 0; i < len(s); i++ {
		f.h ^= uint64(s[i])
		f.h *= 1099511628211
	}
	f.n += len(s)
}

func (f *fnv64) hex() string {
	s := strconv.FormatUint(f.h, 16)
	return strings.Repeat("0", 16-len(s)) + s
}

// noteTag records the first <routex-model> tag found in system text.
func noteTag(s *Summary, text string) {
	if s.SystemTag != "" {
		return
	}
	if tag, ok := findTag(text); ok {
		s.SystemTag = strings.Clone(tag)
	}
}

// ReadFacts reads a request body of the client's format with that format's
// one reader (anthropic.ReadRequestFacts and its siblings), for every
// caller that needs a fact of the request: routing here, the proxy for the
// model and stream flag. An unknown format reads as nothing.
func ReadFacts(format protocol.Format, body []byte, o protocol.FactsOptions) protocol.RequestFacts {
	switch format {
	case protocol.Anthropic:
		return anthropic.ReadRequestFacts(body, o)
	case protocol.OpenAI:
		return openai.ReadRequestFacts(body, o)
	case protocol.Gemini:
		return gemini.ReadRequestFacts(body, o)
	case protocol.Responses:
		return responses.ReadRequestFacts(body, o)
	}
	return protocol.RequestFacts{}
}
