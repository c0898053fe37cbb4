package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

func TestCompareURLTellsAttachStates(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, got, want string }{
		{"the engine's own URL is attached", "http://127.0.0.1:18080", attached},
		{"localhost and a trailing slash are the same endpoint", "http://localhost:18080/", attached},
		{"another port is elsewhere", "http://127.0.0.1:9999", attachedElswhere},
		{"a provider's URL is elsewhere", "https://api.deepseek.com/anthropic", attachedElswhere},
		{"no URL is not attached", "", notAttached},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if s := compareURL(attachState{}, tc.got, "http://127.0.0.1:18080"); s.State != tc.want {
				t.Fatalf("got %s, want %s", s.State, tc.want)
			}
		})
	}
}

func TestStatusShowsEngineActiveProviderAttachAndTodaysRequests(t *testing.T) {
	f := testHome(t)
	claudeDir := t.TempDir()
	t.Setenv("CLAUDE_CONFIG_DIR", claudeDir)
	e := startEngine(t, f)
	os.WriteFile(filepath.Join(claudeDir, "settings.json"),
		[]byte(`{"hooks":{},"env":{"ANTHROPIC_BASE_URL":"`+e.URL()+`"}}`), 0o600)
	run(t, channelCmd(f), "", "add", "ds", "--type", "openai", "--base-url", "https://api.deepseek.com/v1", "--model", "deepseek-chat")
	c, _ := dial(f, "test")
	defer c.close()
	if err := c.do("PUT", "/api/active", map[string]any{"channel_id": 1, "model": "deepseek-chat"}, nil); err != nil {
		t.Fatal(err)
	}
	logs := []store.RequestLog{{Time: time.Now(), Format: "anthropic", Status: 200}, {Time: time.Now(), Format: "openai", Status: 200},
		{Time: time.Now().Add(-48 * time.Hour), Format: "openai", Status: 200}}
	if err := e.Store().InsertRequestLogs(context.Background(), logs); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, newStatusCmd(f, en, "test"), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"running at " + e.URL(), "version engine-test", "ds · deepseek-chat", "Claude Code      attached", "Requests today   2"} {
		if !strings.Contains(out, w) {
			t.Fatalf("status lacks %q:\n%s", w, out)
		}
	}
}
