// Package transform holds the per-channel transformer pipelines: small,
// configurable steps that adapt a request to what one provider or model
// wants (a lower max_tokens, no cache_control, forced tool use, extra body
// fields, headers) and adapt its reply back (reasoning written inline as
// <think> text, broken tool-call JSON).
//
// A channel's "transformers" JSON is compiled once by Parse into an
// immutable Pipeline. Per request, Pipeline.For picks the steps that apply
// to the upstream model and returns a Chain, which the proxy runs on the
// request (in configured order) and on the response or stream (in reverse
// order, so that the step nearest the upstream sees its reply first).
//
// Everything here is pure: no I/O, no logging, no package-level state.
package transform

import (
	"net/http"

	"github.com/routex-app/routex/backend/protocol"
)

// The capabilities a step may have. A step implements the ones it needs;
// the Chain sorts its steps by capability once, when it is built, so that
// running a chain costs nothing for the capabilities no step has.
type (
	// step is one configured transformer.
	step interface{ name() string }
	// requestStep changes the neutral request.
	requestStep interface{ request(req *protocol.Request) }
	// responseStep changes the neutral, non-streamed response.
	responseStep interface {
		response(resp *protocol.Response)
	}
	// streamStep makes the per-stream state of a step that changes events.
	streamStep interface{ newStreamer() streamer }
	// bodyStep patches the encoded upstream body.
	bodyStep interface {
		body(f protocol.Format, body []byte) ([]byte, error)
	}
	// headerStep changes the upstream request headers.
	headerStep interface{ headers(h http.Header) }
)

// streamer is one step's state for one stream. push appends to out what
// the step emits for ev (nothing when it holds ev back, several events
// when it releases held ones or splits a block) and returns out.
type streamer interface {
	push(ev protocol.Event, out []protocol.Event) []protocol.Event
}

// Pipeline is a channel's compiled transformers. It is immutable after
// Parse and safe for concurrent use. A nil *Pipeline is a valid empty
// pipeline.
type Pipeline struct {
	entries []entry
	groups  [][]string // each model-scoped group's globs
	base    *Chain     // the chain when no group matches
}

// entry is one step in configured order, with the model group it belongs
// to (-1 when it applies to every model).
type entry struct {
	step  step
	group int
}

// Empty reports whether the pipeline has no steps at all.
func (p *Pipeline) Empty() bool { return p == nil || len(p.entries) == 0 }

// For returns the steps that apply when the upstream model is model, with
// model-scoped groups resolved. A pipeline without groups, or a model that
// no group matches, gets a chain built at Parse time, without allocating;
// a matching group costs one small chain per call. Nil-safe: a nil
// pipeline gives a nil (empty) chain.
func (p *Pipeline) For(model string) *Chain {
	if p == nil {
		return nil
	}
	if len(p.groups) == 0 {
		return p.base
	}
	var matched []bool
	for g, globs := range p.groups {
		if matchAny(globs, model) {
			if matched == nil {
				matched = make([]bool, len(p.groups))
			}
			matched[g] = true
		}
	}
	if matched == nil {
		return p.base
	}
	steps := make([]step, 0, len(p.entries))
	for _, e := range p.entries {
		if e.group < 0 || matched[e.group] {
			steps = append(steps, e.step)
		}
	}
	return newChain(steps)
}

// Chain is the steps that apply to one upstream model, sorted by what they
// work on. It is immutable and safe for concurrent use; per-stream state
// lives in the StreamTransform that NewStream returns. A nil *Chain is a
// valid empty chain, and every method on it is a no-op that allocates
// nothing.
type Chain struct {
	names     []string
	requests  []requestStep
	bodies    []bodyStep
	headers   []headerStep
	responses []responseStep // reverse order
	streams   []streamStep   // reverse order
}

func newChain(steps []step) *Chain {
	c := &Chain{names: make([]string, 0, len(steps))}
	for _, s := range steps {
		c.names = append(c.names, s.name())
		if r, ok := s.(requestStep); ok {
			c.requests = append(c.requests, r)
		}
		if b, ok := s.(bodyStep); ok {
			c.bodies = append(c.bodies, b)
		}
		if h, ok := s.(headerStep); ok {
			c.headers = append(c.headers, h)
		}
	}
	for i := len(steps) - 1; i >= 0; i-- {
		if r, ok := steps[i].(responseStep); ok {
			c.responses = append(c.responses, r)
		}
		if st, ok := steps[i].(streamStep); ok {
			c.streams = append(c.streams, st)
		}
	}
	return c
}

// Empty reports whether the chain has no steps, so the proxy can skip it.
func (c *Chain) Empty() bool { return c == nil || len(c.names) == 0 }

// Names lists the chain's steps in configured order, for the request log.
// The slice is shared: do not modify it.
func (c *Chain) Names() []string {
	if c == nil {
		return nil
	}
	return c.names
}

// NeedsDecode reports whether a step works on the neutral Request,
// Response or Events. The proxy must then decode the exchange even when
// client and channel speak the same format, which it otherwise passes
// through byte for byte. Body and header steps do not need it.
func (c *Chain) NeedsDecode() bool {
	return c != nil && (len(c.requests) > 0 || len(c.responses) > 0 || len(c.streams) > 0)
}

// Request applies the request steps to req, in configured order.
func (c *Chain) Request(req *protocol.Request) {
	if c == nil {
		return
	}
	for _, s := range c.requests {
		s.request(req)
	}
}

// Body applies the body-level steps (customparams, streamoptions) to the
// encoded upstream body of format f, in configured order, and returns the
// new body. The body is returned unchanged, without copying, when no step
// changes it. An error means the body is not a JSON object a step can
// patch.
func (c *Chain) Body(f protocol.Format, body []byte) ([]byte, error) {
	if c == nil {
		return body, nil
	}
	var err error
	for _, s := range c.bodies {
		if body, err = s.body(f, body); err != nil {
			return nil, err
		}
	}
	return body, nil
}

// Headers applies the header steps to the upstream request headers, in
// configured order.
func (c *Chain) Headers(h http.Header) {
	if c == nil {
		return
	}
	for _, s := range c.headers {
		s.headers(h)
	}
}

// Response applies the response steps to resp, in reverse order.
func (c *Chain) Response(resp *protocol.Response) {
	if c == nil {
		return
	}
	for _, s := range c.responses {
		s.response(resp)
	}
}
