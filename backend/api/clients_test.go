package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/clients"
	"github.com/routex-app/routex/backend/store"
)

// clientsFixture is a test API whose client endpoints edit settings files in a
// temporary folder, so the tests run in parallel without touching HOME.
type clientsFixture struct {
	*testAPI
	claude, gemini, codex string
}

func newClientsAPI(t *testing.T, claudeContent string) *clientsFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "routex.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	fx := &clientsFixture{
		claude: filepath.Join(dir, "claude", "settings.json"),
		gemini: filepath.Join(dir, "gemini", ".env"),
		codex:  filepath.Join(dir, "codex", "config.toml"),
	}
	if claudeContent != "" {
		os.MkdirAll(filepath.Dir(fx.claude), 0o700)
		os.WriteFile(fx.claude, []byte(claudeContent), 0o600)
	}
	srv := newServer(t, st, api.Deps{Info: api.Info{Version: "test", Started: time.Now()}, Clients: &api.ClientsConfig{
		BaseURL: "http://127.0.0.1:18080", AccessKeyFunc: func() string { return "rx-live-key" },
		Home: filepath.Join(dir, "routex"), ClaudePath: fx.claude, GeminiPath: fx.gemini, CodexPath: fx.codex,
	}})
	hs := httptest.NewServer(api.WithToken(testToken, srv.Handler()))
	t.Cleanup(hs.Close)
	fx.testAPI = &testAPI{t: t, srv: hs, store: st}
	return fx
}

func TestClientsStatusAttachAndDetachOverHTTP(t *testing.T) {
	t.Parallel()
	original := "{\n  \"hooks\": {\n    \"Stop\": []\n  },\n  \"env\": {\n    \"ANTHROPIC_API_KEY\": \"sk-user\"\n  }\n}\n"
	a := newClientsAPI(t, original)

	r := a.do("GET", "/api/clients", "").want(t, http.StatusOK)
	if got := gjson.Get(r.raw, "claude.status").String(); got != "not_attached" {
		t.Errorf("claude status %s", got)
	}
	if got := gjson.Get(r.raw, "gemini.path").String(); got != a.gemini {
		t.Errorf("gemini path %s", got)
	}

	r = a.do("POST", "/api/clients/claude/attach", `{"mode":"proxy","models":{"haiku":"glm-4.5-air"}}`).want(t, http.StatusOK)
	if gjson.Get(r.raw, "status.status").String() != "attached" || !gjson.Get(r.raw, "changed").Bool() || gjson.Get(r.raw, "backup").String() == "" {
		t.Errorf("attach answer %s", r.raw)
	}
	b, _ := os.ReadFile(a.claude)
	for path, want := range map[string]string{
		"env.ANTHROPIC_BASE_URL": "http://127.0.0.1:18080", "env.ANTHROPIC_AUTH_TOKEN": "rx-live-key",
		"env.ANTHROPIC_DEFAULT_HAIKU_MODEL": "glm-4.5-air", "env.ANTHROPIC_API_KEY": "", "hooks.Stop": "[]",
	} {
		if got := gjson.GetBytes(b, path).String(); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if strings.Contains(r.raw, "rx-live-key") {
		t.Error("the answer leaks the access key")
	}

	a.do("POST", "/api/clients/gemini/attach", "").want(t, http.StatusOK)
	r = a.do("GET", "/api/clients", "").want(t, http.StatusOK)
	for _, name := range []string{"claude", "gemini"} {
		if got := gjson.Get(r.raw, name+".status").String(); got != "attached" {
			t.Errorf("%s status %s", name, got)
		}
	}

	a.do("POST", "/api/clients/claude/detach", "").want(t, http.StatusOK)
	if b, _ := os.ReadFile(a.claude); string(b) != original {
		t.Errorf("detach did not restore the file:\n%s", b)
	}
	r = a.do("POST", "/api/clients/claude/detach", "").want(t, http.StatusConflict)
	if r.errorType() != "not_attached" {
		t.Errorf("second detach: %s", r.raw)
	}
}

func TestClientsAttachRefusesBadInput(t *testing.T) {
	t.Parallel()
	a := newClientsAPI(t, "{\n  \"a\": 1,\n}\n")
	openai := a.createChannel("ds", "")

	tests := []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"an unknown mode", "/api/clients/claude/attach", `{"mode":"sideways"}`, 400, "mode"},
		{"direct mode without a channel", "/api/clients/gemini/attach", `{"mode":"direct"}`, 400, "channel_id"},
		{"direct mode with a missing channel", "/api/clients/gemini/attach", `{"mode":"direct","channel_id":999}`, 400, "channel_id"},
		{"direct mode with a channel of another format", "/api/clients/gemini/attach", `{"mode":"direct","channel_id":` + strconv.FormatInt(openai, 10) + `}`, 400, "channel_id"},
		{"models for Gemini", "/api/clients/gemini/attach", `{"models":{"model":"x"}}`, 400, "models"},
		{"an unknown field", "/api/clients/gemini/attach", `{"mdoe":"proxy"}`, 400, "body"},
		{"an unknown client", "/api/clients/vim/attach", `{}`, 404, ""},
		{"a malformed settings file", "/api/clients/claude/attach", `{}`, 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("POST", tt.path, tt.body).want(t, tt.status)
			if tt.field != "" && r.field(tt.field) == nil {
				t.Errorf("no error for field %s: %s", tt.field, r.raw)
			}
			if tt.status == 422 && !strings.Contains(r.raw, "line 3, column 1") {
				t.Errorf("the error does not say where: %s", r.raw)
			}
		})
	}
	if b, _ := os.ReadFile(a.claude); string(b) != "{\n  \"a\": 1,\n}\n" {
		t.Error("the malformed file was changed")
	}
	r := a.do("GET", "/api/clients", "").want(t, http.StatusOK)
	if gjson.Get(r.raw, "claude.status").String() != "error" || !strings.Contains(gjson.Get(r.raw, "claude.error").String(), "line 3") {
		t.Errorf("status of a malformed file: %s", r.raw)
	}
}

