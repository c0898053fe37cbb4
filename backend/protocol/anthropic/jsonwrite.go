package anthropic

import (
	"strconv"

	"github.com/routex-app/routex/backend/protocol"
)

// Stream events are written by appending to the caller's buffer rather than
// through encoding/json: one event per token makes allocations the cost
// that matters (docs/CONVERSION.md, rule 18).

// appendKey appends ,"key": (or "key": first) — the key must need no
// escaping.
func appendKey(dst []byte, key string, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

func appendInt(dst []byte, key string, v int) []byte {
	dst = appendKey(dst, key, false)
	return strconv.AppendInt(dst, int64(v), 10)
}

// appendNullableString appends s, or null when it is empty.
func appendNullableString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return protocol.AppendJSONString(dst, s)
}

// appendIntValue appends v as a JSON number.
func appendIntValue(dst []byte, v int) []byte {
	return strconv.AppendInt(dst, int64(v), 10)
}
