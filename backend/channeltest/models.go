package channeltest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/routex-app/routex/backend/provider"
)

// modelsURL is the upstream's model list, derived from the chat URL the
// provider builds so that both always agree on the base:
// Anthropic …/v1/models, OpenAI-compatible and Responses …/models, Gemini
// …/v1beta/models.
func (t *tester) modelsURL() string {
	chat := t.p.URL(t.ch.BaseURL, "m", provider.OpChat, false)
	switch t.ch.Type {
	case "anthropic":
		return strings.TrimSuffix(chat, "/messages") + "/models?limit=1000"
	case "gemini":
		base, _, _ := strings.Cut(chat, "/models/")
		return base + "/models?pageSize=1000"
	case "openai-responses":
		return strings.TrimSuffix(chat, "/responses") + "/models"
	}
	return strings.TrimSuffix(chat, "/chat/completions") + "/models"
}

// listModels fetches the upstream's model ids. A provider without a list
// endpoint (404) gives none, and that is not a failure.
func (t *tester) listModels(ctx context.Context) ([]string, exchange) {
	x := t.do(ctx, http.MethodGet, t.modelsURL(), nil, false)
	if x.err != nil || x.status/100 != 2 {
		return []string{}, x
	}
	return parseModels(x.body), x
}

// parseModels reads {data:[{id}]} (Anthropic, OpenAI) or
// {models:[{name:"models/…", supportedGenerationMethods}]} (Gemini), keeping
// only Gemini models that generate content.
func parseModels(body []byte) []string {
	var doc struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		Models []struct {
			Name    string   `json:"name"`
			Methods []string `json:"supportedGenerationMethods"`
		} `json:"models"`
	}
	out := []string{}
	if json.Unmarshal(body, &doc) != nil {
		return out
	}
	for _, m := range doc.Data {
		if m.ID != "" {
			out = append(out, m.ID)
		}
	}
	for _, m := range doc.Models {
		if m.Name == "" || (len(m.Methods) > 0 && !slices.Contains(m.Methods, "generateContent")) {
			continue
		}
		out = append(out, strings.TrimPrefix(m.Name, "models/"))
	}
	return out
}

// pickModel chooses the model to test: the caller's, else the channel's
// first (through its model map, as the proxy would send it), else the
// provider's default when the upstream lists it, else the first listed,
// else the provider's default.
func (t *tester) pickModel(listed []string) string {
	model := strings.TrimSpace(t.opts.Model)
	if model == "" && len(t.ch.Models) > 0 {
		model = t.ch.Models[0]
	}
	if model != "" {
		if up, ok := t.ch.ModelMap[model]; ok && up != "" {
			return up
		}
		return model
	}
	def := defaultModels[t.ch.Type]
	if len(listed) == 0 || slices.Contains(listed, def) {
		return def
	}
	return listed[0]
}
