package responses

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// streamItem is one output item of the upstream stream.
type streamItem struct {
	typ        string // message, reasoning, function_call, custom_tool_call
	id         string // the item's id: a reasoning item's encrypted content is bound to it
	callID     string
	name       string
	block      int  // neutral block index, once opened
	opened     bool // its block was opened
	closed     bool
	sent       bool // some content went out (text, summary, arguments)
	args       []byte
	summaryIdx int // last reasoning summary part seen
}

// streamDecoder turns a Responses event stream into neutral events. Output
// items stream one after another, so each becomes one neutral block, opened
// when its content begins (an empty reasoning item makes no block) and
// closed at its output_item.done. Not safe for concurrent use.
type streamDecoder struct {
	started, ended bool
	id             string
	items          map[int]*streamItem
	open           *streamItem
	next           int // next neutral block index
	toolCalls      bool
}

func newStreamDecoder() *streamDecoder { return &streamDecoder{items: map[int]*streamItem{}} }

// Decode handles one SSE event of the upstream stream.
func (d *streamDecoder) Decode(ev protocol.SSEEvent) ([]protocol.Event, error) {
	if d.ended {
		return nil, nil
	}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 || bytes.Equal(data, []byte("[DONE]")) {
		return nil, nil
	}
	var e StreamEvent
	if err := json.Unmarshal(data, &e); err != nil {
		if ev.Event == "error" || bytes.Contains(data, []byte(`"error"`)) {
			return d.fail(protocol.APIError, protocol.UpstreamMessage(data)), nil
		}
		return nil, fmt.Errorf("invalid upstream stream event: %w", err)
	}
	if e.Type == "" {
		e.Type = ev.Event
	}
	var out []protocol.Event
	if !d.started && e.Type != "error" {
		d.started = true
		start := protocol.Event{Type: protocol.EventStart}
		if r := e.Response; r != nil {
			d.id = r.ID
			start.ID, start.Model = r.ID, r.Model
			if u, ok := ReadUsage(data); ok {
				start.Usage = &u
			}
		}
		out = append(out, start)
	}
	switch e.Type {
	case "response.output_item.added":
		if e.Item != nil && e.OutputIndex != nil {
			out = d.added(out, *e.OutputIndex, e.Item)
		}
	case "response.output_text.delta", "response.refusal.delta":
		out = d.text(out, e.OutputIndex, deltaString(e.Delta))
	case "response.output_text.done":
		if it := d.item(e.OutputIndex); it != nil && !it.sent {
			out = d.text(out, e.OutputIndex, e.Text)
		}
	case "response.reasoning_summary_part.added":
		if it := d.item(e.OutputIndex); it != nil && it.typ == "reasoning" && e.SummaryIndex > it.summaryIdx {
			it.summaryIdx = e.SummaryIndex
			if it.sent {
				out = d.thinking(out, it, "\n\n")
			}
		}
	case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
		if it := d.item(e.OutputIndex); it != nil && it.typ == "reasoning" {
			out = d.thinking(out, it, deltaString(e.Delta))
		}
	case "response.function_call_arguments.delta":
		out = d.args(out, e.OutputIndex, deltaString(e.Delta))
	case "response.function_call_arguments.done":
		if it := d.item(e.OutputIndex); it != nil && !it.sent {
			out = d.args(out, e.OutputIndex, e.Arguments)
		}
	case "response.custom_tool_call_input.delta":
		out = d.customInput(out, e.OutputIndex, deltaString(e.Delta))
	case "response.custom_tool_call_input.done":
		if it := d.item(e.OutputIndex); it != nil && !it.sent {
			out = d.customInput(out, e.OutputIndex, e.Input)
		}
	case "response.output_item.done":
		if e.Item != nil && e.OutputIndex != nil {
			out = d.itemDone(out, *e.OutputIndex, e.Item)
		}
	case "response.completed", "response.incomplete":
		out = d.end(out, e.Response, data)
	case "response.failed":
		kind, msg := protocol.APIError, "the upstream response failed"
		if r := e.Response; r != nil && r.Error != nil {
			kind, msg = errorKind(r.Error.Code), r.Error.Message
		}
		out = append(out, d.fail(kind, msg)...)
	case "error":
		out = append(out, d.fail(eventError(&e, data))...)
	}
	return out, nil
}

