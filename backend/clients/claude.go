package clients

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/pretty"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/config"
)

// Claude Code's environment keys, set in the "env" block of settings.json.
const (
	claudeBaseURL   = "ANTHROPIC_BASE_URL"
	claudeAuthToken = "ANTHROPIC_AUTH_TOKEN"
	// claudeAPIKey is removed on attach: Claude Code sends it in preference
	// to the auth token and warns of an auth conflict when both are set.
	claudeAPIKey      = "ANTHROPIC_API_KEY"
	claudeModel       = "ANTHROPIC_MODEL"
	claudeSonnetModel = "ANTHROPIC_DEFAULT_SONNET_MODEL"
	claudeOpusModel   = "ANTHROPIC_DEFAULT_OPUS_MODEL"
	claudeHaikuModel  = "ANTHROPIC_DEFAULT_HAIKU_MODEL"
	// claudeSmallFast is the older name of the haiku slot, still read by
	// Claude Code versions from before the ANTHROPIC_DEFAULT_* variables.
	claudeSmallFast = "ANTHROPIC_SMALL_FAST_MODEL"
)

// claudeFormat is settings.json: a JSON object whose "env" object holds
// environment variables for Claude Code.
type claudeFormat struct{}

func (claudeFormat) baseKey() string { return claudeBaseURL }

func (claudeFormat) toolURL(o AttachOptions) string { return o.BaseURL }

func (f claudeFormat) base(d doc) string { return stringKey(d, f.baseKey()) }

func (claudeFormat) changes(o AttachOptions) []change {
	out := []change{
		{key: claudeBaseURL, value: o.BaseURL},
		{key: claudeAuthToken, value: o.Token},
		{key: claudeAPIKey, remove: true},
	}
	for _, m := range []struct{ key, value string }{
		{claudeModel, o.Models.Default},
		{claudeSonnetModel, o.Models.Sonnet},
		{claudeOpusModel, o.Models.Opus},
		{claudeHaikuModel, o.Models.Haiku},
		{claudeSmallFast, o.Models.SmallFast},
	} {
		if m.value != "" {
			out = append(out, change{key: m.key, value: m.value})
		}
	}
	return out
}

func (claudeFormat) parse(path string, data []byte) (doc, error) {
	d := &jsonDoc{indent: "  ", newline: true}
	if len(bytes.TrimSpace(data)) == 0 {
		// A missing or empty file is an empty object; Claude Code writes
		// JSON.stringify(settings, null, 2), so new files look the same.
		d.data = []byte("{}")
		return d, nil
	}
	if err := checkJSON(path, data); err != nil {
		return nil, err
	}
	d.data = bytes.Clone(data)
	d.newline = bytes.HasSuffix(data, []byte("\n"))
	d.indent = detectIndent(data)
	trimmed := bytes.TrimSpace(data)
	d.compact = !bytes.Contains(trimmed, []byte("\n")) && len(gjson.ParseBytes(trimmed).Map()) > 0
	if env := gjson.GetBytes(data, "env"); env.Exists() && !env.IsObject() {
		line, col := config.LineCol(data, int64(env.Index))
		return nil, &SyntaxError{Path: path, Line: line, Column: col, Err: errors.New(`"env" is not an object`)}
	}
	return d, nil
}

// checkJSON reports a malformed file, or one that is not an object, with
// the line and column an editor shows.
func checkJSON(path string, data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the bad one included: point at it.
		line, col := config.LineCol(data, syn.Offset-1)
		return &SyntaxError{Path: path, Line: line, Column: col, Err: err}
	case err != nil:
		return &SyntaxError{Path: path, Line: 1, Column: 1, Err: err}
	}
	if _, ok := v.(map[string]any); !ok {
		start := len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
		line, col := config.LineCol(data, int64(start))
		return &SyntaxError{Path: path, Line: line, Column: col, Err: errors.New("the file is not a JSON object")}
	}
	return nil
}

// detectIndent returns the first indentation the file uses (two spaces,
// four, a tab), so a file keeps its style.
func detectIndent(data []byte) string {
	for _, line := range bytes.Split(data, []byte("\n"))[1:] {
		ws := line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
		if len(ws) > 0 && len(bytes.TrimSpace(line)) > 0 {
			return string(ws)
		}
	}
	return "  "
}

// jsonDoc edits settings.json in place with sjson: bytes outside the
// "env" object never change, and env is re-indented only when a key was
// added to it (sjson appends new keys compactly).
type jsonDoc struct {
	data     []byte
	indent   string
	newline  bool // the file ended with a newline
	compact  bool // the file was one line
	inserted bool // a key was added to env: re-indent it
}

