package protocol

import (
	"bytes"
	"encoding/json"
	"strings"
)

// emptyObject is what a tool input becomes when nothing can be saved from it.
var emptyObject = json.RawMessage("{}")

// RepairJSON turns tool-call arguments as models actually write them into a
// JSON object (docs/CONVERSION.md, rule 13). Upstreams send trailing commas, unquoted keys,
// single-quoted strings, Python literals and, when a stream is cut or
// max_tokens hits, truncated JSON; passing those on verbatim makes the client
// reject the whole reply. It returns the object and true when the input is
// an object or could be repaired into one, and {} and false when it is
// hopeless (the caller logs a warning). It never wraps text as
// {"text": …}, which a tool would take for a real argument. An empty string
// is a call without arguments: {} and true.
func RepairJSON(s string) (json.RawMessage, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return emptyObject, true
	}
	if isJSONObject(t) {
		return json.RawMessage(t), true
	}
	// Double-encoded: the object was sent as a JSON string.
	if t[0] == '"' && json.Valid([]byte(t)) {
		var inner string
		if json.Unmarshal([]byte(t), &inner) == nil {
			if inner = strings.TrimSpace(inner); isJSONObject(inner) {
				return json.RawMessage(inner), true
			}
			t = inner
		}
	}
	// Skip prose or a Markdown fence before the object.
	start := strings.IndexByte(t, '{')
	if start < 0 {
		return emptyObject, false
	}
	if r := repairJSON(t[start:]); isJSONObject(string(r)) {
		return r, true
	}
	return emptyObject, false
}

func isJSONObject(s string) bool {
	return len(s) > 0 && s[0] == '{' && json.Valid([]byte(s))
}

// repairFrame is one open object or array.
type repairFrame struct {
	obj       bool
	expectKey bool // in an object, before the next key
}

// repairJSON rewrites s token by token into valid JSON where it can. s
// starts with '{'. Whatever follows the close of the outermost object is
// ignored.
func repairJSON(s string) json.RawMessage {
	out := make([]byte, 0, len(s)+8)
	var stack []repairFrame
	lastWasKey := false
	i := 0
loop:
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"' || c == '\'':
			n, closed := appendRepairedString(&out, s[i:], c)
			i += n
			lastWasKey = len(stack) > 0 && stack[len(stack)-1].obj && stack[len(stack)-1].expectKey
			if !closed {
				break loop
			}
			continue
		case c == '{' || c == '[':
			stack = append(stack, repairFrame{obj: c == '{', expectKey: c == '{'})
			out = append(out, c)
		case c == '}' || c == ']':
			out = trimDangling(out, lastWasKey)
			lastWasKey = false
			if len(stack) == 0 {
				break loop
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.obj {
				out = append(out, '}')
			} else {
				out = append(out, ']')
			}
			if len(stack) == 0 {
				break loop
			}
		case c == ':':
			out = append(out, ':')
			lastWasKey = false
			if len(stack) > 0 {
				stack[len(stack)-1].expectKey = false
			}
		case c == ',':
			out = bytes.TrimRight(out, " \t\r\n")
			if len(out) > 0 && out[len(out)-1] != ',' && out[len(out)-1] != '{' && out[len(out)-1] != '[' {
				out = append(out, ',')
			}
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].expectKey = true
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			out = append(out, c)
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(",:{}[]\"' \t\r\n", rune(s[j])) {
				j++
			}
			if j == i { // a byte no token starts with
				j++
			}
			inKey := len(stack) > 0 && stack[len(stack)-1].obj && stack[len(stack)-1].expectKey
			out = appendBareToken(out, s[i:j], inKey, j == len(s))
			lastWasKey = inKey
			i = j
			continue
		}
		i++
	}
	out = trimDangling(out, lastWasKey)
	for k := len(stack) - 1; k >= 0; k-- {
		if stack[k].obj {
			out = append(out, '}')
		} else {
			out = append(out, ']')
		}
	}
	return out
}

// trimDangling removes what cannot end a container: a trailing comma, and
// completes a key left without its value.
func trimDangling(out []byte, lastWasKey bool) []byte {
	out = bytes.TrimRight(out, " \t\r\n")
	out = bytes.TrimSuffix(out, []byte(","))
	switch {
	case bytes.HasSuffix(out, []byte(":")):
		out = append(out, "null"...)
	case lastWasKey:
		out = append(out, ":null"...)
	}
	return out
}

// appendBareToken writes an unquoted token: a key gets quotes, Python
// literals become JSON ones, a literal or number cut short at the end of
// the input is completed, and any other word becomes a string.
func appendBareToken(out []byte, tok string, inKey, atEnd bool) []byte {
	if inKey {
		b, _ := json.Marshal(tok) // strings always encode
		return append(out, b...)
	}
	switch tok {
	case "True":
		tok = "true"
	case "False":
		tok = "false"
	case "None":
		tok = "null"
	}
	if atEnd {
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(lit, tok) {
				return append(out, lit...)
			}
		}
		if tok[0] == '-' || (tok[0] >= '0' && tok[0] <= '9') {
			tok = strings.TrimRight(tok, ".eE+-")
			if tok == "" {
				return append(out, '0')
			}
		}
	}
	if json.Valid([]byte(tok)) {
		return append(out, tok...)
	}
	b, _ := json.Marshal(tok)
	return append(out, b...)
}

// appendRepairedString copies the string starting at s[0] (quoted with q)
// as a double-quoted JSON string. It returns the bytes consumed and whether
// the string was closed; an unclosed string is closed.
func appendRepairedString(out *[]byte, s string, q byte) (int, bool) {
	o := append(*out, '"')
	defer func() { *out = o }()
	for j := 1; j < len(s); j++ {
		ch := s[j]
		switch {
		case ch == '\\':
			if j+1 >= len(s) {
				o = append(o, '"')
				return len(s), false
			}
			next := s[j+1]
			if next == '\'' {
				o = append(o, '\'')
			} else if next == 'u' && j+6 > len(s) {
				o = append(o, '"')
				return len(s), false // a \u escape cut short
			} else if strings.IndexByte(`"\\/bfnrtu`, next) >= 0 {
				o = append(o, '\\', next)
			} else {
				o = append(o, next) // an escape JSON does not know
			}
			j++
		case ch == q:
			o = append(o, '"')
			return j + 1, true
		case ch == '"':
			o = append(o, '\\', '"')
		case ch == '\n':
			o = append(o, '\\', 'n')
		case ch == '\r':
			o = append(o, '\\', 'r')
		case ch == '\t':
			o = append(o, '\\', 't')
		case ch < 0x20:
			o = append(o, ' ')
		default:
			o = append(o, ch)
		}
	}
	o = append(o, '"')
	return len(s), false
}
