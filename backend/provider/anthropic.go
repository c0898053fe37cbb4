package provider

import (
	"net/http"

	"github.com/routex-app/routex/backend/protocol"
)

// DefaultAnthropicVersion is sent when a client names none.
const DefaultAnthropicVersion = "2023-06-01"

// anthropic is the Messages API and the Anthropic-compatible endpoints of
// DeepSeek, Kimi, Zhipu and others: base URL without /v1.
type anthropic struct{}

var _ Provider = anthropic{}

func (anthropic) Format() protocol.Format { return protocol.Anthropic }

func (anthropic) URL(base, _ string, op Op, _ bool) string {
	base = trimBase(base, "/v1")
	if op == OpCountTokens {
		return base + "/v1/messages/count_tokens"
	}
	return base + "/v1/messages"
}

func (anthropic) Authorize(h http.Header, key string) {
	h.Set("X-Api-Key", key)
	if h.Get("Anthropic-Version") == "" {
		h.Set("Anthropic-Version", DefaultAnthropicVersion)
	}
}
