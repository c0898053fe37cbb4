// Package anthropic is the Anthropic Messages API half of Routex's protocol
// conversion: it decodes Anthropic requests, responses and SSE streams into
// the neutral model of package protocol and encodes the neutral model back
// into them. The same wire format serves Anthropic itself and the
// Anthropic-compatible endpoints of DeepSeek, Kimi and Zhipu.
//
// Everything here is pure: no I/O, no logging, no mutable globals.
package anthropic

import "github.com/routex-app/routex/backend/protocol"

// Codec converts between the Anthropic Messages API and the neutral model.
// The zero value is ready to use and safe for concurrent use; the stream
// halves it returns hold per-stream state and are not.
type Codec struct{}

var _ protocol.Codec = Codec{}

// NewStreamDecoder returns a decoder for one upstream Anthropic SSE stream.
func (Codec) NewStreamDecoder() protocol.StreamDecoder { return newStreamDecoder() }

// NewStreamEncoder returns an encoder that writes one Anthropic SSE stream
// to a client, naming opts.Model as the model and using
// opts.EstimatedInputTokens when the upstream reported no input usage.
func (Codec) NewStreamEncoder(opts protocol.EncodeOptions) protocol.StreamEncoder {
	return newStreamEncoder(opts)
}
