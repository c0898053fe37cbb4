package clients

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

var testModels = Models{Default: "claude-sonnet-4-5", Sonnet: "deepseek-chat", Opus: "kimi-k2", Haiku: "glm-4.5-air"}

// topKeys lists a JSON object's keys in file order.
func topKeys(t *testing.T, data string, path string) []string {
	t.Helper()
	var keys []string
	gjson.Get(data, path).ForEach(func(k, _ gjson.Result) bool {
		keys = append(keys, k.String())
		return true
	})
	return keys
}

func decodeJSON(t *testing.T, data string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	return m
}

func TestAttachKeepsEveryOtherKeyInMeaningAndOrder(t *testing.T) {
	t.Parallel()
	input := readTestdata(t, "claude-settings.input.json")
	fx := newClaudeFixture(t, input)
	res := fx.attach(AttachOptions{Models: testModels})
	attached := fx.read()
	golden(t, "claude-settings.attached.json", attached)

	if !res.Changed || res.Backup == "" {
		t.Errorf("result %+v: want a change and a backup", res)
	}
	if got, want := topKeys(t, attached, "@this"), topKeys(t, input, "@this"); !slices.Equal(got, want) {
		t.Errorf("top-level key order changed:\n got %v\nwant %v", got, want)
	}
	before, after := decodeJSON(t, input), decodeJSON(t, attached)
	for k := range before {
		if k != "env" && !reflect.DeepEqual(before[k], after[k]) {
			t.Errorf("%s changed: %v -> %v", k, before[k], after[k])
		}
	}
	env := after["env"].(map[string]any)
	for k, want := range map[string]string{
		"ANTHROPIC_BASE_URL": testEngineURL, "ANTHROPIC_AUTH_TOKEN": testAccessKey,
		"BASH_DEFAULT_TIMEOUT_MS": "60000", "DISABLE_TELEMETRY": "1", "ANTHROPIC_MODEL": "claude-sonnet-4-5",
		"ANTHROPIC_DEFAULT_SONNET_MODEL": "deepseek-chat", "ANTHROPIC_DEFAULT_OPUS_MODEL": "kimi-k2",
		"ANTHROPIC_DEFAULT_HAIKU_MODEL": "glm-4.5-air",
	} {
		if env[k] != want {
			t.Errorf("env.%s = %v, want %q", k, env[k], want)
		}
	}
	if _, ok := env["ANTHROPIC_API_KEY"]; ok {
		t.Error("the conflicting ANTHROPIC_API_KEY is still set")
	}
	// The user's own backup is the original, byte for byte.
	if b, _ := os.ReadFile(res.Backup); string(b) != input {
		t.Error("the backup is not the original file")
	}

	// Nothing changed since: detach gives back the original byte for byte.
	if res := fx.detach(); !res.Changed || len(res.Kept) != 0 {
		t.Errorf("detach result %+v", res)
	}
	if got := fx.read(); got != input {
		t.Errorf("detach did not restore the original:\n%s", got)
	}
	if _, err := fx.c.Detach(); !errors.Is(err, ErrNotAttached) {
		t.Errorf("second detach: %v, want ErrNotAttached", err)
	}
}

func TestDetachAfterAnUnrelatedEditRestoresOnlyRoutexKeys(t *testing.T) {
	t.Parallel()
	input := readTestdata(t, "claude-settings.input.json")
	fx := newClaudeFixture(t, input)
	fx.attach(AttachOptions{Models: testModels})
	// The user (or Claude Code) edits another key after the attach.
	edited := strings.Replace(fx.read(), "\"apiKeyHelper\": null\n}", "\"apiKeyHelper\": null,\n  \"theme\": \"dark\"\n}", 1)
	fx.write(edited)

	res := fx.detach()
	got := fx.read()
	golden(t, "claude-settings.detached-after-edit.json", got)
	if len(res.Kept) != 0 {
		t.Errorf("kept %v, want nothing", res.Kept)
	}
	want := decodeJSON(t, input)
	want["theme"] = "dark"
	if m := decodeJSON(t, got); !reflect.DeepEqual(m, want) {
		t.Errorf("after detach:\n got %v\nwant %v", m, want)
	}
	if got, want := topKeys(t, got, "env"), topKeys(t, input, "env"); !slices.Equal(got, want) {
		t.Errorf("env key order: got %v, want %v", got, want)
	}
}

