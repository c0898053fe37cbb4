package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/store"
)

// toolHome is a temporary user for the client commands: HOME (where
// ~/.claude and ~/.gemini live) and a Routex home, with the environment
// pinned. It sets process-wide variables, so its tests are not parallel.
type toolHome struct {
	t     *testing.T
	home  string // HOME
	rhome string // ROUTEX_HOME, passed as --home
}

func newToolHome(t *testing.T) *toolHome {
	t.Helper()
	h := &toolHome{t: t, home: t.TempDir()}
	h.rhome = filepath.Join(h.home, "routex-home")
	t.Setenv("HOME", h.home)
	t.Setenv("USERPROFILE", h.home)
	t.Setenv("CLAUDE_CONFIG_DIR", "")
	t.Setenv("CODEX_HOME", "")
	t.Setenv("LC_ALL", "en_US.UTF-8")
	for _, k := range []string{config.EnvHome, config.EnvListen, config.EnvAccessKey, config.EnvAdminToken, config.EnvLogLevel} {
		t.Setenv(k, "")
	}
	t.Setenv(config.EnvAccessKey, "rx-cli-test-key")
	return h
}

// routex runs the whole command tree, as the binary would, with --home.
func (h *toolHome) routex(args ...string) (string, error) {
	h.t.Helper()
	root := NewRoot(Runtime{Version: "test"})
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(""))
	root.SetArgs(append([]string{"--home", h.rhome}, args...))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func (h *toolHome) mustRoutex(args ...string) string {
	h.t.Helper()
	out, err := h.routex(args...)
	if err != nil {
		h.t.Fatalf("routex %v: %v\n%s", args, err, out)
	}
	return out
}

func (h *toolHome) file(rel string) string {
	h.t.Helper()
	b, _ := os.ReadFile(filepath.Join(h.home, rel))
	return string(b)
}

func TestClaudeAttachStatusDetachOnTheUsersFiles(t *testing.T) {
	h := newToolHome(t)
	settings := filepath.Join(h.home, ".claude", "settings.json")
	original := "{\n  \"permissions\": {\n    \"allow\": [\n      \"Bash(ls)\"\n    ]\n  },\n  \"hooks\": {}\n}\n"
	os.MkdirAll(filepath.Dir(settings), 0o700)
	os.WriteFile(settings, []byte(original), 0o600)

	if out := h.mustRoutex("claude", "status"); !strings.Contains(out, "not attached") || !strings.Contains(out, settings) {
		t.Errorf("status before: %s", out)
	}
	out := h.mustRoutex("claude", "attach", "--model", "deepseek-chat", "--haiku", "glm-4.5-air")
	for _, want := range []string{"http://127.0.0.1:18080", "proxy mode", "Backup of the previous file", "routex claude detach"} {
		if !strings.Contains(out, want) {
			t.Errorf("attach output lacks %q:\n%s", want, out)
		}
	}
	got := h.file(".claude/settings.json")
	for _, want := range []string{`"ANTHROPIC_AUTH_TOKEN": "rx-cli-test-key"`, `"ANTHROPIC_MODEL": "deepseek-chat"`,
		`"ANTHROPIC_DEFAULT_HAIKU_MODEL": "glm-4.5-air"`, `"Bash(ls)"`, `"hooks": {}`} {
		if !strings.Contains(got, want) {
			t.Errorf("settings lack %s:\n%s", want, got)
		}
	}
	if out := h.mustRoutex("claude", "status"); !strings.Contains(out, "attached to Routex") {
		t.Errorf("status after attach: %s", out)
	}
	if out := h.mustRoutex("claude", "attach", "--model", "deepseek-chat", "--haiku", "glm-4.5-air"); !strings.Contains(out, "unchanged") {
		t.Errorf("second attach: %s", out)
	}
	if out := h.mustRoutex("claude", "detach"); !strings.Contains(out, "back as they were") {
		t.Errorf("detach: %s", out)
	}
	if got := h.file(".claude/settings.json"); got != original {
		t.Errorf("detach did not restore the file:\n%s", got)
	}
	if out := h.mustRoutex("claude", "detach"); !strings.Contains(out, "nothing to undo") {
		t.Errorf("second detach: %s", out)
	}
	backups, _ := os.ReadDir(filepath.Join(h.rhome, "backups"))
	if len(backups) != 2 {
		t.Errorf("%d backups, want 2", len(backups))
	}
}

