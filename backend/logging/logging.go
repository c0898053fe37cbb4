// Package logging sets up log/slog for Routex: readable lines on the console,
// JSON lines in a rotating file under ROUTEX_HOME/logs, and a redaction helper
// so that keys never reach either.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Options says where and how much to log.
type Options struct {
	Level   string    // debug, info, warn, error
	Dir     string    // folder of routex.log; empty for console only
	Console io.Writer // nil for os.Stderr
}

// Logger is the process logger plus what must be closed at exit.
type Logger struct {
	*slog.Logger
	file *lumberjack.Logger
}

// New builds the logger. The file keeps 5 rotations of 10 MB.
func New(opts Options) (*Logger, error) {
	level, err := ParseLevel(opts.Level)
	if err != nil {
		return nil, err
	}
	console := opts.Console
	if console == nil {
		console = os.Stderr
	}
	handlers := []slog.Handler{slog.NewTextHandler(console, &slog.HandlerOptions{Level: level})}
	var file *lumberjack.Logger
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("logging: create %s: %w", opts.Dir, err)
		}
		file = &lumberjack.Logger{
			Filename:   filepath.Join(opts.Dir, "routex.log"),
			MaxSize:    10,
			MaxBackups: 5,
			MaxAge:     30,
		}
		handlers = append(handlers, slog.NewJSONHandler(file, &slog.HandlerOptions{Level: level}))
	}
	return &Logger{Logger: slog.New(slog.NewMultiHandler(handlers...)), file: file}, nil
}

// Close flushes and closes the log file.
func (l *Logger) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// ParseLevel accepts debug, info, warn or error (any case).
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("logging: level %q must be debug, info, warn or error", s)
}

// Redact shows only enough of a secret to recognise it: "sk-…abcd". Short
// secrets are hidden entirely. It is also the API's key preview.
func Redact(secret string) string {
	if secret == "" {
		return ""
	}
	if len(secret) < 12 {
		return "…"
	}
	prefix := ""
	if i := strings.IndexAny(secret, "-_"); i > 0 && i <= 4 {
		prefix = secret[:i+1]
	}
	return prefix + "…" + secret[len(secret)-4:]
}

// RedactURL hides the password of a URL's userinfo ("https://user:xxxxx@host"):
// base URLs are shown and logged, and a password in one is a secret like
// any key. Anything that does not parse is returned as is.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); !has {
		return raw
	}
	return u.Redacted()
}

// minSecret is the shortest secret RedactSecrets replaces: shorter values
// ("1", "true") would mangle the text and protect nothing.
const minSecret = 6

// RedactSecrets replaces every occurrence of each secret in s with
// "[redacted]": for messages that may repeat what a channel sent upstream
// (a provider's error quoting a header, a URL in a connection error).
func RedactSecrets(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= minSecret && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