func TestClientsDirectModeWritesTheChannel(t *testing.T) {
	t.Parallel()
	a := newClientsAPI(t, "")
	r := a.do("POST", "/api/channels", `{"name":"deepseek","type":"anthropic","base_url":"https://api.deepseek.com/anthropic","api_key":"sk-ds-secret","models":["deepseek-chat"]}`).want(t, http.StatusCreated)
	id := int64(r.body["id"].(float64))
	r = a.do("POST", "/api/clients/claude/attach", `{"mode":"direct","channel_id":`+strconv.FormatInt(id, 10)+`}`).want(t, http.StatusOK)
	if gjson.Get(r.raw, "status.mode").String() != "direct" || gjson.Get(r.raw, "status.status").String() != "attached" {
		t.Errorf("answer %s", r.raw)
	}
	b, _ := os.ReadFile(a.claude)
	if gjson.GetBytes(b, "env.ANTHROPIC_BASE_URL").String() != "https://api.deepseek.com/anthropic" ||
		gjson.GetBytes(b, "env.ANTHROPIC_AUTH_TOKEN").String() != "sk-ds-secret" {
		t.Errorf("settings:\n%s", b)
	}
}

func TestDirectModeFollowsTheActiveProvider(t *testing.T) {
	t.Parallel()
	a := newClientsAPI(t, "")
	r := a.do("POST", "/api/channels", `{"name":"deepseek","type":"anthropic","base_url":"https://api.deepseek.com/anthropic","api_key":"sk-ds-secret"}`).want(t, http.StatusCreated)
	first := strconv.FormatInt(int64(r.body["id"].(float64)), 10)
	r = a.do("POST", "/api/channels", `{"name":"kimi","type":"anthropic","base_url":"https://api.moonshot.ai/anthropic","api_key":"sk-kimi-secret"}`).want(t, http.StatusCreated)
	second := strconv.FormatInt(int64(r.body["id"].(float64)), 10)
	a.do("POST", "/api/clients/claude/attach", `{"mode":"direct","channel_id":`+first+`}`).want(t, http.StatusOK)

	a.do("PUT", "/api/active", `{"channel_id":`+second+`}`).want(t, http.StatusOK)
	b, _ := os.ReadFile(a.claude)
	if gjson.GetBytes(b, "env.ANTHROPIC_BASE_URL").String() != "https://api.moonshot.ai/anthropic" ||
		gjson.GetBytes(b, "env.ANTHROPIC_AUTH_TOKEN").String() != "sk-kimi-secret" {
		t.Fatalf("switching the provider did not rewrite direct-mode settings:\n%s", b)
	}
}

func TestClientsWithoutConfigurationAnswerUnavailable(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	a.do("GET", "/api/clients", "").want(t, http.StatusServiceUnavailable)
	a.do("POST", "/api/clients/claude/attach", "").want(t, http.StatusServiceUnavailable)
}