func TestDetachKeepsAValueTheUserChangedSinceAttach(t *testing.T) {
	t.Parallel()
	fx := newClaudeFixture(t, `{
  "env": {
    "ANTHROPIC_AUTH_TOKEN": "user-token"
  }
}
`)
	fx.attach(AttachOptions{})
	fx.write(`{
  "env": {
    "ANTHROPIC_AUTH_TOKEN": "rx-test-access-key",
    "ANTHROPIC_BASE_URL": "https://my-own-gateway.example"
  }
}
`)
	res := fx.detach()
	if !slices.Equal(res.Kept, []string{"ANTHROPIC_BASE_URL"}) {
		t.Errorf("kept %v, want [ANTHROPIC_BASE_URL]", res.Kept)
	}
	want := `{
  "env": {
    "ANTHROPIC_AUTH_TOKEN": "user-token",
    "ANTHROPIC_BASE_URL": "https://my-own-gateway.example"
  }
}
`
	if got := fx.read(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestAttachEdgeShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, attached string
	}{
		{"an empty object gains an env block on its own lines", "{}\n",
			"{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:18080\",\n    \"ANTHROPIC_AUTH_TOKEN\": \"rx-test-access-key\"\n  }\n}\n"},
		{"an empty file is treated as an empty object", "",
			"{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:18080\",\n    \"ANTHROPIC_AUTH_TOKEN\": \"rx-test-access-key\"\n  }\n}\n"},
		{"a one-line file stays one line", `{"model":"opus","env":{"A":"1"}}`,
			`{"model":"opus","env":{"A":"1","ANTHROPIC_BASE_URL":"http://127.0.0.1:18080","ANTHROPIC_AUTH_TOKEN":"rx-test-access-key"}}`},
		{"a file indented with four spaces keeps four", "{\n    \"model\": \"opus\"\n}",
			"{\n    \"model\": \"opus\",\n    \"env\": {\n        \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:18080\",\n        \"ANTHROPIC_AUTH_TOKEN\": \"rx-test-access-key\"\n    }\n}"},
		{"values Routex replaces in place keep their position", "{\n  \"env\": {\n    \"ANTHROPIC_AUTH_TOKEN\": \"old\",\n    \"X\": \"y\",\n    \"ANTHROPIC_BASE_URL\": \"https://old\"\n  }\n}\n",
			"{\n  \"env\": {\n    \"ANTHROPIC_AUTH_TOKEN\": \"rx-test-access-key\",\n    \"X\": \"y\",\n    \"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:18080\"\n  }\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newClaudeFixture(t, tt.input)
			fx.attach(AttachOptions{})
			if got := fx.read(); got != tt.attached {
				t.Errorf("after attach:\n%q\nwant\n%q", got, tt.attached)
			}
			fx.detach()
			if got := fx.read(); got != tt.input {
				t.Errorf("after detach:\n%q\nwant\n%q", got, tt.input)
			}
		})
	}
}

func TestAMalformedFileIsLeftUntouchedAndTheErrorSaysWhere(t *testing.T) {
	t.Parallel()
	checkSyntaxErrors(t, newClaudeFixture, []syntaxCase{
		{"a missing comma", "{\n  \"model\": \"opus\"\n  \"env\": {}\n}\n", 3, 3},
		{"a trailing comma", "{\n  \"a\": 1,\n}", 3, 1},
		{"an array instead of an object", "\n  [1, 2]", 2, 3},
		{"env that is a string", "{\n  \"env\": \"oops\"\n}", 2, 10},
	})
}

func TestASymlinkedSettingsFileStaysALink(t *testing.T) {
	t.Parallel()
	fx := newClaudeFixture(t, "-")
	target := filepath.Join(fx.dir, "dotfiles", "claude", "settings.json")
	os.MkdirAll(filepath.Dir(target), 0o700)
	original := "{\n  \"model\": \"opus\"\n}\n"
	os.WriteFile(target, []byte(original), 0o644)
	os.MkdirAll(filepath.Dir(fx.path), 0o700)
	if err := os.Symlink("../dotfiles/claude/settings.json", fx.path); err != nil {
		t.Skip("no symlinks here:", err)
	}

	fx.attach(AttachOptions{})
	fi, err := os.Lstat(fx.path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("settings.json is no longer a symlink (%v)", err)
	}
	b, _ := os.ReadFile(target)
	if gjson.GetBytes(b, "env.ANTHROPIC_BASE_URL").String() != testEngineURL {
		t.Errorf("the link's target was not updated:\n%s", b)
	}
	if l := leftovers(t, filepath.Dir(target)); len(l) != 0 {
		t.Errorf("temp files left: %v", l)
	}
	fx.detach()
	if fi, _ := os.Lstat(fx.path); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("detach replaced the symlink")
	}
	if b, _ := os.ReadFile(target); string(b) != original {
		t.Errorf("target after detach:\n%s", b)
	}
}