// deltaString reads a delta that is a JSON string; other shapes (hosted
// tools' objects) give "".
func deltaString(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// eventError reads an error event, flat or nested.
func eventError(e *StreamEvent, data []byte) (protocol.ErrorKind, string) {
	code, msg := strings.Trim(string(e.Code), `"`), e.Message
	if e.Error != nil {
		if msg == "" {
			msg = e.Error.Message
		}
		if code == "" || code == "null" {
			code = strings.Trim(string(e.Error.Code), `"`)
		}
		if code == "" || code == "null" {
			code = e.Error.Type
		}
	}
	if msg == "" {
		msg = protocol.UpstreamMessage(data)
	}
	return errorKind(code), msg
}

func (d *streamDecoder) item(idx *int) *streamItem {
	if idx == nil {
		return nil
	}
	return d.items[*idx]
}

// added notes a new output item and opens the blocks that start at once:
// tool calls (their ID and name come first). Text and reasoning open with
// their first content.
func (d *streamDecoder) added(out []protocol.Event, idx int, item *Item) []protocol.Event {
	if _, seen := d.items[idx]; seen {
		return out
	}
	it := &streamItem{typ: item.Type, id: item.ID, callID: item.CallID, name: item.Name}
	d.items[idx] = it
	switch item.Type {
	case "function_call", "custom_tool_call":
		if it.callID == "" {
			it.callID = callID(d.id, idx)
		}
		out = d.openBlock(out, it, &protocol.Block{Type: protocol.BlockToolUse, ID: it.callID, Name: it.name})
		d.toolCalls = true
		if item.Type == "custom_tool_call" {
			out = d.delta(out, it, protocol.DeltaJSON, `{"`+protocol.FreeformField+`":"`)
		}
		// Arguments an added item already holds are not sent here: the
		// deltas that follow carry them again. A server that sends none
		// has them sent from the done events.
	}
	return out
}

// openBlock closes any other open item's block and opens its own.
func (d *streamDecoder) openBlock(out []protocol.Event, it *streamItem, b *protocol.Block) []protocol.Event {
	out = d.closeOpen(out)
	it.opened, it.block = true, d.next
	d.next++
	d.open = it
	return append(out, protocol.Event{Type: protocol.EventBlockStart, Index: it.block, Block: b})
}

func (d *streamDecoder) delta(out []protocol.Event, it *streamItem, dt protocol.DeltaType, text string) []protocol.Event {
	if text == "" || d.open != it {
		return out
	}
	return append(out, protocol.Event{Type: protocol.EventDelta, Index: it.block, Delta: dt, Text: text})
}

// text adds message text, opening the message's text block first.
func (d *streamDecoder) text(out []protocol.Event, idx *int, text string) []protocol.Event {
	it := d.item(idx)
	if it == nil {
		if idx == nil {
			return out
		}
		it = &streamItem{typ: "message"}
		d.items[*idx] = it
	}
	if text == "" || it.closed || it.typ != "message" {
		return out
	}
	if !it.opened {
		out = d.openBlock(out, it, &protocol.Block{Type: protocol.BlockText})
	}
	it.sent = true
	return d.delta(out, it, protocol.DeltaText, text)
}

// thinking adds reasoning text, opening the thinking block first.
func (d *streamDecoder) thinking(out []protocol.Event, it *streamItem, text string) []protocol.Event {
	if text == "" || it.closed {
		return out
	}
	if !it.opened {
		out = d.openBlock(out, it, &protocol.Block{Type: protocol.BlockThinking, ID: it.id})
	}
	it.sent = true
	return d.delta(out, it, protocol.DeltaThinking, text)
}

// args adds a piece of a function call's arguments.
func (d *streamDecoder) args(out []protocol.Event, idx *int, piece string) []protocol.Event {
	it := d.item(idx)
	if it == nil || it.typ != "function_call" || it.closed || piece == "" {
		return out
	}
	it.sent = true
	it.args = append(it.args, piece...)
	return d.delta(out, it, protocol.DeltaJSON, piece)
}

// customInput adds a piece of a custom tool call's free text, as the
// escaped inside of the neutral input's string field.
func (d *streamDecoder) customInput(out []protocol.Event, idx *int, piece string) []protocol.Event {
	it := d.item(idx)
	if it == nil || it.typ != "custom_tool_call" || it.closed || piece == "" {
		return out
	}
	it.sent = true
	quoted := protocol.AppendJSONString(nil, piece)
	return d.delta(out, it, protocol.DeltaJSON, string(quoted[1:len(quoted)-1]))
}

// itemDone closes an item's block, sending first whatever the item holds
// that no delta carried (servers that send whole items only), and a
// reasoning item's encrypted content.
func (d *streamDecoder) itemDone(out []protocol.Event, idx int, item *Item) []protocol.Event {
	it := d.items[idx]
	if it == nil {
		out = d.added(out, idx, item)
		it = d.items[idx]
	}
	if it.closed {
		return out
	}
	switch item.Type {
	case "message":
		if !it.sent {
			if b, ok := outputBlock(item, d.id, idx); ok {
				out = d.text(out, &idx, b.Text)
			}
		}
	case "reasoning":
		b, ok := reasoningBlock(item)
		if !ok {
			break
		}
		if !it.sent && b.Thinking != "" {
			out = d.thinking(out, it, b.Thinking)
		}
		if b.Type == protocol.BlockRedactedThinking {
			if !it.opened {
				out = d.openBlock(out, it, &protocol.Block{Type: protocol.BlockRedactedThinking, Data: b.Data})
			}
			break
		}
		if it.id == "" {
			it.id = b.ID // a server that named the item only when done
		}
		if !it.opened && (b.Encrypted != "" || b.Signature != "") {
			out = d.openBlock(out, it, &protocol.Block{Type: protocol.BlockThinking, ID: it.id})
		}
		out = d.delta(out, it, protocol.DeltaEncrypted, b.Encrypted)
		out = d.delta(out, it, protocol.DeltaSignature, b.Signature)
	case "function_call":
		if !it.sent {
			out = d.args(out, &idx, string(item.Arguments))
		}
	case "custom_tool_call":
		if !it.sent {
			out = d.customInput(out, &idx, item.Input)
		}
	}
	if d.open == it {
		out = d.closeOpen(out)
	}
	it.closed = true
	return out
}

// closeOpen stops the open block, completing a function call's arguments
// when they are not valid JSON (rule 13) and a custom call's string.
func (d *streamDecoder) closeOpen(out []protocol.Event) []protocol.Event {
	it := d.open
	if it == nil {
		return out
	}
	switch it.typ {
	case "function_call":
		if len(it.args) == 0 {
			out = d.delta(out, it, protocol.DeltaJSON, "{}")
		} else if !json.Valid(it.args) {
			fixed, _ := protocol.RepairJSON(string(it.args))
			if rest, ok := strings.CutPrefix(string(fixed), string(it.args)); ok && rest != "" {
				out = d.delta(out, it, protocol.DeltaJSON, rest)
			}
		}
	case "custom_tool_call":
		out = d.delta(out, it, protocol.DeltaJSON, `"}`)
	}
	it.closed = true
	d.open = nil
	return append(out, protocol.Event{Type: protocol.EventBlockStop, Index: it.block})
}

// end closes the stream from a completed or incomplete response.
func (d *streamDecoder) end(out []protocol.Event, r *Response, data []byte) []protocol.Event {
	out = d.closeOpen(out)
	d.ended = true
	var usage protocol.Usage
	status, reason := "completed", ""
	if r != nil {
		usage, _ = ReadUsage(data)
		status = r.Status
		if r.IncompleteDetails != nil {
			reason = r.IncompleteDetails.Reason
		}
	}
	return append(out,
		protocol.Event{Type: protocol.EventStop, StopReason: stopReason(status, reason, d.toolCalls), Usage: &usage},
		protocol.Event{Type: protocol.EventEnd})
}

// fail ends the stream with an error (rule 19).
func (d *streamDecoder) fail(kind protocol.ErrorKind, msg string) []protocol.Event {
	d.ended = true
	return []protocol.Event{{Type: protocol.EventError, ErrorKind: kind, ErrorMessage: msg}}
}

// Finish ends the stream. A stream cut before its response.completed ends
// with an error, since the reply is incomplete.
func (d *streamDecoder) Finish() []protocol.Event {
	if d.ended {
		return nil
	}
	d.ended = true
	return []protocol.Event{{Type: protocol.EventError, ErrorKind: protocol.APIError, ErrorMessage: "upstream stream ended early"}}
}
