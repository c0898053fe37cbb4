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
	"github.com/routex-app/routex/backend/importer"
	"github.com/routex-app/routex/backend/store"
)

// fixture is one of the importer's files: the CLI applies what it reads.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "importer", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

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
	os.WriteFile(path, []byte(fixture(t, "ccr-classic.json")), 0o600)

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
	for _, w := range []string{"importing 1/5 … deepseek", "5 added", "transformers deepseek have no Routex equivalent"} {
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
		"deepseek":      {"openai", "https://api.deepseek.com"},
		"openrouter":    {"openai", "https://openrouter.ai/api/v1"},
		"claude-relay":  {"anthropic", "https://relay.example.com"},
		"gemini":        {"gemini", "https://generativelanguage.googleapis.com"},
		"codex-gateway": {importer.ResponsesChannelType, "https://gw.example.com/openai/v1"},
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

// buildCCSwitchDB builds a cc-switch database from the importer's fixture.
func buildCCSwitchDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cc-switch.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fixture(t, "ccswitch.sql")); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportFromACCSwitchDatabase(t *testing.T) {
	t.Setenv("CCSWITCH_TEST_UNSET_KEY", "")
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
	if len(got) != 9 {
		t.Fatalf("want 9 channels (Claude Code, Gemini CLI and Codex providers; the ChatGPT sign-in left out), got %d: %v", len(got), got)
	}
	ds := got["DeepSeek"]
	if ds.Type != "anthropic" || ds.BaseURL != "https://api.deepseek.com/anthropic" || ds.APIKey != "sk-ds-000011112222" ||
		len(ds.Models) != 1 || ds.Models[0] != "deepseek-chat" {
		t.Errorf("DeepSeek: %+v", ds)
	}
	if got["Claude Official"].BaseURL != "https://api.anthropic.com" || got["Gemini"].Type != "gemini" {
		t.Errorf("defaults: %+v %+v", got["Claude Official"], got["Gemini"])
	}
	if p := got["PackyCode"]; p.Type != importer.ResponsesChannelType || p.BaseURL != "https://codex-api.packycode.com/v1" || p.APIKey != "sk-packy-000011112222" {
		t.Errorf("the Codex provider PackyCode: %+v", p)
	}
	rt, _ := st.Routes(context.Background())
	if d := rt.Scenarios["default"]; len(d) != 1 || d[0] != "DeepSeek,deepseek-chat" {
		t.Errorf("the current Claude provider should be active: %v", d)
	}
	for _, want := range []string{"OpenAI Official signs in with a ChatGPT account", "other apps (claude-desktop, opencode)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output should note %q:\n%s", want, out)
		}
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
	var doc importer.Export
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
