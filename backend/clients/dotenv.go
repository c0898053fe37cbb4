package clients

import (
	"regexp"
	"strings"
)

// Gemini CLI's keys in ~/.gemini/.env.
const (
	geminiBaseURL = "GOOGLE_GEMINI_BASE_URL"
	geminiAPIKey  = "GEMINI_API_KEY"
)

// geminiFormat is a .env file.
type geminiFormat struct{}

func (geminiFormat) baseKey() string { return geminiBaseURL }

func (geminiFormat) toolURL(o AttachOptions) string { return o.BaseURL }

func (f geminiFormat) base(d doc) string { return stringKey(d, f.baseKey()) }

func (geminiFormat) changes(o AttachOptions) []change {
	return []change{{key: geminiBaseURL, value: o.BaseURL}, {key: geminiAPIKey, value: o.Token}}
}

func (geminiFormat) parse(_ string, data []byte) (doc, error) { return parseDotenv(data), nil }

// envLine matches KEY=value with an optional "export " and spaces around.
var envLine = regexp.MustCompile(`^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)$`)

// dotenv edits a .env file line by line: comments, blank lines, other keys
// and their order stay byte for byte. Any line is valid: one that is not
// KEY=value is kept as text, as dotenv loaders skip it.
type dotenv struct {
	lines   []string
	eol     string // "\n" or "\r\n", as the file uses
	newline bool   // the file ended with a line break
}

func parseDotenv(data []byte) *dotenv {
	s := string(data)
	d := &dotenv{eol: "\n", newline: true}
	if s == "" {
		return d
	}
	if strings.Contains(s, "\r\n") {
		d.eol = "\r\n"
	}
	d.newline = strings.HasSuffix(s, "\n")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
	d.lines = strings.Split(s, "\n")
	for i, l := range d.lines {
		d.lines[i] = strings.TrimSuffix(l, "\r")
	}
	return d
}

// find returns the index of key's last line, the one loaders let win.
func (d *dotenv) find(key string) int {
	for i := len(d.lines) - 1; i >= 0; i-- {
		if m := envLine.FindStringSubmatch(d.lines[i]); m != nil && m[2] == key {
			return i
		}
	}
	return -1
}

func (d *dotenv) lookup(key string) (raw, value string, isString, ok bool) {
	i := d.find(key)
	if i < 0 {
		return "", "", false, false
	}
	m := envLine.FindStringSubmatch(d.lines[i])
	return d.lines[i], unquote(m[3]), true, true
}

func (d *dotenv) set(key, value string) error {
	line := key + "=" + quote(value)
	if i := d.find(key); i >= 0 {
		if m := envLine.FindStringSubmatch(d.lines[i]); m[1] != "" {
			line = "export " + line
		}
		d.lines[i] = line
		return nil
	}
	d.lines = append(d.lines, line)
	return nil
}

func (d *dotenv) setRaw(key, raw string) error {
	if i := d.find(key); i >= 0 {
		d.lines[i] = raw
		return nil
	}
	d.lines = append(d.lines, raw)
	return nil
}

func (d *dotenv) after(key string) string {
	prev := ""
	for _, l := range d.lines {
		if m := envLine.FindStringSubmatch(l); m != nil {
			if m[2] == key {
				return prev
			}
			prev = m[2]
		}
	}
	return ""
}

// insertRaw puts line raw after the line of the key named after; first
// when after is "", last when that key is gone.
func (d *dotenv) insertRaw(key, raw, after string) error {
	i := len(d.lines)
	if after == "" {
		i = 0
	} else if j := d.find(after); j >= 0 {
		i = j + 1
	}
	d.lines = append(d.lines[:i], append([]string{raw}, d.lines[i:]...)...)
	return nil
}

func (d *dotenv) remove(key string) error {
	if i := d.find(key); i >= 0 {
		d.lines = append(d.lines[:i], d.lines[i+1:]...)
	}
	return nil
}

func (d *dotenv) hasContainer() bool        { return true }
func (d *dotenv) dropEmptyContainer() error { return nil }

func (d *dotenv) render() ([]byte, error) {
	if len(d.lines) == 0 {
		return nil, nil
	}
	s := strings.Join(d.lines, d.eol)
	if d.newline {
		s += d.eol
	}
	return []byte(s), nil
}

// bareValue is what needs no quotes in every dotenv dialect.
var bareValue = regexp.MustCompile(`^[A-Za-z0-9_./:@+,\-]*$`)

// quote writes a value so dotenv loaders (Node's dotenv, python-dotenv,
// shells sourcing the file) read it back unchanged.
func quote(v string) string {
	if bareValue.MatchString(v) {
		return v
	}
	if !strings.ContainsAny(v, "'\n\r") {
		return "'" + v + "'"
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(v) + `"`
}

// unquote reads a value as Node's dotenv does: quotes removed, \n expanded
// in double quotes, an unquoted value ending at " #".
func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 {
		switch q := v[0]; q {
		case '"', '\'', '`':
			if end := closingQuote(v, q); end > 0 {
				inner := v[1:end]
				if q == '"' {
					inner = strings.NewReplacer(`\n`, "\n", `\r`, "\r", `\"`, `"`, `\\`, `\`).Replace(inner)
				}
				return inner
			}
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// closingQuote finds the quote that ends a value starting with q, skipping
// backslash-escaped ones in double quotes.
func closingQuote(v string, q byte) int {
	for i := 1; i < len(v); i++ {
		switch {
		case v[i] == '\\' && q == '"':
			i++
		case v[i] == q:
			return i
		}
	}
	return -1
}
