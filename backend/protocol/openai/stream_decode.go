package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// openKind is what the currently open neutral block holds.
type openKind int

const (
	openNone openKind = iota
	openThinking
	openText
	openTool
)

// streamCall is one tool call of the stream, by its index in the chunks.
type streamCall struct {
	id, name string
	pending  []byte // arguments received while another block was open
	args     []byte // arguments sent so far, to tell when they are complete
	opened   bool
	closed   bool
}

// streamDecoder turns Chat Completions chunks into neutral events. Neutral
// blocks cannot interleave, so when an upstream streams several tool calls
// at once, the calls that are not the open block are buffered and sent when
// their block opens. Not safe for concurrent use.
type streamDecoder struct {
	started, finished, ended bool
	open                     openKind
	openCall                 int // chunk index of the open tool call
	next                     int // next neutral block index
	calls                    map[int]*streamCall
	finish                   string
	toolCalls                bool
	usage                    protocol.Usage
}

func newStreamDecoder() *streamDecoder {
	return &streamDecoder{calls: map[int]*streamCall{}}
}

var doneMarker = []byte("[DONE]")

// Decode handles one SSE event of the upstream stream. Lines after
// finish_reason are still read (docs/CONVERSION.md, rule 17): the usage chunk comes after it.
func (d *streamDecoder) Decode(ev protocol.SSEEvent) ([]protocol.Event, error) {
	if d.ended {
		return nil, nil
	}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		return nil, nil // keep-alive
	}
	if bytes.Equal(data, doneMarker) {
		return d.end(nil), nil
	}
	var c ChatCompletion
	if err := json.Unmarshal(data, &c); err != nil {
		if ev.Event == "error" || bytes.Contains(data, []byte(`"error"`)) {
			return d.fail(nil, data), nil // an error in a shape of its own
		}
		return nil, fmt.Errorf("invalid upstream stream chunk: %w", err)
	}
	if c.Error != nil || ev.Event == "error" {
		return d.fail(c.Error, data), nil
	}
	var out []protocol.Event
	if !d.started {
		d.started = true
		out = append(out, protocol.Event{Type: protocol.EventStart, ID: c.ID, Model: c.Model})
	}
	if u, ok := ReadUsage(data); ok { // top-level, or Moonshot's in choices[0]
		d.usage = u
	}
	if len(c.Choices) == 0 {
		return out, nil
	}
	ch := c.Choices[0]
	if delta := ch.Delta; delta != nil && !d.finished {
		reasoning := delta.ReasoningContent
		if reasoning == nil {
			reasoning = delta.Reasoning
		}
		if reasoning != nil && *reasoning != "" {
			out = d.appendText(out, openThinking, *reasoning)
		}
		if text := delta.Content.String(); text != "" {
			out = d.appendText(out, openText, text)
		}
		for _, tc := range delta.ToolCalls {
			out = d.appendCall(out, tc)
		}
	}
	if ch.FinishReason != nil && *ch.FinishReason != "" && !d.finished {
		d.finished = true
		d.finish = *ch.FinishReason
		out = d.closeAll(out)
	}
	return out, nil
}

// appendText adds reasoning or text, opening a block of that kind first
// when another kind is open.
func (d *streamDecoder) appendText(out []protocol.Event, kind openKind, text string) []protocol.Event {
	if d.open != kind {
		out = d.closeOpen(out)
		b := &protocol.Block{Type: protocol.BlockText}
		if kind == openThinking {
			b.Type = protocol.BlockThinking
		}
		out = d.openBlock(out, kind, b)
	}
	dt := protocol.DeltaText
	if kind == openThinking {
		dt = protocol.DeltaThinking
	}
	return append(out, protocol.Event{Type: protocol.EventDelta, Index: d.next - 1, Delta: dt, Text: text})
}

// appendCall adds one tool call delta.
func (d *streamDecoder) appendCall(out []protocol.Event, tc ToolCall) []protocol.Event {
	d.toolCalls = true
	idx := len(d.calls) // servers that omit index send one call at a time
	if tc.Index != nil {
		idx = *tc.Index
	} else if d.open == openTool && (tc.ID == "" || tc.ID == d.calls[d.openCall].id) {
		idx = d.openCall
	}
	call := d.calls[idx]
	if call == nil {
		call = &streamCall{}
		d.calls[idx] = call
	}
	if call.id == "" {
		call.id = tc.ID
	}
	if call.name == "" {
		call.name = tc.Function.Name
	}
	args := string(tc.Function.Arguments)
	switch {
	case call.closed:
		return out // a late piece for a finished block cannot be sent
	case call.opened:
		call.args = append(call.args, args...)
		return append(out, protocol.Event{Type: protocol.EventDelta, Index: d.next - 1, Delta: protocol.DeltaJSON, Text: args})
	}
	call.pending = append(call.pending, args...)
	// Open this call's block unless another call is still streaming: one
	// whose arguments are not yet a complete JSON value.
	if call.name == "" || (d.open == openTool && !json.Valid(d.calls[d.openCall].args)) {
		return out
	}
	out = d.closeOpen(out)
	return d.openCallBlock(out, idx, call)
}

