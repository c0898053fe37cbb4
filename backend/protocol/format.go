// Package protocol knows the wire formats Routex speaks: the Anthropic
// Messages API, the OpenAI Chat Completions API, the OpenAI Responses API and
// the Gemini API. It holds pure functions over bytes and values; no I/O.
package protocol

import "fmt"

// Format is one of the wire formats, used both for what a client speaks and
// for a channel's type.
type Format string

// The formats Routex speaks. The string values are the channel types of the
// admin API.
const (
	Anthropic Format = "anthropic"
	OpenAI    Format = "openai"
	Gemini    Format = "gemini"
	// Responses is the OpenAI Responses API (POST /v1/responses), which
	// Codex speaks and through which OpenAI serves its newest models.
	Responses Format = "openai-responses"
)

// Formats lists every known format, in the order the dashboard offers them.
var Formats = []Format{Anthropic, OpenAI, Gemini, Responses}

// ParseFormat accepts a channel type.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: want anthropic, openai, gemini or openai-responses", s)
}
