package protocol

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
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

// Gemini 3 wants the thought signature of each step's first function call
// back on the next turn, and degrades (Google warns) when it gets the
// documented skip value instead. Anthropic, OpenAI Chat and Responses
// clients have no place for it but one they always send back verbatim: the
// tool call's id (a Responses item's call_id). So a call from a Gemini
// upstream reaches such a client as
//
//	<id>__sig_<signature>
//
// with the signature's base64 written in the URL-safe alphabet (no
// padding), which keeps the id within Anthropic's [a-zA-Z0-9_-]. A
// signature that is not base64 goes as __sigr_ and its bytes in URL-safe
// base64. Decoders split the id again, into the call's own id (on the call
// and on its result alike, so they still pair) and Block.Signature, which
// only the Gemini encoder writes.
const (
	sigPrefix    = "__sig" // what both markers start with; no id of a call carries it
	sigMarker    = sigPrefix + "_"
	rawSigMarker = sigPrefix + "r_"
	// maxSignedID bounds an id with a signature; a longer signature is
	// dropped rather than handed to a client as a many-kilobyte id.
	maxSignedID = 16 << 10
)

// JoinToolID returns the id a client gets for a tool call that carries a
// Gemini thought signature, or id when there is none (or it cannot be
// carried: an id that already holds the marker, an oversized signature).
func JoinToolID(id, signature string) string {
	if signature == "" || strings.Contains(id, sigPrefix) {
		return id
	}
	var out string
	if isStdBase64(signature) {
		out = id + sigMarker + strings.TrimRight(base64URLReplacer.Replace(signature), "=")
	} else {
		out = id + rawSigMarker + base64.RawURLEncoding.EncodeToString([]byte(signature))
	}
	if len(out) > maxSignedID {
		return id
	}
	return out
}

// SplitToolID undoes JoinToolID: the call's own id and the signature it
// carried, or id and "" for an id without one (or with one that does not
// decode, which then stays part of the id, on the call and its result
// alike).
func SplitToolID(id string) (base, signature string) {
	i := strings.Index(id, sigPrefix)
	if i < 0 {
		return id, ""
	}
	switch rest := id[i+len(sigPrefix):]; {
	case strings.HasPrefix(rest, "r_"):
		raw, err := base64.RawURLEncoding.DecodeString(rest[2:])
		if err != nil || len(raw) == 0 {
			return id, ""
		}
		return id[:i], string(raw)
	case strings.HasPrefix(rest, "_"):
		sig := base64StdReplacer.Replace(rest[1:])
		sig += strings.Repeat("=", (4-len(sig)%4)%4)
		if !isStdBase64(sig) {
			return id, ""
		}
		return id[:i], sig
	}
	return id, ""
}

// HasSignedToolID reports whether a request body holds a tool call id
// that carries a signature (JoinToolID): a quick byte search, so that a
// request without one can pass through untouched. A client's conversation
// that began on a Gemini channel and moves to an OpenAI one hands such ids
// back; OpenAI refuses ids over 40 (Chat) or 64 (Responses) characters, so
// the request must be decoded, which splits the signature off, first.
func HasSignedToolID(body []byte) bool {
	return bytes.Contains(body, []byte(sigMarker)) || bytes.Contains(body, []byte(rawSigMarker))
}

var (
	base64URLReplacer = strings.NewReplacer("+", "-", "/", "_")
	base64StdReplacer = strings.NewReplacer("-", "+", "_", "/")
)

// isStdBase64 reports whether s is padded standard base64 that decodes.
func isStdBase64(s string) bool {
	if len(s) == 0 || len(s)%4 != 0 {
		return false
	}
	_, err := base64.StdEncoding.Strict().DecodeString(s)
	return err == nil
}
