package gemini

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"strconv"

	"github.com/routex-app/routex/backend/protocol"
)

// isJSONObject reports whether b is one valid JSON object.
func isJSONObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '{' && json.Valid(b)
}

// objectOrEmpty returns b when it is a JSON object, else what
// protocol.RepairJSON saves of it (docs/CONVERSION.md, rule 13), else {}. Gemini's args and
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
// across the turns of a conversation (docs/CONVERSION.md, rule 14).
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
