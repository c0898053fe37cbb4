// Package convert turns a request, a response or a stream of one wire format
// into another through the neutral model, and keeps usage honest on the way:
// when an upstream reports no tokens, it counts them and says so.
package convert

import (
	"errors"
	"fmt"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/anthropic"
	"github.com/routex-app/routex/backend/protocol/gemini"
	"github.com/routex-app/routex/backend/protocol/openai"
	"github.com/routex-app/routex/backend/protocol/responses"
	"github.com/routex-app/routex/backend/protocol/tokens"
)

// For returns the codec of format f, or nil for an unknown format.
func For(f protocol.Format) protocol.Codec {
	switch f {
	case protocol.Anthropic:
		return anthropic.Codec{}
	case protocol.OpenAI:
		return openai.Codec{}
	case protocol.Gemini:
		return gemini.Codec{}
	case protocol.Responses:
		return responses.Codec{}
	}
	return nil
}

// ErrNoResponseStore is the error for a Responses request that continues a
// stored conversation (previous_response_id) when the channel is not a
// Responses channel: Routex keeps no response store to rebuild it from.
var ErrNoResponseStore = errors.New("previous_response_id needs an openai-responses channel: Routex keeps no response store, so other channels cannot continue a stored response; send the whole conversation in input (with store: false) instead")

// Request re-encodes a decoded client request for an upstream of format to,
// naming the upstream model.
func Request(req *protocol.Request, to protocol.Format, upstreamModel string) ([]byte, error) {
	c := For(to)
	if c == nil {
		return nil, fmt.Errorf("convert: unknown format %q", to)
	}
	if req.PreviousResponseID != "" && to != protocol.Responses {
		return nil, ErrNoResponseStore
	}
	return c.EncodeRequest(req, protocol.EncodeOptions{Model: upstreamModel})
}

// Response converts a non-streamed upstream reply of format from into the
// client's format to. req is the client's request, counted when the
// upstream reported no usage. edit, when not nil, rewrites the decoded reply
// first (a channel's transformers).
func Response(body []byte, from, to protocol.Format, req *protocol.Request, opts protocol.EncodeOptions,
	edit func(*protocol.Response)) ([]byte, protocol.Usage, error) {
	dec, enc := For(from), For(to)
	if dec == nil || enc == nil {
		return nil, protocol.Usage{}, fmt.Errorf("convert: unknown format %q or %q", from, to)
	}
	resp, err := dec.DecodeResponse(body)
	if err != nil {
		return nil, protocol.Usage{}, fmt.Errorf("convert: upstream %s reply: %w", from, err)
	}
	unwrapOutput(req, resp)
	if edit != nil {
		edit(resp)
	}
	opts = withFreeform(opts, req)
	if dropThinkingSignatures(from, to) {
		for i := range resp.Content {
			if resp.Content[i].Type != protocol.BlockToolUse {
				resp.Content[i].Signature = ""
			}
		}
	}
	resp.Usage = complete(resp.Usage, req, func() int { return tokens.Blocks(resp.Content) })
	out, err := enc.EncodeResponse(resp, opts)
	if err != nil {
		return nil, protocol.Usage{}, fmt.Errorf("convert: encode %s reply: %w", to, err)
	}
	return out, resp.Usage, nil
}

// withFreeform names the request's free-text tools in opts, for a
// Responses encoder to write their calls as custom tool calls.
func withFreeform(opts protocol.EncodeOptions, req *protocol.Request) protocol.EncodeOptions {
	if req == nil || opts.FreeformTools != nil {
		return opts
	}
	for _, t := range req.Tools {
		if t.Freeform {
			opts.FreeformTools = append(opts.FreeformTools, t.Name)
		}
	}
	return opts
}

// complete fills in usage the upstream left out, marking it estimated.
func complete(u protocol.Usage, req *protocol.Request, output func() int) protocol.Usage {
	if u.InputTokens == 0 && u.CacheReadTokens == 0 && u.CacheWriteTokens == 0 && req != nil {
		u.InputTokens = tokens.Request(req)
		u.Estimated = true
	}
	if u.OutputTokens == 0 {
		if n := output(); n > 0 {
			u.OutputTokens = n
			u.Estimated = true
		}
	}
	return u
}

// dropThinkingSignatures reports whether the signatures on a reply's
// thinking (and text) blocks must not reach the client. A Gemini signature
// in an Anthropic client's thinking block would go back, on a later turn
// that another channel serves, to Anthropic as if it were Anthropic's own,
// which refuses it: a signature is never invented for an Anthropic
// upstream. Gemini validates only the signatures of function calls, and
// those travel in the calls' ids (protocol.JoinToolID), so nothing Gemini
// needs is lost.
func dropThinkingSignatures(from, to protocol.Format) bool {
	return from == protocol.Gemini && to != protocol.Gemini
}
