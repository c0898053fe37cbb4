package openai

import (
	"crypto/rand"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/tidwall/gjson"
)

// Codec converts the OpenAI Chat Completions format to and from the neutral
// model. The zero value is ready; it holds no state and is safe for
// concurrent use.
type Codec struct{}

var _ protocol.Codec = Codec{}

// NewStreamDecoder reads one upstream chunk stream.
func (Codec) NewStreamDecoder() protocol.StreamDecoder { return newStreamDecoder() }

// NewStreamEncoder writes one client chunk stream.
func (Codec) NewStreamEncoder(opts protocol.EncodeOptions) protocol.StreamEncoder {
	return newStreamEncoder(opts)
}

// IncludeUsage reports whether a client request asked for the final usage
// chunk (stream_options.include_usage), which the neutral Request does not
// carry; the proxy passes it on as EncodeOptions.IncludeUsage.
func IncludeUsage(body []byte) bool {
	return gjson.GetBytes(body, "stream_options.include_usage").Bool()
}

// isReasoningModel reports OpenAI's reasoning families, which take
// max_completion_tokens and reasoning_effort and reject temperature and
// top_p. gpt-oss takes reasoning_effort too (Groq, vLLM, Ollama).
func isReasoningModel(model string) bool {
	m := baseModel(model)
	for _, p := range []string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// takesReasoningEffort reports models that accept reasoning_effort.
func takesReasoningEffort(model string) bool {
	return isReasoningModel(model) || strings.Contains(strings.ToLower(model), "gpt-oss")
}

// wantsReasoningBack reports providers that reject a later assistant turn
// without its reasoning_content: DeepSeek's thinking mode ("The
// reasoning_content in the thinking mode must be passed back to the API")
// and Kimi's thinking models, both of which check tool-calling turns.
func wantsReasoningBack(model string) bool {
	m := strings.ToLower(model)
	return strings.Contains(m, "deepseek") ||
		(strings.Contains(m, "kimi") && (strings.Contains(m, "thinking") || strings.Contains(m, "k2.5")))
}

// baseModel drops a router's vendor prefix ("openai/gpt-5" at OpenRouter)
// and lowercases.
func baseModel(model string) string {
	m := strings.ToLower(model)
	if i := strings.LastIndexByte(m, '/'); i >= 0 {
		m = m[i+1:]
	}
	return m
}

// newID returns prefix and a random suffix, for IDs the upstream did not
// give (docs/CONVERSION.md, rule 14: IDs stay unique through a conversation).
func newID(prefix string) string {
	return prefix + rand.Text()
}
