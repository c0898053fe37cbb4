package clients

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/routex-app/routex/backend/internal/golden"
)

const (
	testEngineURL = "http://127.0.0.1:18080"
	testAccessKey = "rx-test-access-key"
)

// fixture is a temporary user: a settings file and a Routex home, both in
// t.TempDir(), with a client pointed at the file through WithPath so the
// test can run in parallel (no HOME to set).
type fixture struct {
	t    *testing.T
	dir  string
	home string
	path string
	c    *Client
}

func newClaudeFixture(t *testing.T, content string) *fixture {
	t.Helper()
	return newFixture(t, "claude", filepath.Join(".claude", "settings.json"), content)
}

func newGeminiFixture(t *testing.T, content string) *fixture {
	t.Helper()
	return newFixture(t, "gemini", filepath.Join(".gemini", ".env"), content)
}

func newCodexFixture(t *testing.T, content string) *fixture {
	t.Helper()
	return newFixture(t, "codex", filepath.Join(".codex", "config.toml"), content)
}

// newFixture writes content to rel (no file when content is "-").
func newFixture(t *testing.T, client, rel, content string) *fixture {
	t.Helper()
	dir := t.TempDir()
	fx := &fixture{t: t, dir: dir, home: filepath.Join(dir, "routex"), path: filepath.Join(dir, rel)}
	if content != "-" {
		if err := os.MkdirAll(filepath.Dir(fx.path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fx.path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fx.c = fx.client(client)
	return fx
}

func (fx *fixture) client(name string) *Client {
	fx.t.Helper()
	quiet := WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	var c *Client
	var err error
	switch name {
	case "claude":
		c, err = NewClaude(fx.home, WithPath(fx.path), quiet)
	case "codex":
		c, err = NewCodex(fx.home, WithPath(fx.path), quiet)
	default:
		c, err = NewGemini(fx.home, WithPath(fx.path), quiet)
	}
	if err != nil {
		fx.t.Fatal(err)
	}
	return c
}

func (fx *fixture) read() string {
	fx.t.Helper()
	b, err := os.ReadFile(fx.path)
	if err != nil {
		fx.t.Fatal(err)
	}
	return string(b)
}

func (fx *fixture) write(content string) {
	fx.t.Helper()
	if err := os.WriteFile(fx.path, []byte(content), 0o600); err != nil {
		fx.t.Fatal(err)
	}
}

func (fx *fixture) attach(o AttachOptions) Result {
	fx.t.Helper()
	if o.BaseURL == "" {
		o.BaseURL, o.Token = testEngineURL, testAccessKey
	}
	r, err := fx.c.Attach(o)
	if err != nil {
		fx.t.Fatalf("attach: %v", err)
	}
	return r
}

func (fx *fixture) detach() Result {
	fx.t.Helper()
	r, err := fx.c.Detach()
	if err != nil {
		fx.t.Fatalf("detach: %v", err)
	}
	return r
}

func (fx *fixture) backups() []string {
	fx.t.Helper()
	entries, _ := os.ReadDir(filepath.Join(fx.home, "backups"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// leftovers lists files in dir that look like temp files of a write.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) { t.Helper(); goldenfile.Check(t, name, []byte(got)) }

// statusCase is a settings file ("-" for none) and the status it must give.
type statusCase struct {
	name, content string
	want          State
	url           string
}

// checkStatuses runs each case on a fresh fixture from newFx.
func checkStatuses(t *testing.T, newFx func(*testing.T, string) *fixture, tests []statusCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newFx(t, tt.content)
			s, err := fx.c.Status(testEngineURL)
			if err != nil || s.State != tt.want || s.BaseURL != tt.url || s.Path != fx.path {
				t.Errorf("got %+v, %v; want %s with %q", s, err, tt.want, tt.url)
			}
		})
	}
}

// syntaxCase is a malformed settings file and where its error must point.
type syntaxCase struct {
	name, input string
	line, col   int
}

// checkSyntaxErrors attaches each malformed file, on a fresh fixture from
// newFx: the error must be a *SyntaxError at the case's line and column of
// the file, and the file must be left as it was, with no backup, and Status must give
// the same error.
func checkSyntaxErrors(t *testing.T, newFx func(*testing.T, string) *fixture, tests []syntaxCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newFx(t, tt.input)
			_, err := fx.c.Attach(AttachOptions{BaseURL: testEngineURL, Token: testAccessKey})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want *SyntaxError", err)
			}
			if se.Line != tt.line || se.Column != tt.col || se.Path != fx.path {
				t.Errorf("at %s:%d:%d, want line %d column %d (%v)", se.Path, se.Line, se.Column, tt.line, tt.col, err)
			}
			if fx.read() != tt.input || len(fx.backups()) != 0 {
				t.Error("the malformed file was changed or backed up")
			}
			if _, err := fx.c.Status(testEngineURL); !errors.As(err, &se) {
				t.Errorf("status: %v, want *SyntaxError", err)
			}
		})
	}
}
