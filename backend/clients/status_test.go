package clients

import (
	"path/filepath"
	"testing"
)

func TestClaudeSettingsPathFallsBackToHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	t.Setenv("CLAUDE_CONFIG_DIR", "")
	got, err := ClaudeSettingsPath()
	if err != nil || got != filepath.Join(home, ".claude", "settings.json") {
		t.Errorf("got %s, %v", got, err)
	}
	if got, _ := GeminiEnvPath(); got != filepath.Join(home, ".gemini", ".env") {
		t.Errorf("gemini: %s", got)
	}
}

func TestStatusTellsTheThreeStatesApart(t *testing.T) {
	t.Parallel()
	checkStatuses(t, newClaudeFixture, []statusCase{
		{"no file", "-", NotAttached, ""},
		{"no base URL", `{"env":{"X":"1"}}`, NotAttached, ""},
		{"the engine's URL, trailing slash and all", `{"env":{"ANTHROPIC_BASE_URL":"http://127.0.0.1:18080/"}}`, Attached, "http://127.0.0.1:18080/"},
		{"another gateway", `{"env":{"ANTHROPIC_BASE_URL":"https://api.other.example"}}`, AttachedElsewhere, "https://api.other.example"},
	})
}

func TestAttachRefusesABadURLOrMode(t *testing.T) {
	t.Parallel()
	fx := newClaudeFixture(t, "{}")
	for _, o := range []AttachOptions{{BaseURL: "127.0.0.1:18080"}, {BaseURL: "ftp://x"}, {BaseURL: testEngineURL, Mode: "sideways"}} {
		if _, err := fx.c.Attach(o); err == nil {
			t.Errorf("%+v was accepted", o)
		}
	}
	if fx.read() != "{}" {
		t.Error("a refused attach changed the file")
	}
}
