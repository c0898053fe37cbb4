package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
	"github.com/routex-app/routex/backend/store"
)

// ccrSample is a claude-code-router config.json as its README shows one:
// full endpoint URLs, transformers Routex has and has not, and a Router.
const ccrSample = `{
  "APIKEY": "your-secret-key",
  "LOG": true,
  "Providers": [
    {"name": "deepseek", "api_base_url": "https://api.deepseek.com/chat/completions", "api_key": "sk-deepseek-000011112222",
     "models": ["deepseek-chat", "deepseek-reasoner"], "transformer": {"use": ["deepseek"]}},
    {"name": "openrouter", "api_base_url": "https://openrouter.ai/api/v1/chat/completions", "api_key": "$CCR_TEST_KEY",
     "models": ["google/gemini-2.5-pro-preview"], "transformer": {"use": ["openrouter", "cleancache"]}},
    {"name": "claude-relay", "api_base_url": "https://relay.example.com/v1/messages", "api_key": "sk-relay-000011112222",
     "models": ["claude-sonnet-4"]},
    {"name": "gemini", "api_base_url": "https://generativelanguage.googleapis.com/v1beta/models/", "api_key": "g-key-000011112222",
     "models": ["gemini-2.5-flash"], "transformer": {"use": ["gemini"]}}
  ],
  "Router": {"default": "deepseek,deepseek-chat", "background": "deepseek,deepseek-chat", "think": "deepseek,deepseek-reasoner",
    "longContext": "openrouter,google/gemini-2.5-pro-preview", "longContextThreshold": 80000, "webSearch": "gemini,gemini-2.5-flash"}
}`

func importCmd(f *flags) *importFlagsCmd { return &importFlagsCmd{f} }

// importFlagsCmd runs `routex import` on a home.
type importFlagsCmd struct{ f *flags }

func (c *importFlagsCmd) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return run(t, newImportCmd(c.f, en, "test"), "", args...)
}

