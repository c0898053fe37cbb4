package anthropic

import (
	"fmt"
	"strings"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/tidwall/gjson"
)

// streamDecoder turns an upstream Anthropic SSE stream into neutral events.
// Blocks the neutral model cannot carry (server_tool_use,
// web_search_tool_result and other server-side blocks, which Anthropic has
// already run) are skipped together with their deltas and stops, and the
// remaining blocks are renumbered 0,1,2… Not safe for concurrent use.
type streamDecoder struct {
	started bool
	stopped bool // EventStop emitted
	done    bool // EventEnd or EventError emitted
	next    int  // next neutral index
	usage   protocol.Usage
	blocks  []decBlock
}

// decBlock maps an upstream index to a neutral one (-1: skipped).
type decBlock struct {
	upstream int64
	neutral  int
	typ      protocol.BlockType
	open     bool
}

func newStreamDecoder() *streamDecoder { return &streamDecoder{} }

// Decode converts one SSE event. Malformed data and deltas that do not fit
// their block are errors; event types it does not know are ignored, so
// that new ones Anthropic adds do not break streams.
func (d *streamDecoder) Decode(ev protocol.SSEEvent) ([]protocol.Event, error) {
	if d.done {
		return nil, nil
	}
	data := strings.TrimSpace(string(ev.Data))
	if data == "" {
		if ev.Event == "ping" {
			return []protocol.Event{{Type: protocol.EventPing}}, nil
		}
		return nil, nil
	}
	if !gjson.Valid(data) {
		return nil, fmt.Errorf("anthropic stream: %s event data is not valid JSON", eventName(ev))
	}
	root := gjson.Parse(data)
	typ := root.Get("type").String()
	if typ == "" {
		typ = ev.Event
	}
	switch typ {
	case "message_start":
		return d.messageStart(root.Get("message"), ev.Data), nil
	case "content_block_start":
		return d.blockStart(root)
	case "content_block_delta":
		return d.delta(root)
	case "content_block_stop":
		return d.blockStop(root)
	case "message_delta":
		return d.messageDelta(root, ev.Data), nil
	case "message_stop":
		out := d.closeOpen(nil)
		if !d.stopped {
			out = append(out, d.stopEvent(protocol.StopEndTurn, ""))
		}
		d.done = true
		return append(out, protocol.Event{Type: protocol.EventEnd}), nil
	case "ping":
		return []protocol.Event{{Type: protocol.EventPing}}, nil
	case "error":
		d.done = true
		e := root.Get("error")
		msg := e.Get("message").String()
		if msg == "" {
			msg = "upstream stream error"
		}
		return []protocol.Event{{Type: protocol.EventError, ErrorKind: errorKind(e.Get("type").String()), ErrorMessage: msg}}, nil
	}
	return nil, nil
}

// Finish closes the stream. When message_stop never came the reply may be
// cut short, so open blocks are stopped and an api_error ends the stream;
// when the stop reason had already come, the reply is whole and only
// message_stop was lost, so the stream ends normally.
func (d *streamDecoder) Finish() []protocol.Event {
	if d.done {
		return nil
	}
	d.done = true
	if d.stopped {
		return []protocol.Event{{Type: protocol.EventEnd}}
	}
	out := d.closeOpen(nil)
	return append(out, protocol.Event{
		Type: protocol.EventError, ErrorKind: protocol.APIError, ErrorMessage: "upstream stream ended early",
	})
}

func (d *streamDecoder) messageStart(msg gjson.Result, data []byte) []protocol.Event {
	if d.started {
		return nil
	}
	d.started = true
	if u, ok := ReadUsage(data); ok {
		MergeUsage(&d.usage, u)
	}
	u := d.usage
	return []protocol.Event{{
		Type: protocol.EventStart, ID: msg.Get("id").String(), Model: msg.Get("model").String(), Usage: &u,
	}}
}

// startIfNeeded supplies a start event for an upstream that skipped it.
func (d *streamDecoder) startIfNeeded(out []protocol.Event) []protocol.Event {
	if d.started {
		return out
	}
	d.started = true
	u := d.usage
	return append(out, protocol.Event{Type: protocol.EventStart, Usage: &u})
}

func (d *streamDecoder) find(upstream int64) int {
	for i := len(d.blocks) - 1; i >= 0; i-- {
		if d.blocks[i].upstream == upstream {
			return i
		}
	}
	return -1
}

