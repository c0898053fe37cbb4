package proxy

import (
	"bytes"
	"regexp"
)

// maxCapture caps each captured body: enough to debug a request, not
// enough to fill the database with images.
const maxCapture = 64 << 10

// capture keeps the first maxCapture bytes written to it. A nil *capture
// ignores writes, so callers need no checks.
type capture struct {
	buf       []byte
	truncated bool
}

func (c *capture) Write(p []byte) (int, error) {
	if c == nil {
		return len(p), nil
	}
	room := maxCapture - len(c.buf)
	if len(p) > room {
		c.buf = append(c.buf, p[:max(room, 0)]...)
		c.truncated = true
	} else {
		c.buf = append(c.buf, p...)
	}
	return len(p), nil
}

// String is the captured text, redacted, with a mark when it was cut.
func (c *capture) String(secrets ...string) string {
	if c == nil {
		return ""
	}
	out := redact(c.buf, secrets...)
	if c.truncated {
		out += "\n…[truncated]"
	}
	return out
}

// keyLike matches strings shaped like provider API keys, for bodies that
// carry one Routex does not know (a key pasted into a prompt).
var keyLike = regexp.MustCompile(`\b(sk-(?:ant-)?[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{30,}|rx-[0-9a-f]{32,}|rxa-[0-9a-f]{32,})`)

// redact hides the given secrets and anything shaped like an API key.
func redact(b []byte, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= 8 {
			b = bytes.ReplaceAll(b, []byte(s), []byte("[redacted]"))
		}
	}
	return keyLike.ReplaceAllString(string(b), "[redacted]")
}
