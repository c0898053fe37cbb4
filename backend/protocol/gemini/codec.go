// Package gemini is Routex's codec for the Google AI Studio Gemini API
// (generateContent and streamGenerateContent?alt=sse). It converts that wire
// format to and from the neutral model of package protocol. The model name
// and the stream flag of a Gemini call live in the URL, so they never appear
// in the bodies this package reads and writes.
package gemini

import "github.com/routex-app/routex/backend/protocol"

// Codec converts between the Gemini API and the neutral model. It holds no
// state and is safe for concurrent use.
type Codec struct{}

var _ protocol.Codec = Codec{}

// DecodeRequest parses a Gemini client request. Model and Stream are left
// empty: the proxy sets them from the URL.
func (Codec) DecodeRequest(body []byte) (*protocol.Request, error) {
	return decodeRequest(body)
}

// EncodeRequest builds a Gemini request body. opts.Model picks the
// thinking-budget range and the Gemini 3 signature rules; it is not written
// to the body (the proxy puts it in the URL).
func (Codec) EncodeRequest(req *protocol.Request, opts protocol.EncodeOptions) ([]byte, error) {
	return encodeRequest(req, opts.Model)
}

// DecodeResponse parses a non-streamed Gemini reply (or the JSON array a
// non-SSE streamGenerateContent returns).
func (Codec) DecodeResponse(body []byte) (*protocol.Response, error) {
	return decodeResponse(body)
}

// EncodeResponse builds a non-streamed Gemini reply for a client.
func (Codec) EncodeResponse(resp *protocol.Response, opts protocol.EncodeOptions) ([]byte, error) {
	return encodeResponse(resp, opts.Model)
}

// NewStreamDecoder reads a Gemini SSE stream (data-only events, one
// GenerateContentResponse each).
func (Codec) NewStreamDecoder() protocol.StreamDecoder {
	return &streamDecoder{}
}

// NewStreamEncoder writes a Gemini SSE stream for a client.
func (Codec) NewStreamEncoder(opts protocol.EncodeOptions) protocol.StreamEncoder {
	return &streamEncoder{model: opts.Model}
}
