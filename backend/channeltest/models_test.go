package channeltest

import (
	"slices"
	"testing"

	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/store"
)

func TestPickModel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, typ, asked string
		models           []string
		modelMap         map[string]string
		listed           []string
		want             string
	}{
		{"the caller's model wins", "openai", "gpt-4o", []string{"m1"}, nil, []string{"x"}, "gpt-4o"},
		{"else the channel's first model", "openai", "", []string{"deepseek-chat", "deepseek-reasoner"}, nil, nil, "deepseek-chat"},
		{"through the model map, as the proxy sends it", "anthropic", "", []string{"claude-sonnet-4-5"},
			map[string]string{"claude-sonnet-4-5": "glm-4.6"}, nil, "glm-4.6"},
		{"else the default when the upstream lists it", "gemini", "", nil, nil, []string{"gemini-2.5-pro", "gemini-2.5-flash"}, "gemini-2.5-flash"},
		{"else the first listed model", "openai", "", nil, nil, []string{"qwen-max", "qwen-plus"}, "qwen-max"},
		{"else the provider default", "anthropic", "", nil, nil, nil, "claude-haiku-4-5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tt := &tester{ch: store.Channel{Type: c.typ, Models: c.models, ModelMap: c.modelMap}, opts: Options{Model: c.asked}}
			if got := tt.pickModel(c.listed); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestReasoningModel(t *testing.T) {
	t.Parallel()
	for model, want := range map[string]bool{
		"o1": true, "o3-mini": true, "o4-mini": true, "gpt-5": true, "gpt-5-mini": true, "openai/o3": true,
		"gpt-4.1-mini": false, "omni-moderation": false, "deepseek-chat": false, "": false,
	} {
		if got := reasoningModel(model); got != want {
			t.Errorf("reasoningModel(%q) = %v, want %v", model, got, want)
		}
	}
}

func TestModelsURLFollowsTheProviderBase(t *testing.T) {
	t.Parallel()
	cases := []struct{ typ, base, want string }{
		{"anthropic", "https://api.anthropic.com", "https://api.anthropic.com/v1/models?limit=1000"},
		{"anthropic", "https://api.deepseek.com/anthropic/", "https://api.deepseek.com/anthropic/v1/models?limit=1000"},
		{"openai", "https://open.bigmodel.cn/api/paas/v4", "https://open.bigmodel.cn/api/paas/v4/models"},
		{"gemini", "https://generativelanguage.googleapis.com/v1beta", "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000"},
	}
	for _, c := range cases {
		tt := &tester{ch: store.Channel{Type: c.typ, BaseURL: c.base}, p: provider.For(c.typ)}
		if got := tt.modelsURL(); got != c.want {
			t.Errorf("%s %s: got %s, want %s", c.typ, c.base, got, c.want)
		}
	}
}

func TestParseModels(t *testing.T) {
	t.Parallel()
	got := parseModels([]byte(`{"models":[{"name":"models/gemini-2.5-pro","supportedGenerationMethods":["generateContent"]},
		{"name":"models/embedding-001","supportedGenerationMethods":["embedContent"]}]}`))
	if !slices.Equal(got, []string{"gemini-2.5-pro"}) {
		t.Fatalf("gemini: %v", got)
	}
	if got := parseModels([]byte(`{"data":[{"id":"a"},{"id":"b"}]}`)); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("openai: %v", got)
	}
	if got := parseModels([]byte(`<html>`)); got == nil || len(got) != 0 {
		t.Fatalf("garbage: %v", got)
	}
}
