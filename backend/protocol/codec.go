package protocol

// Codec is one wire format's half of every conversion: it decodes that
// format into the neutral model and encodes the neutral model back into it.
// A conversion from format A to format B is A's decoder followed by B's
// encoder. Implementations are pure (no I/O) and safe for concurrent use;
// the stream halves they return hold per-stream state and are not.
type Codec interface {
	// DecodeRequest parses a client request body. Errors describe what is
	// wrong in words a client can act on.
	DecodeRequest(body []byte) (*Request, error)
	// EncodeRequest builds an upstream request body for the model opts.Model.
	EncodeRequest(req *Request, opts EncodeOptions) ([]byte, error)
	// DecodeResponse parses a non-streamed upstream reply.
	DecodeResponse(body []byte) (*Response, error)
	// EncodeResponse builds a non-streamed reply for a client.
	EncodeResponse(resp *Response, opts EncodeOptions) ([]byte, error)
	// NewStreamDecoder turns upstream SSE events into neutral events.
	NewStreamDecoder() StreamDecoder
	// NewStreamEncoder turns neutral events into SSE bytes for a client.
	NewStreamEncoder(opts EncodeOptions) StreamEncoder
}

// EncodeOptions says what an encoder needs to know beyond the value.
type EncodeOptions struct {
	// Model is the model name to put on the wire (the upstream model for a
	// request, the client's model for a response).
	Model string
	// IncludeUsage asks an OpenAI stream encoder for the final usage chunk
	// (the client sent stream_options.include_usage).
	IncludeUsage bool
	// EstimatedInputTokens is the prompt size counted by Routex, used where
	// a format needs input tokens before the upstream has reported them
	// (Anthropic's message_start).
	EstimatedInputTokens int
	// FreeformTools names the client's free-text (custom) tools, whose
	// calls a Responses encoder writes as custom_tool_call with the text
	// unwrapped from the neutral {"input": …} object. convert fills it in
	// from the request.
	FreeformTools []string
}

// IsFreeform reports whether name is one of opts.FreeformTools.
func (o EncodeOptions) IsFreeform(name string) bool {
	for _, n := range o.FreeformTools {
		if n == name {
			return true
		}
	}
	return false
}

// StreamDecoder reads one upstream stream. Decode may return no events
// (a ping, a chunk with nothing new) or several (a Gemini chunk that
// closes one block and opens another). Finish is called once at the end
// of the upstream stream, clean or not, and returns whatever closes the
// stream properly (open blocks stopped, a stop event if none came, the
// end event). After Finish, Decode is not called again.
type StreamDecoder interface {
	Decode(ev SSEEvent) ([]Event, error)
	Finish() []Event
}

// StreamEncoder writes one client stream. Encode appends the wire form of
// ev to dst and returns it (possibly unchanged: some events have no wire
// form in some formats).
type StreamEncoder interface {
	Encode(dst []byte, ev Event) []byte
}
