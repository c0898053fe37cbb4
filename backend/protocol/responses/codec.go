package responses

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// Codec converts the OpenAI Responses format to and from the neutral model.
// The zero value is ready; it holds no state and is safe for concurrent use.
type Codec struct{}

var _ protocol.Codec = Codec{}

// NewStreamDecoder reads one upstream Responses event stream.
func (Codec) NewStreamDecoder() protocol.StreamDecoder { return newStreamDecoder() }

// NewStreamEncoder writes one client Responses event stream.
func (Codec) NewStreamEncoder(opts protocol.EncodeOptions) protocol.StreamEncoder {
	return newStreamEncoder(opts)
}

// Markers of a reasoning item's encrypted_content that Routex wrote itself
// for a Responses client: a thinking block's signature (Anthropic, Gemini)
// or a redacted thinking block's data, which the client hands back on its
// next turn. OpenAI's own encrypted content never starts with "routex:".
const (
	signatureMarker = "routex:signature:"
	redactedMarker  = "routex:redacted:"
)

// CarriesForeign reports whether a Responses request body hands back
// reasoning that Routex carried for another provider (an Anthropic
// signature, redacted thinking) in encrypted_content. Such a request must
// be decoded and re-encoded before it goes to a Responses upstream, which
// would refuse content it did not encrypt; a quick byte search, so
// requests without it pass through untouched.
func CarriesForeign(body []byte) bool {
	return bytes.Contains(body, []byte(`"`+signatureMarker)) || bytes.Contains(body, []byte(`"`+redactedMarker))
}

// effortBudgets maps reasoning.effort to a thinking budget for targets that
// count tokens (Anthropic budget_tokens, Gemini thinkingBudget), as the
// Chat Completions codec does for reasoning_effort.
var effortBudgets = map[string]int{
	"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576, "xhigh": 32768,
}

// takesReasoning reports OpenAI's reasoning families, which accept
// reasoning options and reject temperature and top_p.
func takesReasoning(model string) bool {
	m := strings.ToLower(model)
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "codex"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return strings.Contains(m, "gpt-oss")
}

// openAIReasoning reports OpenAI's own reasoning families, which return
// encrypted reasoning when asked (include reasoning.encrypted_content).
// Open-weight gpt-oss is left out: the servers that run it differ in what
// they accept.
func openAIReasoning(model string) bool {
	return takesReasoning(model) && !strings.Contains(strings.ToLower(model), "gpt-oss")
}

// responseID derives a resp_ ID from the upstream's ID (msg_…, chatcmpl-…,
// a Gemini responseId) so logs on both sides match, or makes one.
func responseID(id string) string {
	switch {
	case id == "":
		return "resp_" + strings.ToLower(rand.Text())
	case strings.HasPrefix(id, "resp_"):
		return id
	}
	return "resp_" + hashID(id, 32)
}

// itemID gives output item n of response resp an ID with prefix (msg_,
// rs_, fc_, ctc_): the same for the same reply, so the added and done
// events and the final response agree, and golden files stay stable.
func itemID(prefix, resp string, n int) string {
	return prefix + hashID(resp+"\x00"+strconv.Itoa(n), 32)
}

// callID gives a tool call without an ID one, derived from where it stands.
func callID(resp string, n int) string {
	return "call_" + hashID(resp+"\x00call\x00"+strconv.Itoa(n), 24)
}

// hashID returns n lowercase hex digits derived from s.
func hashID(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	const hex = "0123456789abcdef"
	out := make([]byte, 0, n)
	for i := 0; len(out) < n && i < len(sum); i++ {
		out = append(out, hex[sum[i]>>4], hex[sum[i]&0xf])
	}
	return string(out[:min(n, len(out))])
}

// stopStatus maps a neutral stop reason to the response's status and its
// incomplete_details.reason ("" when complete).
func stopStatus(r protocol.StopReason) (status, reason string) {
	switch r {
	case protocol.StopMaxTokens:
		return "incomplete", "max_output_tokens"
	case protocol.StopRefusal:
		return "incomplete", "content_filter"
	}
	return "completed", ""
}

// stopReason maps a response's status back: a call cut by the token limit
// is incomplete and must not run, so max_tokens wins over tool_use, as in
// the Chat Completions codec.
func stopReason(status, reason string, toolCalls bool) protocol.StopReason {
	if status == "incomplete" {
		switch reason {
		case "content_filter":
			return protocol.StopRefusal
		default:
			return protocol.StopMaxTokens
		}
	}
	if toolCalls {
		return protocol.StopToolUse
	}
	return protocol.StopEndTurn
}

// encodeUsage converts neutral usage back: input_tokens counts everything
// the prompt held, cached or not.
func encodeUsage(u protocol.Usage) Usage {
	in := u.InputTokens + u.CacheReadTokens + u.CacheWriteTokens
	return Usage{
		InputTokens:         in,
		InputTokensDetails:  &InputDetails{CachedTokens: u.CacheReadTokens},
		OutputTokens:        u.OutputTokens,
		OutputTokensDetails: &OutputDetail{ReasoningTokens: u.ReasoningTokens},
		TotalTokens:         in + u.OutputTokens,
	}
}

// errorCode is the code a failed response carries for an error kind. Codex
// reads context_length_exceeded (to compact), insufficient_quota and
// rate_limit_exceeded (to wait); the SDK shows the message.
func errorCode(kind protocol.ErrorKind, msg string) string {
	switch kind {
	case protocol.RateLimit:
		return "rate_limit_exceeded"
	case protocol.InvalidRequest, protocol.TooLarge:
		if contextTooLong(msg) {
			return "context_length_exceeded"
		}
		return "invalid_prompt"
	}
	if contextTooLong(msg) {
		return "context_length_exceeded"
	}
	return "server_error"
}

// contextTooLong recognises the providers' ways of saying the prompt does
// not fit the model's context window.
func contextTooLong(msg string) bool {
	m := strings.ToLower(msg)
	for _, s := range []string{"context_length_exceeded", "context length", "context window", "prompt is too long", "maximum context", "too many tokens"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// errorKind reads a failed response's or error event's code.
func errorKind(code string) protocol.ErrorKind {
	if n, err := strconv.Atoi(code); err == nil && n >= 400 {
		return protocol.KindForStatus(n)
	}
	switch code {
	case "rate_limit_exceeded", "insufficient_quota", "rate_limit_error":
		return protocol.RateLimit
	case "invalid_prompt", "invalid_request_error", "context_length_exceeded", "invalid_image",
		"invalid_image_format", "invalid_base64_image", "invalid_image_url", "image_too_large",
		"image_too_small", "empty_image_file", "unsupported_image_media_type":
		return protocol.InvalidRequest
	case "authentication_error", "invalid_api_key":
		return protocol.Authentication
	case "server_is_overloaded", "overloaded", "overloaded_error":
		return protocol.Overloaded
	case "timeout":
		return protocol.Timeout
	}
	return protocol.APIError
}