func TestACrashBetweenTempWriteAndRenameLeavesTheOldFile(t *testing.T) {
	t.Parallel()
	original := "{\n  \"model\": \"opus\"\n}\n"
	fx := newClaudeFixture(t, original)
	crash := errors.New("simulated crash")
	fx.c.beforeRename = func() error { return crash }
	if _, err := fx.c.Attach(AttachOptions{BaseURL: testEngineURL, Token: testAccessKey}); !errors.Is(err, crash) {
		t.Fatalf("attach: %v, want the simulated crash", err)
	}
	if fx.read() != original {
		t.Error("the old file is not intact")
	}
	if l := leftovers(t, filepath.Dir(fx.path)); len(l) != 0 {
		t.Errorf("temp files left: %v", l)
	}
	// The record was rolled back: nothing to detach, and the status is honest.
	if _, err := fx.c.Detach(); !errors.Is(err, ErrNotAttached) {
		t.Errorf("detach after the crash: %v, want ErrNotAttached", err)
	}
	if s, _ := fx.c.Status(testEngineURL); s.State != NotAttached {
		t.Errorf("status %s", s.State)
	}
}

func TestANormalWriteLeavesNoTempFilesAndKeepsTheMode(t *testing.T) {
	t.Parallel()
	fx := newClaudeFixture(t, "{}")
	if err := os.Chmod(fx.path, 0o640); err != nil {
		t.Fatal(err)
	}
	// A temp file from an earlier crash is cleaned up by the next write.
	stale := filepath.Join(filepath.Dir(fx.path), ".settings.json.routex-123.tmp")
	os.WriteFile(stale, []byte("half"), 0o600)
	fx.attach(AttachOptions{})
	if l := leftovers(t, filepath.Dir(fx.path)); len(l) != 0 {
		t.Errorf("temp files left: %v", l)
	}
	fi, _ := os.Stat(fx.path)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
}

func TestBackupsRotateKeepingTheLastTen(t *testing.T) {
	t.Parallel()
	fx := newClaudeFixture(t, "{}")
	for i := range 8 {
		fx.attach(AttachOptions{})
		fx.detach()
		if i == 0 && len(fx.backups()) != 2 {
			t.Fatalf("backups after one attach and detach: %v", fx.backups())
		}
	}
	b := fx.backups()
	if len(b) != keepBackups {
		t.Fatalf("%d backups, want %d: %v", len(b), keepBackups, b)
	}
	for _, name := range b {
		fi, _ := os.Stat(filepath.Join(fx.home, "backups", name))
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
}

func TestReattachKeepsTheOriginalRecord(t *testing.T) {
	t.Parallel()
	original := "{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"https://user.example\",\n    \"ANTHROPIC_MODEL\": \"user-model\"\n  }\n}\n"
	fx := newClaudeFixture(t, original)
	fx.attach(AttachOptions{Models: Models{Default: "m1", Haiku: "h1"}})
	fx.attach(AttachOptions{Mode: ModeDirect, BaseURL: "https://api.deepseek.com/anthropic", Token: "sk-ds", Models: Models{Default: "m2"}})
	got := decodeJSON(t, fx.read())["env"].(map[string]any)
	if got["ANTHROPIC_MODEL"] != "m2" || got["ANTHROPIC_DEFAULT_HAIKU_MODEL"] != nil || got["ANTHROPIC_BASE_URL"] != "https://api.deepseek.com/anthropic" {
		t.Errorf("after the second attach: %v", got)
	}
	s, err := fx.c.Status(testEngineURL)
	if err != nil || s.State != Attached || s.Mode != ModeDirect {
		t.Errorf("status %+v, %v; want attached in direct mode", s, err)
	}
	fx.detach()
	if got := fx.read(); got != original {
		t.Errorf("detach after two attaches:\n%s\nwant\n%s", got, original)
	}
}

func TestAMissingFolderAndFileAreCreatedAndRemovedAgain(t *testing.T) {
	// Not parallel: CLAUDE_CONFIG_DIR is process-wide.
	dir := filepath.Join(t.TempDir(), "nested", "claude-config")
	t.Setenv("CLAUDE_CONFIG_DIR", dir)
	c, err := NewClaude(filepath.Join(t.TempDir(), "routex"), WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if c.Path() != filepath.Join(dir, "settings.json") {
		t.Fatalf("path %s ignores CLAUDE_CONFIG_DIR", c.Path())
	}
	res, err := c.Attach(AttachOptions{BaseURL: testEngineURL, Token: testAccessKey})
	if err != nil || res.Backup != "" {
		t.Fatalf("attach: %+v, %v", res, err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, c.Path(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, mode %v, want %v", path, err, fi.Mode().Perm(), want)
		}
	}
	if _, err := c.Detach(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("detach left the folder it created: %v", err)
	}
}