func TestClaudeAttachBadInputSaysWhatIsWrong(t *testing.T) {
	h := newToolHome(t)
	settings := filepath.Join(h.home, ".claude", "settings.json")
	os.MkdirAll(filepath.Dir(settings), 0o700)
	os.WriteFile(settings, []byte("{\n  \"a\": 1\n  \"b\": 2\n}\n"), 0o600)
	if _, err := h.routex("claude", "attach"); err == nil || !strings.Contains(err.Error(), "line 3, column 3") ||
		!strings.Contains(err.Error(), settings) {
		t.Errorf("malformed settings: %v", err)
	}
	os.Remove(settings)

	st, err := store.Open(config.DatabasePath(h.rhome))
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []store.Channel{
		{Name: "deepseek", Type: "anthropic", BaseURL: "https://api.deepseek.com/anthropic", APIKey: "sk-ds", Enabled: true, Priority: 1, Weight: 1},
		{Name: "oai", Type: "openai", BaseURL: "https://api.openai.com/v1", APIKey: "sk-oai", Enabled: true, Priority: 1, Weight: 1},
	} {
		if _, err := st.CreateChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	if _, err := h.routex("claude", "attach", "--direct", "nosuch"); err == nil || !strings.Contains(err.Error(), "No channel is named") {
		t.Errorf("unknown channel: %v", err)
	}
	if _, err := h.routex("claude", "attach", "--direct", "oai"); err == nil || !strings.Contains(err.Error(), "Anthropic-compatible") {
		t.Errorf("channel of another type: %v", err)
	}
	out := h.mustRoutex("claude", "attach", "--direct", "deepseek")
	if !strings.Contains(out, "direct mode") || !strings.Contains(h.file(".claude/settings.json"), `"ANTHROPIC_AUTH_TOKEN": "sk-ds"`) {
		t.Errorf("direct attach: %s\n%s", out, h.file(".claude/settings.json"))
	}
	if out := h.mustRoutex("claude", "status"); !strings.Contains(out, "direct mode") {
		t.Errorf("status in direct mode: %s", out)
	}
}

func TestGeminiAttachStatusDetach(t *testing.T) {
	h := newToolHome(t)
	original := "# my keys\nGEMINI_API_KEY=AIza-own\n"
	os.MkdirAll(filepath.Join(h.home, ".gemini"), 0o700)
	os.WriteFile(filepath.Join(h.home, ".gemini", ".env"), []byte(original), 0o600)
	h.mustRoutex("gemini", "attach")
	if got := h.file(".gemini/.env"); got != "# my keys\nGEMINI_API_KEY=rx-cli-test-key\nGOOGLE_GEMINI_BASE_URL=http://127.0.0.1:18080\n" {
		t.Errorf("after attach:\n%s", got)
	}
	if out := h.mustRoutex("gemini", "status"); !strings.Contains(out, "Gemini CLI: attached to Routex") {
		t.Errorf("status: %s", out)
	}
	h.mustRoutex("gemini", "detach")
	if got := h.file(".gemini/.env"); got != original {
		t.Errorf("after detach:\n%s", got)
	}
}

func TestEnvPrintsExportsForTheShell(t *testing.T) {
	h := newToolHome(t)
	out := h.mustRoutex("env", "--shell", "fish", "--listen", "0.0.0.0:9999")
	for _, want := range []string{"set -gx ANTHROPIC_BASE_URL 'http://127.0.0.1:9999'", "set -gx OPENAI_BASE_URL 'http://127.0.0.1:9999/v1'",
		"set -gx GEMINI_API_KEY 'rx-cli-test-key'", "set -e ANTHROPIC_API_KEY", "# Codex CLI reads no variable for its URL: run `routex codex attach`"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if _, err := h.routex("env", "--shell", "tcsh"); err == nil || !strings.Contains(err.Error(), "bash, zsh, fish, powershell") {
		t.Errorf("unknown shell: %v", err)
	}
}

// healthOnlyEngine starts a fake engine that answers only /health (all
// that routex claude and routex codex ask it) and returns its --listen
// address and URL.
func healthOnlyEngine(t *testing.T) (listen, url string) {
	t.Helper()
	engine := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			w.Write([]byte(`{"status":"ok"}`))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(engine.Close)
	return strings.TrimPrefix(engine.URL, "http://"), engine.URL
}

// fakeTool puts a shell script named name, alone, on PATH.
func fakeTool(t *testing.T, name, script string) {
	t.Helper()
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
}

func TestClaudeRunsClaudeCodeWithRoutexEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake claude is a shell script")
	}
	h := newToolHome(t)
	// A fake engine: routex claude only asks it for /health.
	listen, engineURL := healthOnlyEngine(t)

	// A fake Claude Code that prints what it was given.
	fakeTool(t, "claude", "#!/bin/sh\necho \"args=$*\"\necho \"url=$ANTHROPIC_BASE_URL token=$ANTHROPIC_AUTH_TOKEN apikey=${ANTHROPIC_API_KEY-unset}\"\n")
	t.Setenv("ANTHROPIC_API_KEY", "sk-user-own")

	out, err := h.routex("--listen", listen, "claude", "--resume", "abc", "-p", "hi")
	if err != nil {
		t.Fatalf("routex claude: %v\n%s", err, out)
	}
	for _, want := range []string{"args=--resume abc -p hi", "url=" + engineURL + " token=rx-cli-test-key apikey=unset"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}

	t.Setenv("PATH", t.TempDir())
	if _, err := h.routex("claude"); err == nil || !strings.Contains(err.Error(), "not on PATH") {
		t.Errorf("without claude on PATH: %v", err)
	}
}

