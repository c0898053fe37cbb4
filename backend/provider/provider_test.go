package provider

import (
	"net/http"
	"testing"
)

func TestURLs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, typ, base, model string
		op                     Op
		stream                 bool
		want                   string
	}{
		{"anthropic without version", "anthropic", "https://api.anthropic.com", "m", OpChat, false, "https://api.anthropic.com/v1/messages"},
		{"anthropic written with /v1/", "anthropic", "https://api.anthropic.com/v1/", "m", OpChat, true, "https://api.anthropic.com/v1/messages"},
		{"deepseek anthropic endpoint", "anthropic", "https://api.deepseek.com/anthropic", "m", OpCountTokens, false, "https://api.deepseek.com/anthropic/v1/messages/count_tokens"},
		{"openai keeps its version path", "openai", "https://api.openai.com/v1", "m", OpChat, true, "https://api.openai.com/v1/chat/completions"},
		{"zhipu v4 path", "openai", "https://open.bigmodel.cn/api/paas/v4/", "m", OpChat, false, "https://open.bigmodel.cn/api/paas/v4/chat/completions"},
		{"gemini generate", "gemini", "https://generativelanguage.googleapis.com", "gemini-2.5-pro", OpChat, false, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent"},
		{"gemini stream", "gemini", "https://generativelanguage.googleapis.com/v1beta", "gemini-2.5-flash", OpChat, true, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"},
		{"responses appends /responses", "openai-responses", "https://api.openai.com/v1", "gpt-5", OpChat, true, "https://api.openai.com/v1/responses"},
		{"responses written with its endpoint", "openai-responses", "https://api.openai.com/v1/responses/", "gpt-5", OpChat, false, "https://api.openai.com/v1/responses"},
		{"responses counts input tokens", "openai-responses", "http://localhost:11434/v1", "m", OpCountTokens, false, "http://localhost:11434/v1/responses/input_tokens"},
		{"gemini model names are escaped", "gemini", "http://x", "a/b", OpCountTokens, false, "http://x/v1beta/models/a%2Fb:countTokens"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := For(c.typ).URL(c.base, c.model, c.op, c.stream); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	For("anthropic").Authorize(h, "k1")
	if h.Get("X-Api-Key") != "k1" || h.Get("Anthropic-Version") != DefaultAnthropicVersion || h.Get("Authorization") != "" {
		t.Fatalf("anthropic headers: %v", h)
	}
	h = http.Header{"Anthropic-Version": {"2024-01-01"}}
	For("anthropic").Authorize(h, "k1")
	if h.Get("Anthropic-Version") != "2024-01-01" {
		t.Fatal("a client's anthropic-version must be kept")
	}
	h = http.Header{}
	For("openai").Authorize(h, "k2")
	if h.Get("Authorization") != "Bearer k2" {
		t.Fatalf("openai headers: %v", h)
	}
	h = http.Header{}
	For("openai").Authorize(h, "")
	if _, ok := h["Authorization"]; ok {
		t.Fatal("an empty key (Ollama) sends no Authorization header")
	}
	h = http.Header{}
	For("openai-responses").Authorize(h, "k4")
	if h.Get("Authorization") != "Bearer k4" {
		t.Fatalf("openai-responses headers: %v", h)
	}
	h = http.Header{}
	For("gemini").Authorize(h, "k3")
	if h.Get("X-Goog-Api-Key") != "k3" {
		t.Fatalf("gemini headers: %v", h)
	}
	if For("cohere") != nil {
		t.Fatal("unknown types have no provider")
	}
}
