package api_test

import (
	"net/http"
	"os"
	"strconv"
	"testing"

	"github.com/tidwall/gjson"
)

// channelWithSlots creates an Anthropic-compatible channel with Claude Code
// model slots (slots is a JSON object, or "" for none) and returns its id.
func (a *clientsFixture) channelWithSlots(name, base, slots string) string {
	a.t.Helper()
	extra := ""
	if slots != "" {
		extra = `,"claude_models":` + slots
	}
	r := a.do("POST", "/api/channels", `{"name":"`+name+`","type":"anthropic","base_url":"`+base+`","api_key":"sk-`+name+`"`+extra+`}`).want(a.t, http.StatusCreated)
	return strconv.FormatInt(int64(r.body["id"].(float64)), 10)
}

func (a *clientsFixture) env(key string) string {
	a.t.Helper()
	b, _ := os.ReadFile(a.claude)
	return gjson.GetBytes(b, "env."+key).String()
}

func TestClaudeCodeGetsTheActiveProvidersModelSlots(t *testing.T) {
	t.Parallel()
	original := "{\n  \"env\": {\n    \"ANTHROPIC_DEFAULT_HAIKU_MODEL\": \"my-haiku\"\n  }\n}\n"
	a := newClientsAPI(t, original)
	glm := a.channelWithSlots("glm", "https://open.bigmodel.cn/api/anthropic",
		`{"model":"glm-5.2","opus":"glm-5.2","sonnet":"glm-5.2","haiku":"glm-4.5-air","small_fast":"glm-4.5-air"}`)
	plain := a.channelWithSlots("plain", "https://api.anthropic.com", "")
	a.do("PUT", "/api/active", `{"channel_id":`+glm+`}`).want(t, http.StatusOK)

	// Proxy mode: the settings name the active provider's models.
	a.do("POST", "/api/clients/claude/attach", `{"mode":"proxy"}`).want(t, http.StatusOK)
	for k, want := range map[string]string{"ANTHROPIC_MODEL": "glm-5.2", "ANTHROPIC_DEFAULT_OPUS_MODEL": "glm-5.2",
		"ANTHROPIC_DEFAULT_SONNET_MODEL": "glm-5.2", "ANTHROPIC_DEFAULT_HAIKU_MODEL": "glm-4.5-air",
		"ANTHROPIC_SMALL_FAST_MODEL": "glm-4.5-air", "ANTHROPIC_BASE_URL": "http://127.0.0.1:18080"} {
		if got := a.env(k); got != want {
			t.Errorf("after attach %s = %q, want %q", k, got, want)
		}
	}
	ch := a.do("GET", "/api/channels/"+glm, "").want(t, http.StatusOK)
	if gjson.Get(ch.raw, "claude_models.haiku").Str != "glm-4.5-air" {
		t.Errorf("the channel's JSON lacks its slots: %s", ch.raw)
	}

	// Switching to a provider without slots gives the user's own back.
	a.do("PUT", "/api/active", `{"channel_id":`+plain+`}`).want(t, http.StatusOK)
	if a.env("ANTHROPIC_DEFAULT_HAIKU_MODEL") != "my-haiku" || a.env("ANTHROPIC_MODEL") != "" || a.env("ANTHROPIC_SMALL_FAST_MODEL") != "" {
		b, _ := os.ReadFile(a.claude)
		t.Errorf("after switching to a provider without slots:\n%s", b)
	}
	// Editing the active provider's slots applies at once.
	a.do("PATCH", "/api/channels/"+plain, `{"claude_models":{"opus":"claude-opus-4-1"}}`).want(t, http.StatusOK)
	if a.env("ANTHROPIC_DEFAULT_OPUS_MODEL") != "claude-opus-4-1" {
		t.Errorf("editing the active provider's slots did not reach the settings")
	}
	// Back to GLM, then detach: the original comes back byte for byte.
	a.do("PUT", "/api/active", `{"channel_id":`+glm+`}`).want(t, http.StatusOK)
	if a.env("ANTHROPIC_DEFAULT_HAIKU_MODEL") != "glm-4.5-air" || a.env("ANTHROPIC_DEFAULT_OPUS_MODEL") != "glm-5.2" {
		t.Errorf("back on GLM the slots are not GLM's")
	}
	a.do("POST", "/api/clients/claude/detach", "").want(t, http.StatusOK)
	if b, _ := os.ReadFile(a.claude); string(b) != original {
		t.Errorf("detach:\n%s\nwant\n%s", b, original)
	}

	// Direct mode: the channel's own slots; an explicit request wins.
	a.do("POST", "/api/clients/claude/attach", `{"mode":"direct","channel_id":`+glm+`}`).want(t, http.StatusOK)
	if a.env("ANTHROPIC_BASE_URL") != "https://open.bigmodel.cn/api/anthropic" || a.env("ANTHROPIC_DEFAULT_OPUS_MODEL") != "glm-5.2" {
		t.Errorf("direct attach to GLM did not write its slots")
	}
	a.do("POST", "/api/clients/claude/attach", `{"mode":"direct","channel_id":`+glm+`,"models":{"opus":"glm-4.6"}}`).want(t, http.StatusOK)
	if a.env("ANTHROPIC_DEFAULT_OPUS_MODEL") != "glm-4.6" || a.env("ANTHROPIC_DEFAULT_HAIKU_MODEL") != "my-haiku" {
		t.Errorf("explicit models did not win over the channel's")
	}
	bad := a.do("POST", "/api/channels", `{"name":"x","type":"anthropic","base_url":"https://x.example","claude_models":{"opus":"two\nlines"}}`).want(t, http.StatusBadRequest)
	if bad.field("claude_models") == nil {
		t.Errorf("a slot with a line break: %s", bad.raw)
	}
}