func (d *streamDecoder) blockStart(root gjson.Result) ([]protocol.Event, error) {
	idx := root.Get("index")
	if idx.Type != gjson.Number {
		return nil, fmt.Errorf("anthropic stream: content_block_start without a numeric index")
	}
	if d.stopped {
		return nil, nil
	}
	cb := root.Get("content_block")
	b := &protocol.Block{Type: protocol.BlockType(cb.Get("type").String())}
	switch b.Type {
	case protocol.BlockText, protocol.BlockThinking:
	case protocol.BlockToolUse:
		b.ID, b.Name = cb.Get("id").String(), cb.Get("name").String()
	case protocol.BlockRedactedThinking:
		b.Data = cb.Get("data").String()
	default:
		d.blocks = append(d.blocks, decBlock{upstream: idx.Int(), neutral: -1})
		return nil, nil
	}
	out := d.startIfNeeded(nil)
	if i := d.find(idx.Int()); i >= 0 && d.blocks[i].open {
		out = d.closeOne(out, i) // a reused index closes the old block
	}
	n := d.next
	d.next++
	d.blocks = append(d.blocks, decBlock{upstream: idx.Int(), neutral: n, typ: b.Type, open: true})
	out = append(out, protocol.Event{Type: protocol.EventBlockStart, Index: n, Block: b})
	// Anthropic starts blocks empty; anything already there goes on as a
	// delta, so consumers read content from deltas only.
	add := func(t protocol.DeltaType, s string) {
		if s != "" {
			out = append(out, protocol.Event{Type: protocol.EventDelta, Index: n, Delta: t, Text: s})
		}
	}
	switch b.Type {
	case protocol.BlockText:
		add(protocol.DeltaText, cb.Get("text").String())
	case protocol.BlockThinking:
		add(protocol.DeltaThinking, cb.Get("thinking").String())
		add(protocol.DeltaSignature, cb.Get("signature").String())
	case protocol.BlockToolUse:
		if in := cb.Get("input"); in.IsObject() && len(in.Map()) > 0 {
			add(protocol.DeltaJSON, in.Raw)
		}
	}
	return out, nil
}

func (d *streamDecoder) delta(root gjson.Result) ([]protocol.Event, error) {
	idx := root.Get("index")
	i := d.find(idx.Int())
	if idx.Type != gjson.Number || i < 0 {
		return nil, fmt.Errorf("anthropic stream: content_block_delta for index %s, which was never started", idx.Raw)
	}
	blk := d.blocks[i]
	if blk.neutral < 0 || !blk.open {
		return nil, nil // a skipped server block, or a late delta
	}
	delta := root.Get("delta")
	var t protocol.DeltaType
	var text string
	switch dt := delta.Get("type").String(); dt {
	case "text_delta":
		t, text = protocol.DeltaText, delta.Get("text").String()
	case "input_json_delta":
		t, text = protocol.DeltaJSON, delta.Get("partial_json").String()
	case "thinking_delta":
		t, text = protocol.DeltaThinking, delta.Get("thinking").String()
	case "signature_delta":
		t, text = protocol.DeltaSignature, delta.Get("signature").String()
	default:
		return nil, nil // citations_delta and types added later carry nothing we keep
	}
	if !deltaFits(blk.typ, t) {
		return nil, fmt.Errorf("anthropic stream: %s for a %s block at index %d", t, blk.typ, idx.Int())
	}
	if text == "" {
		return nil, nil
	}
	return []protocol.Event{{Type: protocol.EventDelta, Index: blk.neutral, Delta: t, Text: text}}, nil
}

func (d *streamDecoder) blockStop(root gjson.Result) ([]protocol.Event, error) {
	idx := root.Get("index")
	i := d.find(idx.Int())
	if idx.Type != gjson.Number || i < 0 {
		return nil, fmt.Errorf("anthropic stream: content_block_stop for index %s, which was never started", idx.Raw)
	}
	if d.blocks[i].neutral < 0 || !d.blocks[i].open {
		return nil, nil
	}
	return d.closeOne(nil, i), nil
}

func (d *streamDecoder) closeOne(out []protocol.Event, i int) []protocol.Event {
	d.blocks[i].open = false
	return append(out, protocol.Event{Type: protocol.EventBlockStop, Index: d.blocks[i].neutral})
}

func (d *streamDecoder) closeOpen(out []protocol.Event) []protocol.Event {
	for i := range d.blocks {
		if d.blocks[i].neutral >= 0 && d.blocks[i].open {
			out = d.closeOne(out, i)
		}
	}
	return out
}

func (d *streamDecoder) messageDelta(root gjson.Result, data []byte) []protocol.Event {
	if d.stopped {
		return nil
	}
	if u, ok := ReadUsage(data); ok {
		MergeUsage(&d.usage, u)
	}
	out := d.startIfNeeded(nil)
	out = d.closeOpen(out)
	delta := root.Get("delta")
	reason := protocol.StopReason(delta.Get("stop_reason").String())
	if reason == "" {
		reason = protocol.StopEndTurn
	}
	return append(out, d.stopEvent(reason, delta.Get("stop_sequence").String()))
}

func (d *streamDecoder) stopEvent(reason protocol.StopReason, seq string) protocol.Event {
	d.stopped = true
	u := d.usage
	return protocol.Event{Type: protocol.EventStop, StopReason: reason, StopSequence: seq, Usage: &u}
}

func eventName(ev protocol.SSEEvent) string {
	if ev.Event == "" {
		return "an"
	}
	return "the " + ev.Event
}
