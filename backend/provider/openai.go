package provider

import (
	"net/http"

	"github.com/routex-app/routex/backend/protocol"
)

// openAI is Chat Completions: OpenAI and the many compatible APIs (DeepSeek,
// Kimi, Qwen, Zhipu, OpenRouter, Groq, Ollama, vLLM). Their base URLs carry
// the version path (…/v1, …/api/paas/v4), so only the operation is added.
type openAI struct{}

var _ Provider = openAI{}

func (openAI) Format() protocol.Format { return protocol.OpenAI }

func (openAI) URL(base, _ string, _ Op, _ bool) string {
	return trimBase(base, "") + "/chat/completions"
}

// Authorize sends a bearer token; local servers such as Ollama need none.
func (openAI) Authorize(h http.Header, key string) {
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
}
