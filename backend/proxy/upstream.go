package proxy

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/convert"
	"github.com/routex-app/routex/backend/protocol/openai"
	"github.com/routex-app/routex/backend/protocol/responses"
	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/store"
	"github.com/routex-app/routex/backend/transform"
)

// upstream is a request ready to send: to which channel with which key,
// where, what, and what the client expects back. One is made per attempt.
type upstream struct {
	ch   *store.Channel
	key  string // the channel's key this attempt uses (balance.Balancer.Key)
	url  string
	body []byte
	// from is the client's format, to the channel's; they differ when
	// Routex converts.
	from, to protocol.Format
	// req is the decoded client request (decoded requests only): the
	// source of usage estimates.
	req          *protocol.Request
	clientModel  string
	stream       bool
	includeUsage bool
	// chain is the channel's transformers for this model; never nil.
	chain *transform.Chain
	// carried is set for a request of the channel's own format that hands
	// back what Routex carried for another provider (carriesForeign): it
	// is re-encoded so that none of it reaches the upstream.
	carried bool
}

// decoded reports whether the reply must be decoded and re-encoded: when
// the formats differ, when a transformer works on the neutral model, or
// when the request carries another provider's reasoning.
func (u *upstream) decoded() bool { return u.from != u.to || u.chain.NeedsDecode() || u.carried }

// editResponse applies the transformers to a decoded reply, or is nil.
func (u *upstream) editResponse(resp *protocol.Response) { u.chain.Response(resp) }

// prepare builds the upstream request for channel ch and upstream model.
// The same format passes through with only the model changed, byte for byte
// otherwise; a different format (or a transformer that needs the neutral
// model) is decoded and re-encoded.
func (q *request) prepare(ch *store.Channel, model string) (*upstream, error) {
	in := &q.in
	prov := provider.For(ch.Type)
	if prov == nil {
		return nil, fmt.Errorf("channel %s has unknown type %q", ch.Name, ch.Type)
	}
	snap := q.h.routing.get(q.h.catalog.Catalog())
	up := &upstream{ch: ch, from: in.format, to: prov.Format(), clientModel: in.model, stream: in.stream,
		chain: snap.pipelines[ch.ID].For(model)}
	up.carried = in.format == up.to && carriesForeign(in.format, in.body)
	if !up.decoded() {
		body := in.body
		if in.format != protocol.Gemini && model != in.model {
			var err error
			if body, err = sjson.SetBytes(body, "model", model); err != nil {
				return nil, fmt.Errorf("could not set the model: %w", err)
			}
		}
		body, err := up.chain.Body(up.to, body)
		if err != nil {
			return nil, fmt.Errorf("channel %s transformers: %w", ch.Name, err)
		}
		up.body = body
		up.url = prov.URL(ch.BaseURL, model, in.op, in.stream)
		if in.format == protocol.Gemini {
			// Keep the client's own query (alt=sse or the JSON-array stream).
			base, _, _ := strings.Cut(up.url, "?")
			up.url = base
			if in.query != "" {
				up.url += "?" + in.query
			}
		}
		return up, nil
	}
	// Images stay out of the decode and encode round trip (protocol.Hollow):
	// a converted request costs about twice its body, not seven times.
	skeleton, blobs := protocol.Hollow(in.body)
	req, err := convert.For(in.format).DecodeRequest(skeleton)
	if err != nil {
		return nil, err
	}
	if in.format == protocol.Gemini {
		req.Model, req.Stream = in.model, in.stream
	}
	up.chain.Request(req)
	body, err := convert.Request(req, up.to, model)
	if err != nil {
		return nil, fmt.Errorf("channel %s cannot take this request: %w", ch.Name, err)
	}
	if body, err = up.chain.Body(up.to, body); err != nil {
		return nil, fmt.Errorf("channel %s transformers: %w", ch.Name, err)
	}
	up.req, up.body = req, blobs.Splice(body)
	up.url = prov.URL(ch.BaseURL, model, provider.OpChat, in.stream)
	if in.format == protocol.OpenAI {
		up.includeUsage = openai.IncludeUsage(in.body)
	}
	return up, nil
}

// carriesForeign reports whether a request body in format f hands back
// something Routex carried for another provider that an upstream of the
// same format would refuse: another provider's reasoning in a Responses
// reasoning item (responses.CarriesForeign), or a Gemini thought signature
// in a tool call's id (protocol.JoinToolID), which makes the id longer than
// OpenAI takes. The marker keeps to Anthropic's id pattern, and a Gemini
// client never gets one, so their requests pass through.
func carriesForeign(f protocol.Format, body []byte) bool {
	switch f {
	case protocol.Responses:
		return responses.CarriesForeign(body) || protocol.HasSignedToolID(body)
	case protocol.OpenAI:
		return protocol.HasSignedToolID(body)
	}
	return false
}

// setDefault sets path to v unless the body already has it.
func setDefault(body []byte, path string, v any) ([]byte, error) {
	if gjson.GetBytes(body, path).Exists() {
		return body, nil
	}
	return sjson.SetBytes(body, path, v)
}

// countEstimate counts the prompt's tokens quickly when routing did not
// (the light summary): only for replies that report no usage, so the cost
// is paid only then.
func (in inbound) countEstimate() int {
	if in.estimate > 0 {
		return in.estimate
	}
	return route.SummarizeValid(in.format, in.model, in.body, nil).Tokens
}
