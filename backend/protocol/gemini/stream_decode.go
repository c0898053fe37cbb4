package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/routex-app/routex/backend/protocol"
)

// streamDecoder turns Gemini SSE chunks into neutral events. Gemini sends
// whole GenerateContentResponses: text arrives in pieces, function calls
// arrive whole, usage is cumulative and the finishReason comes on the last
// content chunk. Not safe for concurrent use.
type streamDecoder struct {
	started bool
	id      string
	model   string

	open     protocol.BlockType // type of the open text or thinking block, "" if none
	index    int                // index of the open block
	next     int                // index the next block gets
	calls    int
	finish   string
	finished bool
	errored  bool
	usage    protocol.Usage
	hasUsage bool
}

// Decode handles one SSE event.
func (d *streamDecoder) Decode(ev protocol.SSEEvent) ([]protocol.Event, error) {
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 || bytes.Equal(data, []byte("[DONE]")) || d.errored {
		return nil, nil
	}
	var chunk GenerateContentResponse
	if err := json.Unmarshal(data, &chunk); err != nil {
		return nil, fmt.Errorf("gemini stream chunk is not valid JSON: %w", err)
	}
	if chunk.Error != nil {
		d.errored = true
		return []protocol.Event{{
			Type:         protocol.EventError,
			ErrorKind:    streamErrorKind(chunk.Error.Code),
			ErrorMessage: chunk.Error.Message,
		}}, nil
	}
	var out []protocol.Event
	if chunk.ResponseID != "" && d.id == "" {
		d.id = chunk.ResponseID
	}
	if chunk.ModelVersion != "" {
		d.model = chunk.ModelVersion
	}
	if chunk.UsageMetadata != nil {
		d.usage, d.hasUsage = ReadUsage(data)
	}
	if !d.started {
		d.started = true
		start := protocol.Event{Type: protocol.EventStart, ID: d.id, Model: d.model}
		if d.hasUsage {
			u := d.usage
			start.Usage = &u
		}
		out = append(out, start)
	}
	if chunk.PromptFeedback != nil && chunk.PromptFeedback.BlockReason != "" && len(chunk.Candidates) == 0 {
		d.finish, d.finished = "SAFETY", true
	}
	if len(chunk.Candidates) == 0 {
		return out, nil
	}
	cand := chunk.Candidates[0]
	if cand.Content != nil {
		for _, p := range cand.Content.Parts {
			out = d.part(out, p)
		}
	}
	if cand.FinishReason != "" {
		out = d.closeOpen(out)
		d.finish, d.finished = cand.FinishReason, true
	}
	return out, nil
}

func (d *streamDecoder) part(out []protocol.Event, p Part) []protocol.Event {
	switch {
	case p.FunctionCall != nil:
		out = d.closeOpen(out)
		id := p.FunctionCall.ID
		if id == "" {
			id = callID(d.id, d.calls)
		}
		d.calls++
		idx := d.next
		d.next++
		args := objectOrEmpty(p.FunctionCall.Args)
		return append(out,
			protocol.Event{Type: protocol.EventBlockStart, Index: idx, Block: &protocol.Block{
				Type: protocol.BlockToolUse, ID: id, Name: p.FunctionCall.Name, Signature: p.ThoughtSignature,
			}},
			protocol.Event{Type: protocol.EventDelta, Index: idx, Delta: protocol.DeltaJSON, Text: string(args)},
			protocol.Event{Type: protocol.EventBlockStop, Index: idx},
		)
	case p.Thought:
		out = d.ensureOpen(out, protocol.BlockThinking)
		if p.Text != "" {
			out = append(out, protocol.Event{Type: protocol.EventDelta, Index: d.index, Delta: protocol.DeltaThinking, Text: p.Text})
		}
		if p.ThoughtSignature != "" {
			out = append(out, protocol.Event{Type: protocol.EventDelta, Index: d.index, Delta: protocol.DeltaSignature, Text: p.ThoughtSignature})
		}
		return out
	case p.Text != "":
		// A signature on a text part has no neutral stream form and is
		// dropped: Gemini only requires signatures back on function calls.
		out = d.ensureOpen(out, protocol.BlockText)
		return append(out, protocol.Event{Type: protocol.EventDelta, Index: d.index, Delta: protocol.DeltaText, Text: p.Text})
	}
	return out
}

// ensureOpen keeps one block of type t open, closing another kind first.
func (d *streamDecoder) ensureOpen(out []protocol.Event, t protocol.BlockType) []protocol.Event {
	if d.open == t {
		return out
	}
	out = d.closeOpen(out)
	d.open, d.index = t, d.next
	d.next++
	return append(out, protocol.Event{Type: protocol.EventBlockStart, Index: d.index, Block: &protocol.Block{Type: t}})
}

func (d *streamDecoder) closeOpen(out []protocol.Event) []protocol.Event {
	if d.open == "" {
		return out
	}
	d.open = ""
	return append(out, protocol.Event{Type: protocol.EventBlockStop, Index: d.index})
}

// Finish ends the stream: the stop event with the last usage and the end
// event, or an error when Gemini's stream stopped before a finishReason.
func (d *streamDecoder) Finish() []protocol.Event {
	if d.errored {
		return nil
	}
	if !d.finished {
		d.errored = true
		return []protocol.Event{{Type: protocol.EventError, ErrorKind: protocol.APIError, ErrorMessage: "upstream stream ended early"}}
	}
	out := d.closeOpen(nil)
	reason := stopReason(d.finish)
	if d.calls > 0 {
		reason = protocol.StopToolUse
	}
	u := d.usage
	return append(out,
		protocol.Event{Type: protocol.EventStop, StopReason: reason, Usage: &u},
		protocol.Event{Type: protocol.EventEnd},
	)
}

// streamErrorKind names the error of an in-stream Gemini error chunk.
func streamErrorKind(code int) protocol.ErrorKind {
	switch code {
	case 429:
		return protocol.RateLimit
	case 503, 529:
		return protocol.Overloaded
	}
	return protocol.APIError
}