func TestCodexOverHTTP(t *testing.T) {
	t.Parallel()
	a := newClientsAPI(t, "")
	original := "# my Codex\nmodel = \"gpt-5.5-codex\"\n\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs-mcp\"]\n"
	os.MkdirAll(filepath.Dir(a.codex), 0o700)
	os.WriteFile(a.codex, []byte(original), 0o600)

	r := a.do("GET", "/api/clients", "").want(t, http.StatusOK)
	if gjson.Get(r.raw, "codex.status").String() != "not_attached" || gjson.Get(r.raw, "codex.path").String() != a.codex {
		t.Errorf("codex before attach: %s", r.raw)
	}
	r = a.do("POST", "/api/clients/codex/attach", `{"models":{"sonnet":"x"}}`).want(t, http.StatusBadRequest)
	if r.field("models") == nil {
		t.Errorf("a Claude-only model for Codex: %s", r.raw)
	}
	r = a.do("POST", "/api/clients/codex/attach", `{"mode":"proxy","models":{"model":"qwen3-coder-plus"}}`).want(t, http.StatusOK)
	if gjson.Get(r.raw, "status.status").String() != "attached" || gjson.Get(r.raw, "status.base_url").String() != "http://127.0.0.1:18080/v1" {
		t.Errorf("attach answer %s", r.raw)
	}
	if strings.Contains(r.raw, "rx-live-key") {
		t.Error("the answer leaks the access key")
	}
	b, _ := os.ReadFile(a.codex)
	want := "# my Codex\nmodel = \"qwen3-coder-plus\"\nmodel_provider = \"routex\"\n\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs-mcp\"]\n" +
		"\n[model_providers.routex]\nname = \"Routex\"\nbase_url = \"http://127.0.0.1:18080/v1\"\nwire_api = \"responses\"\nexperimental_bearer_token = \"rx-live-key\"\n"
	if string(b) != want {
		t.Errorf("config.toml:\n%s\nwant\n%s", b, want)
	}
	r = a.do("GET", "/api/clients", "").want(t, http.StatusOK)
	if gjson.Get(r.raw, "codex.status").String() != "attached" {
		t.Errorf("codex after attach: %s", r.raw)
	}
	a.do("POST", "/api/clients/codex/detach", "").want(t, http.StatusOK)
	if b, _ := os.ReadFile(a.codex); string(b) != original {
		t.Errorf("detach did not give back the file:\n%s", b)
	}

	// Direct mode needs a channel that speaks the Responses API itself.
	openai := a.createChannel("oai", "")
	r = a.do("POST", "/api/clients/codex/attach", `{"mode":"direct","channel_id":`+strconv.FormatInt(openai, 10)+`}`).want(t, http.StatusBadRequest)
	if f := r.field("channel_id"); f == nil || f["code"] != "wrong_type" {
		t.Errorf("direct mode with a Chat Completions channel: %s", r.raw)
	}

	os.WriteFile(a.codex, []byte("model = \"a\"\n[tui\n"), 0o600)
	r = a.do("POST", "/api/clients/codex/attach", "").want(t, http.StatusUnprocessableEntity)
	if r.errorType() != "invalid_settings" || !strings.Contains(r.raw, "line 2, column 5") {
		t.Errorf("malformed config.toml: %s", r.raw)
	}
}

func TestCodexDirectModeWritesAResponsesChannelAndFollowsTheActiveOne(t *testing.T) {
	t.Parallel()
	a := newClientsAPI(t, "")
	// The store takes any type; the API's channel endpoints will take
	// openai-responses once the Responses API lands.
	var ids []string
	for _, ch := range []store.Channel{
		{Name: "openai-resp", Type: clients.CodexChannelType, BaseURL: "https://api.openai.com/v1", APIKey: "sk-openai-secret", Enabled: true, Priority: 1, Weight: 1},
		{Name: "relay-resp", Type: clients.CodexChannelType, BaseURL: "https://relay.example.com/v1/", APIKey: "sk-relay-secret", Enabled: true, Priority: 2, Weight: 1},
	} {
		created, err := a.store.CreateChannel(context.Background(), ch)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.FormatInt(created.ID, 10))
	}
	r := a.do("POST", "/api/clients/codex/attach", `{"mode":"direct","channel_id":`+ids[0]+`}`).want(t, http.StatusOK)
	if gjson.Get(r.raw, "status.mode").String() != "direct" || gjson.Get(r.raw, "status.status").String() != "attached" {
		t.Errorf("answer %s", r.raw)
	}
	if strings.Contains(r.raw, "sk-openai-secret") {
		t.Error("the answer leaks the channel's key")
	}
	b, _ := os.ReadFile(a.codex)
	if !strings.Contains(string(b), "base_url = \"https://api.openai.com/v1\"\n") || !strings.Contains(string(b), "experimental_bearer_token = \"sk-openai-secret\"\n") {
		t.Fatalf("config.toml:\n%s", b)
	}
	a.do("PUT", "/api/active", `{"channel_id":`+ids[1]+`}`).want(t, http.StatusOK)
	b, _ = os.ReadFile(a.codex)
	if !strings.Contains(string(b), "base_url = \"https://relay.example.com/v1\"\n") || !strings.Contains(string(b), "experimental_bearer_token = \"sk-relay-secret\"\n") {
		t.Fatalf("switching the provider did not rewrite Codex's direct-mode provider:\n%s", b)
	}
}
