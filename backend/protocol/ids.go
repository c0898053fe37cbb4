package protocol

import (
	"crypto/sha256"
	"encoding/hex"
)

// FitID returns id when it is at most max bytes long, and otherwise a
// stable stand-in derived from it: "rx-" and 32 hex digits of its SHA-256,
// 35 bytes in all. Providers cap their end-user and cache-key fields
// (OpenAI's user and safety_identifier at 64 characters, OpenRouter's user
// at 128, Anthropic's metadata.user_id at 256 in older references) and
// refuse the whole request when a client's id is longer, as Claude Code's
// ~150-character metadata.user_id is. The same id always gives the same
// stand-in, so the provider still sees one user; Routex's own session
// affinity keys on the original, read before encoding. max is at least 35.
func FitID(id string, max int) string {
	if len(id) <= max {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "rx-" + hex.EncodeToString(sum[:16])
}
