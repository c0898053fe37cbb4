package logging

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"empty stays empty", "", ""},
		{"short secrets are hidden entirely", "abc123", "…"},
		{"a dashed prefix and the last four are shown", "sk-ant-api03-abcdefghijklmnop", "sk-…mnop"},
		{"no prefix shows only the tail", "AIzaSyAbcdefghijklmnopq", "…nopq"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Redact(c.in); got != c.want {
				t.Fatalf("Redact(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestLoggerWritesConsoleAndJSONFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var console bytes.Buffer
	l, err := New(Options{Level: "debug", Dir: dir, Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("request done", "channel", "deepseek", "ttft_ms", 12)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(console.String(), "request done") || !strings.Contains(console.String(), "channel=deepseek") {
		t.Fatalf("console line missing fields: %q", console.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "routex.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"msg":"request done"`) || !strings.Contains(string(data), `"ttft_ms":12`) {
		t.Fatalf("file line is not JSON with fields: %q", data)
	}
}

func TestParseLevelRejectsUnknown(t *testing.T) {
	t.Parallel()
	if _, err := ParseLevel("loud"); err == nil {
		t.Fatal("want an error for an unknown level")
	}
	if _, err := New(Options{Level: "loud"}); err == nil {
		t.Fatal("New must refuse an unknown level")
	}
}

func TestRedactURLAndSecrets(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://user:s3cret-pass@api.example.com/v1": "https://user:xxxxx@api.example.com/v1",
		"https://user@api.example.com/v1":             "https://user@api.example.com/v1",
		"https://api.example.com/v1?x=1":              "https://api.example.com/v1?x=1",
		"not a url at all %zz":                        "not a url at all %zz",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	got := RedactSecrets("key sk-abcdef123456 and project proj-77 and 1", "sk-abcdef123456", "proj-77", "1", "")
	if got != "key [redacted] and project [redacted] and 1" {
		t.Errorf("RedactSecrets = %q", got)
	}
}
