// Package clients points coding tools at Routex by editing their settings
// files: Claude Code's settings.json, Gemini CLI's .env and Codex CLI's
// config.toml.
//
// The files belong to the user, so every edit is a merge, never a rewrite:
// only the keys Routex owns change, everything else keeps its value and
// order, the file is backed up first and written atomically, and what Routex
// replaced is recorded under ROUTEX_HOME so Detach can put it back. The
// best-known tool of this kind overwrote settings.json and lost users' hooks,
// plugins and permissions; this package exists so Routex never does.
package clients

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Mode says what a tool is pointed at.
type Mode string

const (
	// ModeProxy points the tool at the engine: switching providers then
	// happens inside Routex and needs no restart of the tool.
	ModeProxy Mode = "proxy"
	// ModeDirect writes one channel's own URL and key into the tool's
	// settings, as cc-switch does, for users who want no proxy in between.
	ModeDirect Mode = "direct"
)

// ParseMode accepts "proxy", "direct" or "" (proxy).
func ParseMode(s string) (Mode, error) {
	switch Mode(strings.ToLower(strings.TrimSpace(s))) {
	case "", ModeProxy:
		return ModeProxy, nil
	case ModeDirect:
		return ModeDirect, nil
	}
	return "", fmt.Errorf("mode %q must be proxy or direct", s)
}

// Models are Claude Code's optional model overrides; empty fields leave the
// tool's own choice alone. Codex uses Default only (its model key).
// SmallFast is ANTHROPIC_SMALL_FAST_MODEL, which Claude Code versions
// before ANTHROPIC_DEFAULT_HAIKU_MODEL read for background work.
type Models struct {
	Default   string `json:"model,omitempty"`
	Sonnet    string `json:"sonnet,omitempty"`
	Opus      string `json:"opus,omitempty"`
	Haiku     string `json:"haiku,omitempty"`
	SmallFast string `json:"small_fast,omitempty"`
}

// AttachOptions say where the tool should send its requests.
type AttachOptions struct {
	// Mode is recorded so Status can tell a direct attach from a foreign
	// URL; "" means proxy.
	Mode Mode
	// BaseURL is the engine's URL in proxy mode, the channel's in direct mode.
	BaseURL string
	// Token is the access key in proxy mode, the channel's key in direct mode.
	Token string
	// Models applies to Claude Code (all four) and Codex (Default).
	Models Models
}

// State is a tool's attachment as the settings file shows it.
type State string

const (
	// Attached: the tool's base URL is the engine's (or the channel Routex
	// wrote in direct mode).
	Attached State = "attached"
	// NotAttached: the file, or its base URL, is absent.
	NotAttached State = "not_attached"
	// AttachedElsewhere: another base URL is set, by the user or another tool.
	AttachedElsewhere State = "attached_elsewhere"
)

// Status is what Status found.
type Status struct {
	State   State  `json:"status"`
	Path    string `json:"path"`
	BaseURL string `json:"base_url"`
	// Mode is how Routex attached, when the file shows Routex's attachment.
	Mode Mode `json:"mode,omitempty"`
}

// Result reports what Attach or Detach did.
type Result struct {
	Path string `json:"path"`
	// Backup is the copy taken before the change; "" when the file did not
	// exist or did not change.
	Backup  string `json:"backup,omitempty"`
	Changed bool   `json:"changed"`
	// BaseURL is the URL Attach pointed the tool at, as the tool's
	// settings hold it (Codex's ends in /v1).
	BaseURL string `json:"base_url,omitempty"`
	// Kept lists keys Detach left alone because the user changed them after
	// Routex wrote them.
	Kept []string `json:"kept,omitempty"`
}

// ErrNotAttached says Detach found no record of Routex attaching the file:
// there is nothing of Routex's to undo.
var ErrNotAttached = errors.New("routex has not attached this file")

// Client edits one tool's settings file. Attach, Detach and Status are not
// safe for concurrent use on the same file; callers serialise them.
type Client struct {
	name   string // "claude", "gemini" or "codex": names the record and backup files
	path   string
	home   string
	format format
	now    func() time.Time
	log    *slog.Logger
	// beforeRename runs between the temp file's fsync and the rename; tests
	// return an error from it to simulate a crash at the worst moment.
	beforeRename func() error
}

// Option adjusts a Client.
type Option func(*Client)

// WithPath edits path instead of the tool's default settings file.
func WithPath(path string) Option {
	return func(c *Client) {
		if path != "" {
			c.path = path
		}
	}
}

// WithLogger logs attach and detach to l (default slog.Default()). Values
// of keys are never logged: they hold access keys.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) {
		if l != nil {
			c.log = l
		}
	}
}

// NewClaude returns the client for Claude Code's settings.json, recording
// its changes under home (ROUTEX_HOME).
func NewClaude(home string, opts ...Option) (*Client, error) {
	path, err := ClaudeSettingsPath()
	if err != nil {
		return nil, err
	}
	return newClient("claude", path, home, claudeFormat{}, opts)
}

// NewGemini returns the client for Gemini CLI's ~/.gemini/.env.
func NewGemini(home string, opts ...Option) (*Client, error) {
	path, err := GeminiEnvPath()
	if err != nil {
		return nil, err
	}
	return newClient("gemini", path, home, geminiFormat{}, opts)
}

func newClient(name, path, home string, f format, opts []Option) (*Client, error) {
	if home == "" {
		return nil, errors.New("clients: no Routex home to keep backups and records in")
	}
	c := &Client{name: name, path: path, home: home, format: f, now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	abs, err := filepath.Abs(c.path)
	if err != nil {
		return nil, fmt.Errorf("clients: %s: %w", c.path, err)
	}
	c.path = abs
	return c, nil
}

// Name is "claude", "gemini" or "codex".
func (c *Client) Name() string { return c.name }

// Path is the settings file this client edits.
func (c *Client) Path() string { return c.path }

// ClaudeSettingsPath is Claude Code's user settings file:
// $CLAUDE_CONFIG_DIR/settings.json, else ~/.claude/settings.json.
func ClaudeSettingsPath() (string, error) {
	if dir := os.Getenv("CLAUDE_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "settings.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("clients: find the home folder for ~/.claude (set HOME or CLAUDE_CONFIG_DIR): %w", err)
	}
	return filepath.Join(home, ".claude", "settings.json"), nil
}

// GeminiEnvPath is the .env file Gemini CLI reads from its home folder:
// ~/.gemini/.env.
func GeminiEnvPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("clients: find the home folder for ~/.gemini (set HOME): %w", err)
	}
	return filepath.Join(home, ".gemini", ".env"), nil
}

// sameURL compares base URLs as the tools use them: a trailing slash does
// not matter.
func sameURL(a, b string) bool {
	return a != "" && strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
}