// openCallBlock opens a tool_use block and sends its buffered arguments.
func (d *streamDecoder) openCallBlock(out []protocol.Event, idx int, call *streamCall) []protocol.Event {
	if call.id == "" {
		call.id = newID("call_")
	}
	out = d.openBlock(out, openTool, &protocol.Block{Type: protocol.BlockToolUse, ID: call.id, Name: call.name})
	d.openCall = idx
	call.opened = true
	if len(call.pending) > 0 {
		call.args = append(call.args, call.pending...)
		out = append(out, protocol.Event{Type: protocol.EventDelta, Index: d.next - 1, Delta: protocol.DeltaJSON, Text: string(call.pending)})
		call.pending = nil
	}
	return out
}

func (d *streamDecoder) openBlock(out []protocol.Event, kind openKind, b *protocol.Block) []protocol.Event {
	d.open = kind
	d.next++
	return append(out, protocol.Event{Type: protocol.EventBlockStart, Index: d.next - 1, Block: b})
}

func (d *streamDecoder) closeOpen(out []protocol.Event) []protocol.Event {
	if d.open == openNone {
		return out
	}
	if d.open == openTool {
		call := d.calls[d.openCall]
		call.closed = true
		out = completeArgs(out, d.next-1, call.args)
	}
	d.open = openNone
	return append(out, protocol.Event{Type: protocol.EventBlockStop, Index: d.next - 1})
}

// completeArgs ends a call whose arguments are not valid JSON (cut by
// max_tokens, or no arguments at all) with the piece that makes them valid,
// when repair only needs to append (docs/CONVERSION.md, rule 13): the client parses the pieces
// it was sent, which cannot be taken back.
func completeArgs(out []protocol.Event, index int, args []byte) []protocol.Event {
	if json.Valid(args) {
		return out
	}
	fixed, _ := protocol.RepairJSON(string(args))
	if rest, ok := strings.CutPrefix(string(fixed), string(args)); ok && rest != "" {
		out = append(out, protocol.Event{Type: protocol.EventDelta, Index: index, Delta: protocol.DeltaJSON, Text: rest})
	}
	return out
}

// closeAll stops the open block and sends every buffered call, in index
// order, each as a whole block.
func (d *streamDecoder) closeAll(out []protocol.Event) []protocol.Event {
	out = d.closeOpen(out)
	var waiting []int
	for idx, c := range d.calls {
		if !c.opened {
			waiting = append(waiting, idx)
		}
	}
	sort.Ints(waiting)
	for _, idx := range waiting {
		c := d.calls[idx]
		if c.name == "" {
			c.name = "unknown_tool_" + strconv.Itoa(idx)
		}
		out = d.openCallBlock(out, idx, c)
		out = d.closeOpen(out)
	}
	return out
}

// end closes the stream cleanly: blocks stopped, stop reason and usage,
// end of message.
func (d *streamDecoder) end(out []protocol.Event) []protocol.Event {
	if !d.started {
		out = append(out, protocol.Event{Type: protocol.EventStart})
		d.started = true
	}
	out = d.closeAll(out)
	d.ended = true
	usage := d.usage
	return append(out,
		protocol.Event{Type: protocol.EventStop, StopReason: stopReason(d.finish, d.toolCalls), Usage: &usage},
		protocol.Event{Type: protocol.EventEnd},
	)
}

// fail turns an upstream error chunk into the stream's last event (docs/CONVERSION.md, rule 19).
func (d *streamDecoder) fail(e *APIError, data []byte) []protocol.Event {
	d.ended = true
	if e == nil {
		return []protocol.Event{{Type: protocol.EventError, ErrorKind: protocol.APIError, ErrorMessage: protocol.UpstreamMessage(data)}}
	}
	return []protocol.Event{{Type: protocol.EventError, ErrorKind: errorKind(e), ErrorMessage: e.Message}}
}

// errorKind reads an error chunk's type and code, which OpenAI and the
// compatible servers fill in different ways (a type name, an HTTP status
// as a number or a string).
func errorKind(e *APIError) protocol.ErrorKind {
	code := string(bytes.Trim(e.Code, `"`))
	if n, err := strconv.Atoi(code); err == nil && n >= 400 {
		return protocol.KindForStatus(n)
	}
	for _, s := range []string{e.Type, code} {
		switch s {
		case "invalid_request_error", "context_length_exceeded", "invalid_request":
			return protocol.InvalidRequest
		case "authentication_error", "invalid_api_key":
			return protocol.Authentication
		case "permission_error":
			return protocol.Permission
		case "not_found_error", "model_not_found":
			return protocol.NotFound
		case "rate_limit_error", "rate_limit_exceeded", "insufficient_quota", "tokens":
			return protocol.RateLimit
		case "overloaded_error", "server_overloaded", "overloaded":
			return protocol.Overloaded
		case "timeout":
			return protocol.Timeout
		}
	}
	return protocol.APIError
}

// Finish ends the stream. After [DONE] there is nothing left; after a
// finish_reason without [DONE] the stream still ends properly; a stream cut
// before either ends with an error, since the reply is incomplete.
func (d *streamDecoder) Finish() []protocol.Event {
	switch {
	case d.ended:
		return nil
	case d.finished:
		return d.end(nil)
	}
	d.ended = true
	return []protocol.Event{{Type: protocol.EventError, ErrorKind: protocol.APIError, ErrorMessage: "upstream stream ended early"}}
}
