package route

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// A subagent picks its own channel with <routex-model>channel,model</routex-model>
// anywhere in its system text. The tag is for Routex only, so StripTag
// removes it before the request goes upstream.
const (
	tagOpen  = "<routex-model>"
	tagClose = "</routex-model>"
)

// ErrInvalidBody is returned by StripTag for a body that names the tag but
// is not a JSON object, so it cannot be edited safely.
var ErrInvalidBody = errors.New("route: request body is not a JSON object; cannot strip the <routex-model> tag")

// findTag returns the trimmed content of the first complete tag in text.
func findTag(text string) (string, bool) {
	i := strings.Index(text, tagOpen)
	if i < 0 {
		return "", false
	}
	rest := text[i+len(tagOpen):]
	j := strings.Index(rest, tagClose)
	if j < 0 {
		return "", false
	}
	return strings.TrimSpace(rest[:j]), true
}

// stripTags removes every complete tag from text, with the whitespace that
// follows it (or, for a tag at the end, the whitespace before it), so
// "a\n<routex-model>x</routex-model>\nb" becomes "a\nb".
func stripTags(text string) string {
	for {
		i := strings.Index(text, tagOpen)
		if i < 0 {
			return text
		}
		j := strings.Index(text[i+len(tagOpen):], tagClose)
		if j < 0 {
			return text
		}
		before := text[:i]
		after := strings.TrimLeft(text[i+len(tagOpen)+j+len(tagClose):], " \t\r\n")
		if after == "" {
			before = strings.TrimRight(before, " \t\r\n")
		}
		text = before + after
	}
}

// StripTag removes every <routex-model>…</routex-model> tag, and the
// whitespace it leaves, from the system text of body: Anthropic system (a
// string or blocks' text) and system-role messages; OpenAI messages with
// role system or developer (string content or text parts); Responses
// instructions and input messages with role system or developer; Gemini
// systemInstruction.parts[i].text. A block or part left empty is dropped (the
// APIs refuse empty text blocks); a string content left empty stays "".
// Everything else in body is kept byte for byte. When body holds no tag,
// StripTag returns body itself, untouched and without allocating. It never
// modifies body in place.
func StripTag(format protocol.Format, body []byte) ([]byte, error) {
	if !bytes.Contains(body, []byte("routex-model")) { // also catches \u003c-escaped tags
		return body, nil
	}
	raw := unsafe.String(unsafe.SliceData(body), len(body))
	root := gjson.Parse(raw)
	if !gjson.Valid(raw) || !root.IsObject() {
		return body, ErrInvalidBody
	}
	root.Index = len(raw) - len(root.Raw) // Parse skips leading space without saying so
	var e editor
	root.ForEach(func(k, v gjson.Result) bool {
		switch format {
		case protocol.Anthropic:
			switch k.Str {
			case "system":
				e.stringOrParts(v, "text")
			case "messages":
				v.ForEach(func(_, m gjson.Result) bool {
					if m.Get("role").Str == "system" {
						e.stringOrParts(m.Get("content"), "text")
					}
					return true
				})
			}
		case protocol.OpenAI:
			if k.Str == "messages" {
				v.ForEach(func(_, m gjson.Result) bool {
					if r := m.Get("role").Str; r == "system" || r == "developer" {
						e.stringOrParts(m.Get("content"), "text")
					}
					return true
				})
			}
		case protocol.Gemini:
			if k.Str == "systemInstruction" || k.Str == "system_instruction" {
				e.stringOrParts(v.Get("parts"), "text")
			}
		case protocol.Responses:
			switch k.Str {
			case "instructions":
				e.stringOrParts(v, "text")
			case "input":
				v.ForEach(func(_, m gjson.Result) bool {
					if r := m.Get("role").Str; r == "system" || r == "developer" {
						e.stringOrParts(m.Get("content"), "text")
					}
					return true
				})
			}
		}
		return true
	})
	if len(e.edits) == 0 {
		return body, nil
	}
	return e.apply(body)
}

// edit replaces body[start:end] with repl.
type edit struct {
	start, end int
	repl       []byte
	raw        string // what body[start:end] must hold
}

// editor collects the edits of StripTag. Results it is given carry absolute
// offsets into the body: gjson makes the Index of ForEach values and of
// Result.Get answers absolute, given a root whose Index is right.
type editor struct{ edits []edit }

// stringOrParts strips tags from v when it is a string, or from the field
// text of each object when v is an array, dropping elements left empty.
func (e *editor) stringOrParts(v gjson.Result, field string) {
	switch {
	case v.Type == gjson.String:
		if stripped := stripTags(v.Str); stripped != v.Str {
			e.replace(v, protocol.AppendJSONString(nil, stripped))
		}
	case v.IsArray():
		e.parts(v, field)
	}
}

func (e *editor) parts(arr gjson.Result, field string) {
	var (
		elems   []gjson.Result
		texts   []gjson.Result // absolute, one per elem; zero when unchanged
		changed []string
		dropped bool
	)
	arr.ForEach(func(_, el gjson.Result) bool {
		t := el.Get(field)
		stripped := t.Str
		if t.Type == gjson.String {
			stripped = stripTags(t.Str)
		}
		if stripped == t.Str {
			t = gjson.Result{}
		}
		dropped = dropped || (t.Exists() && stripped == "")
		elems, texts, changed = append(elems, el), append(texts, t), append(changed, stripped)
		return true
	})
	if !dropped {
		for i, t := range texts {
			if t.Exists() {
				e.replace(t, protocol.AppendJSONString(nil, changed[i]))
			}
		}
		return
	}
	// Rebuild the array without the emptied elements; kept elements keep
	// their bytes apart from the edited text.
	out := []byte{'['}
	for i, el := range elems {
		t := texts[i]
		if t.Exists() && changed[i] == "" {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		if !t.Exists() {
			out = append(out, el.Raw...)
			continue
		}
		at := t.Index - el.Index
		out = append(out, el.Raw[:at]...)
		out = protocol.AppendJSONString(out, changed[i])
		out = append(out, el.Raw[at+len(t.Raw):]...)
	}
	e.replace(arr, append(out, ']'))
}

func (e *editor) replace(v gjson.Result, repl []byte) {
	e.edits = append(e.edits, edit{start: v.Index, end: v.Index + len(v.Raw), repl: repl, raw: v.Raw})
}

// apply returns a new body with the edits made, in order of position. It
// checks each edit against the bytes it replaces, so a wrong offset is an
// error rather than a corrupted request.
func (e *editor) apply(body []byte) ([]byte, error) {
	slices.SortFunc(e.edits, func(a, b edit) int { return a.start - b.start })
	out := make([]byte, 0, len(body))
	at := 0
	for _, ed := range e.edits {
		if ed.start < at || ed.end > len(body) || string(body[ed.start:ed.end]) != ed.raw {
			return body, ErrInvalidBody
		}
		out = append(out, body[at:ed.start]...)
		out = append(out, ed.repl...)
		at = ed.end
	}
	return append(out, body[at:]...), nil
}
