package anthropic

import (
	"crypto/sha256"
	"strconv"
	"strings"
)

// IDs on the Anthropic wire: messages are "msg_…", tool ids must match
// ^[a-zA-Z0-9_-]+$. Both are derived from the neutral IDs by pure functions,
// so the same input always gives the same output: a tool result sent back
// on a later turn pairs with its call (docs/CONVERSION.md, rule 14).

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// MessageID returns id when it already looks like an Anthropic message ID,
// otherwise "msg_" and 24 characters derived from id (and seed, used when
// id is empty), random-looking but the same for the same input.
func MessageID(id, seed string) string {
	if strings.HasPrefix(id, "msg_") && validToolID(id) {
		return id
	}
	return "msg_" + hashID(id+"\x00"+seed, 24)
}

// ToolID returns a tool id Anthropic accepts. Valid ids (toolu_…, call_…)
// are kept as they are; others have each disallowed character replaced by
// "_" and a short hash of the original appended, so two ids that differ
// only in those characters stay distinct. An empty id gets one derived
// from seed (a message ID and the block's position).
func ToolID(id, seed string) string {
	if id == "" {
		return "toolu_" + hashID(seed, 24)
	}
	if validToolID(id) {
		return id
	}
	var b strings.Builder
	b.Grow(len(id) + 9)
	for i := 0; i < len(id); i++ {
		if isIDChar(id[i]) {
			b.WriteByte(id[i])
		} else {
			b.WriteByte('_')
		}
	}
	b.WriteByte('_')
	b.WriteString(hashID(id, 8))
	return b.String()
}

func validToolID(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isIDChar(id[i]) {
			return false
		}
	}
	return true
}

func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// hashID returns n base-62 characters derived from s.
func hashID(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	out := make([]byte, n)
	for i := range out {
		out[i] = idAlphabet[int(sum[i%len(sum)])%len(idAlphabet)]
	}
	return string(out)
}

// toolID is ToolID with the seed for an empty id built only when needed:
// scope (a message ID) and the block's position in it.
func toolID(id, scope string, index int) string {
	if id != "" {
		return ToolID(id, "")
	}
	return ToolID("", scope+"/"+strconv.Itoa(index))
}