func openHomeStore(t *testing.T, f *flags) *store.Store {
	t.Helper()
	st, err := store.Open(config.DatabasePath(f.home))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestImportFromAClaudeCodeRouterConfig(t *testing.T) {
	t.Setenv("CCR_TEST_KEY", "sk-or-from-env-00001111")
	f := testHome(t)
	path := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(path, []byte(ccrSample), 0o600)

	out, err := importCmd(f).run(t, path, "--dry-run")
	if err != nil || !strings.Contains(out, "would add channel deepseek") || !strings.Contains(out, "nothing was changed") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if st := openHomeStore(t, f); len(mustChannels(t, st)) != 0 {
		t.Fatal("a dry run wrote channels")
	}
	out, err = importCmd(f).run(t, path)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, w := range []string{"importing 1/4 … deepseek", "4 added", "transformers deepseek have no Routex equivalent"} {
		if !strings.Contains(out, w) {
			t.Fatalf("output lacks %q:\n%s", w, out)
		}
	}
	st := openHomeStore(t, f)
	got := map[string]store.Channel{}
	for _, ch := range mustChannels(t, st) {
		got[ch.Name] = ch
	}
	want := map[string][2]string{
		"deepseek":     {"openai", "https://api.deepseek.com"},
		"openrouter":   {"openai", "https://openrouter.ai/api/v1"},
		"claude-relay": {"anthropic", "https://relay.example.com"},
		"gemini":       {"gemini", "https://generativelanguage.googleapis.com"},
	}
	for name, w := range want {
		if ch := got[name]; ch.Type != w[0] || ch.BaseURL != w[1] {
			t.Errorf("%s: type %q url %q, want %v", name, ch.Type, ch.BaseURL, w)
		}
	}
	if got["openrouter"].APIKey != "sk-or-from-env-00001111" {
		t.Errorf("$VAR keys should expand: %q", got["openrouter"].APIKey)
	}
	if string(got["openrouter"].Transformers) != `["cleancache"]` {
		t.Errorf("known transformers should stay: %s", got["openrouter"].Transformers)
	}
	rt, _ := st.Routes(context.Background())
	if d := rt.Scenarios["default"]; len(d) != 1 || d[0] != "deepseek,deepseek-chat" {
		t.Errorf("default route: %v", d)
	}
	if lc := rt.Scenarios["long_context"]; len(lc) != 1 || lc[0] != "openrouter,google/gemini-2.5-pro-preview" {
		t.Errorf("long_context route: %v", lc)
	}
	if rt.LongContextThreshold != 80000 {
		t.Errorf("threshold %d", rt.LongContextThreshold)
	}
}

func mustChannels(t *testing.T, st *store.Store) []store.Channel {
	t.Helper()
	chs, err := st.Channels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return chs
}

// buildCCSwitchDB writes a database with cc-switch's providers table.
func buildCCSwitchDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cc-switch.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{`CREATE TABLE providers (id TEXT NOT NULL, app_type TEXT NOT NULL, name TEXT NOT NULL,
		settings_config TEXT NOT NULL, website_url TEXT, category TEXT, created_at INTEGER, sort_index INTEGER,
		notes TEXT, icon TEXT, icon_color TEXT, meta TEXT NOT NULL DEFAULT '{}', is_current BOOLEAN NOT NULL DEFAULT 0,
		in_failover_queue BOOLEAN NOT NULL DEFAULT 0, PRIMARY KEY (id, app_type))`}
	rows := [][]any{
		{"p1", "claude", "Claude Official", `{"env":{}}`, 0, 0},
		{"p2", "claude", "DeepSeek", `{"env":{"ANTHROPIC_BASE_URL":"https://api.deepseek.com/anthropic","ANTHROPIC_AUTH_TOKEN":"sk-ds-000011112222","ANTHROPIC_MODEL":"deepseek-chat","ANTHROPIC_DEFAULT_HAIKU_MODEL":"deepseek-chat"}}`, 1, 1},
		{"p3", "gemini", "Gemini", `{"env":{"GEMINI_API_KEY":"g-000011112222","GEMINI_MODEL":"gemini-2.5-pro"}}`, 2, 1},
		{"p4", "codex", "Codex", `{"auth":{},"config":""}`, 3, 1},
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range rows {
		if _, err := db.Exec(`INSERT INTO providers (id, app_type, name, settings_config, sort_index, is_current) VALUES (?, ?, ?, ?, ?, ?)`, r...); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestImportFromACCSwitchDatabase(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	out, err := importCmd(f).run(t, buildCCSwitchDB(t))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	st := openHomeStore(t, f)
	got := map[string]store.Channel{}
	for _, ch := range mustChannels(t, st) {
		got[ch.Name] = ch
	}
	if len(got) != 3 {
		t.Fatalf("want 3 channels (codex left out), got %v", got)
	}
	ds := got["DeepSeek"]
	if ds.Type != "anthropic" || ds.BaseURL != "https://api.deepseek.com/anthropic" || ds.APIKey != "sk-ds-000011112222" ||
		len(ds.Models) != 1 || ds.Models[0] != "deepseek-chat" {
		t.Errorf("DeepSeek: %+v", ds)
	}
	if got["Claude Official"].BaseURL != "https://api.anthropic.com" || got["Gemini"].Type != "gemini" {
		t.Errorf("defaults: %+v %+v", got["Claude Official"], got["Gemini"])
	}
	rt, _ := st.Routes(context.Background())
	if d := rt.Scenarios["default"]; len(d) != 1 || d[0] != "DeepSeek,deepseek-chat" {
		t.Errorf("the current Claude provider should be active: %v", d)
	}
	if !strings.Contains(out, "Codex") {
		t.Errorf("the skipped Codex row should be noted:\n%s", out)
	}
}

func TestExportWithoutKeysThenImportKeepsExistingKeys(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	run(t, channelCmd(f), "", "add", "a", "--type", "openai", "--base-url", "https://u:url-pass-7788@a.example/v1", "--key", "sk-secret-0000aaaa",
		"--model", "m", "--header", "Authorization=Bearer x-secret-header", "--header", "X-Team=core-team-value")
	exported := filepath.Join(t.TempDir(), "export.json")
	if out, err := run(t, newExportCmd(f, en, "test"), "", "-o", exported); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(exported)
	if strings.Contains(string(data), "sk-secret") || strings.Contains(string(data), "x-secret-header") ||
		strings.Contains(string(data), "core-team-value") || strings.Contains(string(data), "url-pass-7788") {
		t.Fatalf("export without --include-keys leaks a secret:\n%s", data)
	}
	var doc exportDoc
	if err := json.Unmarshal(data, &doc); err != nil || doc.Format != 1 || len(doc.Channels) != 1 || doc.Prices != nil {
		t.Fatalf("export doc: %v %+v", err, doc)
	}
	// Change the channel, then import the export back: fields return, the key stays.
	run(t, channelCmd(f), "", "edit", "a", "--priority", "9")
	if out, err := importCmd(f).run(t, exported); err != nil || !strings.Contains(out, "1 updated") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	ch := mustChannels(t, openHomeStore(t, f))[0]
	if ch.Priority != 1 || ch.APIKey != "sk-secret-0000aaaa" || ch.Headers["X-Team"] != "core-team-value" ||
		ch.BaseURL != "https://u:url-pass-7788@a.example/v1" {
		t.Fatalf("after import: priority %d key %q headers %v base_url %q", ch.Priority, ch.APIKey, ch.Headers, ch.BaseURL)
	}
	out, err := run(t, newExportCmd(f, en, "test"), "", "--include-keys")
	if err != nil || !strings.Contains(out, "sk-secret-0000aaaa") || !strings.Contains(out, "x-secret-header") ||
		!strings.Contains(out, "core-team-value") || !strings.Contains(out, "url-pass-7788") {
		t.Fatalf("--include-keys: %v\n%s", err, out)
	}
}

func TestImportRejectsUnknownAndBrokenFiles(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	dir := t.TempDir()
	cases := []struct{ name, content, want string }{
		{"bad JSON names the file", "{oops", "not JSON"},
		{"JSON of another tool says what is expected", `{"foo":1}`, "expected a Routex export"},
		{"a channel with a bad URL names the channel and field", `{"routex_export":1,"channels":[{"name":"x","type":"openai","base_url":"nope","models":[],"priority":1,"weight":1,"enabled":true}]}`,
			"channel x: base_url: must be"},
	}
	for i, tc := range cases {
		path := filepath.Join(dir, string(rune('a'+i))+".json")
		os.WriteFile(path, []byte(tc.content), 0o600)
		if _, err := importCmd(f).run(t, path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