func TestCodexAttachStatusDetachOnTheUsersFiles(t *testing.T) {
	h := newToolHome(t)
	cfgFile := filepath.Join(h.home, ".codex", "config.toml")
	original := "# mine\nmodel = \"gpt-5.5-codex\" # default\napproval_policy = \"on-request\"\n\n[projects.\"/src/app\"]\ntrust_level = \"trusted\"\n"
	os.MkdirAll(filepath.Dir(cfgFile), 0o700)
	os.WriteFile(cfgFile, []byte(original), 0o600)

	if out := h.mustRoutex("codex", "status"); !strings.Contains(out, "Codex CLI: not attached") || !strings.Contains(out, cfgFile) {
		t.Errorf("status before: %s", out)
	}
	out := h.mustRoutex("codex", "attach", "--model", "deepseek-chat")
	for _, want := range []string{"http://127.0.0.1:18080/v1", "proxy mode", "Backup of the previous file", "routex codex detach"} {
		if !strings.Contains(out, want) {
			t.Errorf("attach output lacks %q:\n%s", want, out)
		}
	}
	want := "# mine\nmodel = \"deepseek-chat\" # default\napproval_policy = \"on-request\"\nmodel_provider = \"routex\"\n\n" +
		"[projects.\"/src/app\"]\ntrust_level = \"trusted\"\n\n[model_providers.routex]\nname = \"Routex\"\n" +
		"base_url = \"http://127.0.0.1:18080/v1\"\nwire_api = \"responses\"\nexperimental_bearer_token = \"rx-cli-test-key\"\n"
	if got := h.file(".codex/config.toml"); got != want {
		t.Errorf("after attach:\n%s\nwant\n%s", got, want)
	}
	if out := h.mustRoutex("codex", "status"); !strings.Contains(out, "Codex CLI: attached to Routex (proxy mode, http://127.0.0.1:18080/v1)") {
		t.Errorf("status after attach: %s", out)
	}
	if out := h.mustRoutex("codex", "attach", "--model", "deepseek-chat"); !strings.Contains(out, "unchanged") {
		t.Errorf("second attach: %s", out)
	}
	if out := h.mustRoutex("codex", "detach"); !strings.Contains(out, "back as it was") {
		t.Errorf("detach: %s", out)
	}
	if got := h.file(".codex/config.toml"); got != original {
		t.Errorf("detach did not give back the file:\n%s", got)
	}
	if out := h.mustRoutex("codex", "detach"); !strings.Contains(out, "nothing to undo") {
		t.Errorf("second detach: %s", out)
	}

	os.WriteFile(cfgFile, []byte("profile = \"work\"\n\n[profiles.work]\nmodel_provider = \"corp\"\n\n[model_providers.corp]\nbase_url = \"https://llm.corp.example/v1\"\n"), 0o600)
	if out := h.mustRoutex("codex", "attach"); !strings.Contains(out, "will still use https://llm.corp.example/v1") {
		t.Errorf("attach under a profile that names another provider should say so:\n%s", out)
	}
	h.mustRoutex("codex", "detach")

	os.WriteFile(cfgFile, []byte("model = \"a\"\n[tui\n"), 0o600)
	if _, err := h.routex("codex", "attach"); err == nil || !strings.Contains(err.Error(), "line 2, column 5") || !strings.Contains(err.Error(), cfgFile) {
		t.Errorf("malformed config.toml: %v", err)
	}
	os.Remove(cfgFile)

	st, err := store.Open(config.DatabasePath(h.rhome))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateChannel(context.Background(), store.Channel{Name: "oai", Type: "openai", BaseURL: "https://api.openai.com/v1",
		APIKey: "sk-oai", Enabled: true, Priority: 1, Weight: 1}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := h.routex("codex", "attach", "--direct", "oai"); err == nil || !strings.Contains(err.Error(), "OpenAI Responses channel") {
		t.Errorf("direct attach with a Chat Completions channel: %v", err)
	}
}

func TestCodexRunsCodexThroughTheEngine(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake codex is a shell script")
	}
	h := newToolHome(t)
	listen, engineURL := healthOnlyEngine(t)

	fakeTool(t, "codex", "#!/bin/sh\nfor a in \"$@\"; do echo \"arg=$a\"; done\necho \"key=$ROUTEX_ACCESS_KEY\"\n")

	out, err := h.routex("--listen", listen, "codex", "exec", "--skip-git-repo-check", "hi")
	if err != nil {
		t.Fatalf("routex codex: %v\n%s", err, out)
	}
	want := "arg=-c\narg=model_provider=\"routex\"\narg=-c\n" +
		"arg=model_providers.routex={ name = \"Routex\", base_url = \"" + engineURL + "/v1\", wire_api = \"responses\", env_key = \"ROUTEX_ACCESS_KEY\" }\n" +
		"arg=exec\narg=--skip-git-repo-check\narg=hi\nkey=rx-cli-test-key\n"
	if out != want {
		t.Errorf("codex got:\n%s\nwant:\n%s", out, want)
	}
	if strings.Contains(strings.Join(strings.Split(out, "\n")[:5], "\n"), "rx-cli-test-key") {
		t.Error("the access key is on the command line")
	}

	t.Setenv("PATH", t.TempDir())
	if _, err := h.routex("codex"); err == nil || !strings.Contains(err.Error(), "npm install -g @openai/codex") {
		t.Errorf("without codex on PATH: %v", err)
	}
}

