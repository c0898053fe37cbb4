package provider

import (
	"net/http"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// responses is the OpenAI Responses API: OpenAI itself and the servers that
// copy it (Azure OpenAI's v1 API, OpenRouter, xAI, Ollama, vLLM). The base
// URL carries the version path (…/v1), as for Chat Completions; a base URL
// written with /responses at its end works too.
type responses struct{}

var _ Provider = responses{}

func (responses) Format() protocol.Format { return protocol.Responses }

func (responses) URL(base, _ string, op Op, _ bool) string {
	base = strings.TrimSuffix(trimBase(base, ""), "/responses")
	if op == OpCountTokens {
		return base + "/responses/input_tokens"
	}
	return base + "/responses"
}

// Authorize sends a bearer token, like the Chat Completions provider.
func (responses) Authorize(h http.Header, key string) { openAI{}.Authorize(h, key) }
