package gemini

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/routex-app/routex/backend/protocol"
)

// marshal encodes v without HTML escaping: prompts are full of <tags> and
// "\u003c" triples their size for nothing.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD
// so the output is always valid JSON.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\u202`...)
			dst = append(dst, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// isJSONObject reports whether b is one valid JSON object.
func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '{' && json.Valid(b)
}

// objectOrEmpty returns b when it is a JSON object, else what
// protocol.RepairJSON saves of it (rule 13), else {}. Gemini's args and
// response fields are protobuf Structs: anything but an object is a 400.
func objectOrEmpty(b []byte) json.RawMessage {
	if isJSONObject(b) {
		return json.RawMessage(b)
	}
	fixed, _ := protocol.RepairJSON(string(b))
	return fixed
}

// callID names a function call that arrived without an id. Within a
// response it is "call_<responseId>_<n>", unique because Gemini's response
// ids are; without a response id a random suffix keeps ids from repeating
// across the turns of a conversation (rule 14).
func callID(responseID string, n int) string {
	if responseID == "" {
		return "call_" + rand.Text()[:16] + "_" + strconv.Itoa(n)
	}
	clean := make([]byte, 0, len(responseID))
	for i := 0; i < len(responseID); i++ {
		c := responseID[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			clean = append(clean, c)
		}
	}
	return "call_" + string(clean) + "_" + strconv.Itoa(n)
}
