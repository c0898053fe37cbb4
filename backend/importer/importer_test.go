package importer

import (
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/routex-app/routex/backend/internal/golden"
)

// sqliteFrom builds a database from a SQL script, as cc-switch's would be.
func sqliteFrom(t *testing.T, script string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cc-switch.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(script); err != nil {
		t.Fatalf("build the database: %v", err)
	}
	return path
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// planFor reads a fixture: SQL scripts become a cc-switch database first.
func planFor(t *testing.T, fixture string) Plan {
	t.Helper()
	path := filepath.Join("testdata", fixture)
	if strings.HasSuffix(fixture, ".sql") {
		path = sqliteFrom(t, readFixture(t, fixture))
	}
	p, err := Read(path)
	if err != nil {
		t.Fatalf("read %s: %v", fixture, err)
	}
	return p
}

func TestReadGivesTheGoldenPlan(t *testing.T) {
	// Not parallel: the claude-code-router fixture names $CCR_TEST_KEY.
	t.Setenv("CCR_TEST_KEY", "sk-or-from-env-00001111")
	t.Setenv("CCSWITCH_TEST_UNSET_KEY", "")
	for _, fixture := range []string{"ccr-classic.json", "ccr-protocols.json", "ccswitch.sql", "routex-export.json"} {
		t.Run(fixture, func(t *testing.T) {
			got, err := json.MarshalIndent(planFor(t, fixture), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			goldenfile.Check(t, strings.TrimSuffix(fixture, filepath.Ext(fixture))+".plan.json", append(got, '\n'))
		})
	}
}

func byName(p Plan) map[string]Channel {
	m := map[string]Channel{}
	for _, ch := range p.Channels {
		m[ch.Name] = ch
	}
	return m
}

func TestCodexProvidersComeInAsResponsesChannels(t *testing.T) {
	t.Setenv("CCSWITCH_TEST_UNSET_KEY", "")
	sw := byName(planFor(t, "ccswitch.sql"))
	ccr := byName(planFor(t, "ccr-protocols.json"))
	classic := byName(planFor(t, "ccr-classic.json"))
	tests := []struct {
		from     string
		ch       Channel
		typ, url string
	}{
		{"cc-switch's Responses relay", sw["PackyCode"], ResponsesChannelType, "https://codex-api.packycode.com/v1"},
		{"cc-switch's provider with a bearer token", sw["Team gateway"], ResponsesChannelType, "https://llm.corp.example/v1"},
		{"cc-switch's Chat Completions upstream", sw["Kimi"], "openai", "https://api.moonshot.cn/v1"},
		{"cc-switch's wire_api = chat", sw["Old chat relay"], "openai", "https://old.example.com/v1"},
		{"cc-switch's Anthropic upstream", sw["DeepSeek (codex)"], "anthropic", "https://api.deepseek.com/anthropic"},
		{"claude-code-router's openai_responses protocol", ccr["OpenAI"], ResponsesChannelType, "https://api.openai.com/v1"},
		{"claude-code-router's Responses capability", ccr["Responses relay"], ResponsesChannelType, "https://relay.example.com/v1"},
		{"claude-code-router's /responses URL", classic["codex-gateway"], ResponsesChannelType, "https://gw.example.com/openai/v1"},
	}
	for _, tt := range tests {
		if tt.ch.Type != tt.typ || tt.ch.BaseURL != tt.url {
			t.Errorf("%s: %s at %s, want %s at %s", tt.from, tt.ch.Type, tt.ch.BaseURL, tt.typ, tt.url)
		}
	}
	if k := sw["PackyCode"].APIKey; k != "sk-packy-000011112222" {
		t.Errorf("the auth.json key: %q", k)
	}
	if k := sw["Team gateway"].APIKey; k != "corp-token-000011112222" {
		t.Errorf("the bearer token: %q", k)
	}
	if m := sw["PackyCode"].Models; len(m) != 1 || m[0] != "gpt-5.5-codex" {
		t.Errorf("the config's model: %v", m)
	}
	if keys := ccr["OpenAI"].APIKeys; len(keys) != 2 || keys[0] != "sk-proj-work-000011112222" || keys[1] != "sk-proj-home-000011112222" {
		t.Errorf("the enabled keys of the credential pool: %v", keys)
	}
	if ccr["Responses relay"].Enabled {
		t.Error("a disabled provider came in enabled")
	}
}

func TestCodexProvidersRoutexCannotCallAreNoted(t *testing.T) {
	t.Setenv("CCSWITCH_TEST_UNSET_KEY", "")
	p := planFor(t, "ccswitch.sql")
	if _, ok := byName(p)["OpenAI Official"]; ok {
		t.Error("a ChatGPT sign-in became a channel")
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"OpenAI Official signs in with a ChatGPT account", "Env-key relay has no API key",
		"other apps (claude-desktop, opencode)"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	t.Setenv("CCSWITCH_TEST_UNSET_KEY", "sk-from-env-000011112222")
	if k := byName(planFor(t, "ccswitch.sql"))["Env-key relay"].APIKey; k != "sk-from-env-000011112222" {
		t.Errorf("env_key should be read from the environment: %q", k)
	}
}

func TestAnOldCCSwitchDatabaseWithoutLaterColumnsReads(t *testing.T) {
	t.Parallel()
	path := sqliteFrom(t, `CREATE TABLE providers (id TEXT NOT NULL, app_type TEXT NOT NULL, name TEXT NOT NULL,
		settings_config TEXT NOT NULL, website_url TEXT, is_current BOOLEAN NOT NULL DEFAULT 0, PRIMARY KEY (id, app_type));
		INSERT INTO providers VALUES ('a', 'codex', 'AnyRouter', '{"auth":{"OPENAI_API_KEY":"sk-any"},"config":"model_provider = \"any\"\n[model_providers.any]\nbase_url = \"https://anyrouter.top/v1\"\nwire_api = \"responses\"\n"}', NULL, 1);`)
	p, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Channels) != 1 || p.Channels[0].BaseURL != "https://anyrouter.top/v1" || p.Channels[0].Type != ResponsesChannelType {
		t.Errorf("plan %+v", p)
	}
}

func TestReadRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o600)
		return path
	}
	for name, tc := range map[string]struct{ path, want string }{
		"a missing file":               {filepath.Join(dir, "nope.json"), "no such file"},
		"bad JSON":                     {write("bad.json", "{oops"), "not JSON"},
		"another tool's JSON":          {write("other.json", `{"foo":1}`), "expected a Routex export"},
		"a newer export":               {write("new.json", `{"routex_export":9,"channels":[]}`), "newer than this Routex reads"},
		"a SQLite file of another app": {sqliteFrom(t, "CREATE TABLE notes (id INTEGER)"), "not a cc-switch database"},
		"a Codex row whose TOML is broken": {sqliteFrom(t, `CREATE TABLE providers (id TEXT, app_type TEXT, name TEXT, settings_config TEXT);
			INSERT INTO providers VALUES ('x', 'codex', 'Broken', '{"config":"model_provider = \"x\n"}');`), ""},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := Read(tc.path)
			if tc.want == "" {
				if err != nil || len(p.Channels) != 0 || len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "does not parse") {
					t.Errorf("a broken row should be noted, not fail the import: %+v, %v", p, err)
				}
				return
			}
			var ie *Error
			if !errors.As(err, &ie) || ie.Path != tc.path || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s and saying %q", err, tc.path, tc.want)
			}
		})
	}
}
