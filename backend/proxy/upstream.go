package proxy

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/convert"
	"github.com/routex-app/routex/backend/provider"
)

// upstream is a request ready to send: where, what, and what the client
// expects back.
type upstream struct {
	url  string
	body []byte
	// from is the client's format, to the channel's; they differ when
	// Routex converts.
	from, to protocol.Format
	// req is the decoded client request (converted requests only): the
	// source of usage estimates.
	req          *protocol.Request
	clientModel  string
	stream       bool
	includeUsage bool
}

func (u *upstream) converted() bool { return u.from != u.to }

// prepare builds the upstream request. The same format passes through with
// only the model changed, byte for byte otherwise; a different format is
// decoded and re-encoded.
func (h *Handler) prepare(in inbound, c choice) (*upstream, error) {
	ch := c.channel
	prov := provider.For(ch.Type)
	if prov == nil {
		return nil, fmt.Errorf("channel %s has unknown type %q", ch.Name, ch.Type)
	}
	up := &upstream{from: in.format, to: prov.Format(), clientModel: in.model, stream: in.stream}
	if !up.converted() {
		body := in.body
		if in.format != protocol.Gemini && c.model != in.model {
			var err error
			if body, err = sjson.SetBytes(body, "model", c.model); err != nil {
				return nil, fmt.Errorf("could not set the model: %w", err)
			}
		}
		up.body = body
		up.url = prov.URL(ch.BaseURL, c.model, in.op, in.stream)
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
	req, err := convert.For(in.format).DecodeRequest(in.body)
	if err != nil {
		return nil, err
	}
	if in.format == protocol.Gemini {
		req.Model, req.Stream = in.model, in.stream
	}
	body, err := convert.Request(req, up.to, c.model)
	if err != nil {
		return nil, fmt.Errorf("channel %s cannot take this request: %w", ch.Name, err)
	}
	up.req, up.body = req, body
	up.url = prov.URL(ch.BaseURL, c.model, provider.OpChat, in.stream)
	if in.format == protocol.OpenAI {
		up.includeUsage = gjson.GetBytes(in.body, "stream_options.include_usage").Bool()
	}
	return up, nil
}

// setDefault sets path to v unless the body already has it.
func setDefault(body []byte, path string, v any) ([]byte, error) {
	if gjson.GetBytes(body, path).Exists() {
		return body, nil
	}
	return sjson.SetBytes(body, path, v)
}