// envPath is the sjson path of a key in the env object, escaped so a key
// with a dot or wildcard is one key.
func envPath(key string) string {
	var b strings.Builder
	b.WriteString("env.")
	for _, r := range key {
		if strings.ContainsRune(`.*?|#@\!=<>%`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (d *jsonDoc) lookup(key string) (raw, value string, isString, ok bool) {
	r := gjson.GetBytes(d.data, envPath(key))
	return r.Raw, r.Str, r.Type == gjson.String, r.Exists()
}

func (d *jsonDoc) set(key, value string) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return d.setRaw(key, string(raw))
}

func (d *jsonDoc) setRaw(key, raw string) (err error) {
	if !d.hasContainer() {
		d.addEnv()
	}
	if !gjson.GetBytes(d.data, envPath(key)).Exists() {
		d.inserted = true
	}
	d.data, err = sjson.SetRawBytes(d.data, envPath(key), []byte(raw))
	return err
}

func (d *jsonDoc) after(key string) string {
	prev, found := "", false
	gjson.GetBytes(d.data, "env").ForEach(func(k, _ gjson.Result) bool {
		if k.String() == key {
			found = true
			return false
		}
		prev = k.String()
		return true
	})
	if !found {
		return ""
	}
	return prev
}

// insertRaw rebuilds env with key placed after the key named after (first
// when after is "", last when after is gone); render re-indents it.
func (d *jsonDoc) insertRaw(key, raw, after string) error {
	if !d.hasContainer() {
		d.addEnv()
	}
	env := gjson.GetBytes(d.data, "env")
	if after != "" && !env.Get(envPath(after)[len("env."):]).Exists() {
		return d.setRaw(key, raw)
	}
	name, _ := json.Marshal(key)
	member := string(name) + ":" + raw
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	add := func(s string) {
		if n > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s)
		n++
	}
	if after == "" {
		add(member)
	}
	env.ForEach(func(k, v gjson.Result) bool {
		if k.String() != key {
			add(k.Raw + ":" + v.Raw)
		}
		if after != "" && k.String() == after {
			add(member)
		}
		return true
	})
	b.WriteByte('}')
	d.inserted = true
	var err error
	d.data, err = sjson.SetRawBytes(d.data, "env", []byte(b.String()))
	return err
}

func (d *jsonDoc) remove(key string) (err error) {
	d.data, err = sjson.DeleteBytes(d.data, envPath(key))
	return err
}

func (d *jsonDoc) hasContainer() bool { return gjson.GetBytes(d.data, "env").Exists() }

// addEnv appends an empty "env" object as the last key, on its own line
// as Claude Code would write it (sjson would append it compactly).
func (d *jsonDoc) addEnv() {
	end := bytes.LastIndexByte(d.data, '}')
	prev := len(bytes.TrimRight(d.data[:end], " \t\r\n")) - 1
	empty := d.data[prev] == '{'
	var ins string
	switch {
	case d.compact && empty:
		ins = `"env":{}`
	case d.compact:
		ins = `,"env":{}`
	case empty:
		ins = "\n" + d.indent + `"env": {}` + "\n"
	default:
		ins = ",\n" + d.indent + `"env": {}`
		end = prev + 1 // keep what stood between the last value and the brace
	}
	if d.compact {
		end = prev + 1
	}
	out := append([]byte{}, d.data[:prev+1]...)
	out = append(out, ins...)
	d.data = append(out, d.data[end:]...)
}

func (d *jsonDoc) dropEmptyContainer() (err error) {
	env := gjson.GetBytes(d.data, "env")
	if env.IsObject() && len(env.Map()) == 0 {
		d.data, err = sjson.DeleteBytes(d.data, "env")
	}
	return err
}

func (d *jsonDoc) render() ([]byte, error) {
	out := bytes.TrimRight(d.data, " \t\r\n")
	if env := gjson.GetBytes(out, "env"); d.inserted && env.IsObject() {
		out = spliceEnv(out, env, d.indent, d.compact)
	}
	if len(gjson.ParseBytes(out).Map()) == 0 {
		out = []byte("{}") // sjson leaves "{\n}" when the last key goes
	}
	if !json.Valid(out) {
		return nil, errors.New("clients: the edited settings are not valid JSON (a bug: the file was left untouched)")
	}
	if d.newline {
		out = append(out, '\n')
	}
	return out, nil
}

// spliceEnv re-indents the env object where it stands, at the depth of
// its line; the rest of the file is copied unchanged.
func spliceEnv(data []byte, env gjson.Result, indent string, compact bool) []byte {
	var raw []byte
	if compact {
		raw = pretty.Ugly([]byte(env.Raw))
	} else {
		lineStart := bytes.LastIndexByte(data[:env.Index], '\n') + 1
		line := data[lineStart:env.Index]
		prefix := string(line[:len(line)-len(bytes.TrimLeft(line, " \t"))])
		// Width 0 puts every member on its own line, as JSON.stringify does.
		raw = pretty.PrettyOptions([]byte(env.Raw), &pretty.Options{Prefix: prefix, Indent: indent})
		raw = bytes.TrimSuffix(bytes.TrimPrefix(raw, []byte(prefix)), []byte("\n"))
	}
	out := make([]byte, 0, len(data)+len(raw))
	out = append(out, data[:env.Index]...)
	out = append(out, raw...)
	return append(out, data[env.Index+len(env.Raw):]...)
}