func TestDoctorChecksCodex(t *testing.T) {
	h := newToolHome(t)
	f := &flags{home: h.rhome, listen: "127.0.0.1:18080"}
	cfgFile := filepath.Join(h.home, ".codex", "config.toml")
	os.MkdirAll(filepath.Dir(cfgFile), 0o700)
	os.WriteFile(cfgFile, []byte("model = \"a\"\nmodel = \"b\"\n"), 0o600)
	checks, _ := doctorChecks(t, f)
	if c := checks["Codex CLI"]; c.Status != checkWarn || !strings.Contains(c.Detail, "line 2, column 1") || !strings.Contains(c.Fix, "config.toml") {
		t.Errorf("malformed: %+v", c)
	}
	os.WriteFile(cfgFile, []byte("model = \"a\"\n"), 0o600)
	if c := checks2(t, f)["Codex CLI"]; c.Status != checkWarn || !strings.Contains(c.Fix, "routex codex attach") {
		t.Errorf("not attached: %+v", c)
	}
	h.mustRoutex("codex", "attach")
	if c := checks2(t, f)["Codex CLI"]; c.Status != checkOK || !strings.Contains(c.Detail, cfgFile) {
		t.Errorf("attached: %+v", c)
	}
}

func checks2(t *testing.T, f *flags) map[string]check {
	t.Helper()
	c, _ := doctorChecks(t, f)
	return c
}
