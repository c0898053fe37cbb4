// Package provider knows each upstream API's URL shape and authentication:
// what differs between providers that speak the same wire format is kept
// here, one file per provider, so the proxy stays format-agnostic.
package provider

import (
	"net/http"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// Op is what a request asks of the upstream.
type Op int

// Operations Routex sends upstream.
const (
	OpChat Op = iota
	OpCountTokens
)

// Provider builds upstream requests for one kind of channel.
type Provider interface {
	// Format is the wire format the provider speaks.
	Format() protocol.Format
	// URL joins the channel's base URL and the operation's path.
	URL(base, model string, op Op, stream bool) string
	// Authorize puts the channel's key where the provider expects it and sets
	// the headers every request needs.
	Authorize(h http.Header, key string)
}

// For returns the provider of a channel type, or nil for an unknown type.
func For(channelType string) Provider {
	switch protocol.Format(channelType) {
	case protocol.Anthropic:
		return anthropic{}
	case protocol.OpenAI:
		return openAI{}
	case protocol.Gemini:
		return gemini{}
	case protocol.Responses:
		return responses{}
	}
	return nil
}

// trimBase drops trailing slashes and a version segment that Routex appends
// itself, so a base URL written either way works.
func trimBase(base, version string) string {
	base = strings.TrimRight(base, "/")
	if version != "" {
		base = strings.TrimSuffix(base, version)
	}
	return base
}
