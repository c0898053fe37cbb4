package anthropic

import (
	"strings"

	"github.com/routex-app/routex/backend/protocol"
)

// streamEncoder writes neutral events as an Anthropic SSE stream (docs/CONVERSION.md, rules 15
// and 19). It keeps the stream valid even when the events are not: a
// missing message_start is supplied, wire indexes are renumbered 0,1,2… in
// the order blocks open, a delta of the wrong type for its block or after
// its stop is dropped, open blocks are stopped before message_delta, and
// message_delta comes before message_stop. Nothing is written after
// message_stop or an error. Not safe for concurrent use.
type streamEncoder struct {
	opts      protocol.EncodeOptions
	id        string
	started   bool
	stopped   bool // message_delta written
	done      bool // message_stop or error written
	hasTool   bool
	inputSent int
	blocks    []encBlock
}

// encBlock is one block of the stream: its neutral index, its wire index,
// its type and whether it is still open; for a thinking block, the id of
// the reasoning item it came from, which its carried signature names.
type encBlock struct {
	neutral int
	typ     protocol.BlockType
	open    bool
	id      string
}

func newStreamEncoder(opts protocol.EncodeOptions) *streamEncoder {
	return &streamEncoder{opts: opts}
}

// Encode appends the wire form of ev to dst.
func (e *streamEncoder) Encode(dst []byte, ev protocol.Event) []byte {
	if e.done {
		return dst
	}
	switch ev.Type {
	case protocol.EventStart:
		if !e.started {
			dst = e.start(dst, ev)
		}
	case protocol.EventBlockStart:
		dst = e.blockStart(dst, ev)
	case protocol.EventDelta:
		dst = e.delta(dst, ev)
	case protocol.EventBlockStop:
		if i := e.find(ev.Index); i >= 0 && e.blocks[i].open {
			dst = e.blockStop(dst, i)
		}
	case protocol.EventStop:
		dst = e.stop(dst, ev)
	case protocol.EventEnd:
		if !e.stopped {
			dst = e.stop(dst, protocol.Event{Type: protocol.EventStop})
		}
		dst = append(dst, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"...)
		e.done = true
	case protocol.EventPing:
		dst = append(dst, "event: ping\ndata: {\"type\":\"ping\"}\n\n"...)
	case protocol.EventError:
		dst = appendError(dst, ev.ErrorKind, ev.ErrorMessage)
		e.done = true
	}
	return dst
}

// start writes message_start. input_tokens is the upstream's count or,
// when it reported none at all, Routex's estimate: Claude Code decides when
// to compact the conversation from it, so 0 must not be sent for a
// non-empty prompt (docs/CONVERSION.md, rule 15).
func (e *streamEncoder) start(dst []byte, ev protocol.Event) []byte {
	e.started = true
	model := e.opts.Model
	if model == "" {
		model = ev.Model
	}
	e.id = MessageID(ev.ID, model)
	var u protocol.Usage
	if ev.Usage != nil {
		u = *ev.Usage
	}
	if u.InputTokens == 0 && u.CacheReadTokens == 0 && u.CacheWriteTokens == 0 {
		u.InputTokens = e.opts.EstimatedInputTokens
	}
	e.inputSent = u.InputTokens
	dst = append(dst, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"...)
	dst = protocol.AppendJSONString(dst, e.id)
	dst = append(dst, `,"type":"message","role":"assistant","content":[],"model":`...)
	dst = protocol.AppendJSONString(dst, model)
	dst = append(dst, `,"stop_reason":null,"stop_sequence":null,"usage":{`...)
	dst = appendKey(dst, "input_tokens", true)
	dst = appendUsageTail(dst, u)
	return append(dst, "}}}\n\n"...)
}

// appendUsageTail writes the input count already keyed, then the cache
// and output counts.
func appendUsageTail(dst []byte, u protocol.Usage) []byte {
	dst = appendIntValue(dst, u.InputTokens)
	dst = appendInt(dst, "cache_creation_input_tokens", u.CacheWriteTokens)
	dst = appendInt(dst, "cache_read_input_tokens", u.CacheReadTokens)
	return appendInt(dst, "output_tokens", u.OutputTokens)
}

func (e *streamEncoder) ensureStarted(dst []byte) []byte {
	if e.started {
		return dst
	}
	return e.start(dst, protocol.Event{Type: protocol.EventStart})
}

func (e *streamEncoder) find(neutral int) int {
	for i := len(e.blocks) - 1; i >= 0; i-- {
		if e.blocks[i].neutral == neutral {
			return i
		}
	}
	return -1
}

// blockStart writes content_block_start with the empty block of its type,
// then whatever content the neutral block already carries as a delta.
func (e *streamEncoder) blockStart(dst []byte, ev protocol.Event) []byte {
	if e.stopped || ev.Block == nil {
		return dst
	}
	b := ev.Block
	switch b.Type {
	case protocol.BlockText, protocol.BlockToolUse, protocol.BlockThinking, protocol.BlockRedactedThinking:
	default:
		return dst // nothing else can stream to an Anthropic client
	}
	if i := e.find(ev.Index); i >= 0 && e.blocks[i].open {
		dst = e.blockStop(dst, i) // a reused index closes the old block
	}
	dst = e.ensureStarted(dst)
	wire := len(e.blocks)
	e.blocks = append(e.blocks, encBlock{neutral: ev.Index, typ: b.Type, open: true})
	if b.Type == protocol.BlockThinking {
		e.blocks[wire].id = b.ID
	}
	dst = append(dst, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":"...)
	dst = appendIntValue(dst, wire)
	dst = append(dst, `,"content_block":{"type":`...)
	switch b.Type {
	case protocol.BlockText:
		dst = append(dst, `"text","text":""}}`...)
	case protocol.BlockToolUse:
		e.hasTool = true
		dst = append(dst, `"tool_use","id":`...)
		dst = protocol.AppendJSONString(dst, protocol.JoinToolID(toolID(b.ID, e.id, wire), b.Signature))
		dst = append(dst, `,"name":`...)
		dst = protocol.AppendJSONString(dst, b.Name)
		dst = append(dst, `,"input":{}}}`...)
	case protocol.BlockThinking:
		dst = append(dst, `"thinking","thinking":"","signature":""}}`...)
	case protocol.BlockRedactedThinking:
		dst = append(dst, `"redacted_thinking","data":`...)
		dst = protocol.AppendJSONString(dst, b.Data)
		dst = append(dst, "}}"...)
	}
	dst = append(dst, "\n\n"...)
	switch b.Type {
	case protocol.BlockText:
		dst = e.appendDelta(dst, wire, protocol.DeltaText, b.Text)
	case protocol.BlockThinking:
		dst = e.appendDelta(dst, wire, protocol.DeltaThinking, b.Thinking)
		dst = e.appendDelta(dst, wire, protocol.DeltaSignature, carriedSignature(b))
	case protocol.BlockToolUse:
		if in := strings.TrimSpace(string(b.Input)); in != "" && in != "{}" {
			dst = e.appendDelta(dst, wire, protocol.DeltaJSON, in)
		}
	}
	return dst
}

// delta writes content_block_delta when its type fits its open block. A
// text or thinking delta for an index never opened opens that block.
func (e *streamEncoder) delta(dst []byte, ev protocol.Event) []byte {
	if e.stopped {
		return dst
	}
	i := e.find(ev.Index)
	if i < 0 {
		var typ protocol.BlockType
		switch ev.Delta {
		case protocol.DeltaText:
			typ = protocol.BlockText
		case protocol.DeltaThinking:
			typ = protocol.BlockThinking
		default:
			return dst
		}
		dst = e.blockStart(dst, protocol.Event{Type: protocol.EventBlockStart, Index: ev.Index, Block: &protocol.Block{Type: typ}})
		i = e.find(ev.Index)
	}
	if ev.Delta == protocol.DeltaEncrypted {
		// OpenAI's encrypted reasoning travels as the block's signature,
		// with the id of its reasoning item.
		ev.Delta, ev.Text = protocol.DeltaSignature, carriedSignature(&protocol.Block{ID: e.blocks[i].id, Encrypted: ev.Text})
	}
	if !e.blocks[i].open || !deltaFits(e.blocks[i].typ, ev.Delta) {
		return dst
	}
	return e.appendDelta(dst, i, ev.Delta, ev.Text)
}

// deltaFits reports whether a delta type belongs to a block type.
func deltaFits(typ protocol.BlockType, d protocol.DeltaType) bool {
	switch typ {
	case protocol.BlockText:
		return d == protocol.DeltaText
	case protocol.BlockToolUse:
		return d == protocol.DeltaJSON
	case protocol.BlockThinking:
		return d == protocol.DeltaThinking || d == protocol.DeltaSignature
	}
	return false
}

// appendDelta writes one content_block_delta; empty text writes nothing.
func (e *streamEncoder) appendDelta(dst []byte, wire int, d protocol.DeltaType, text string) []byte {
	if text == "" {
		return dst
	}
	dst = append(dst, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"...)
	dst = appendIntValue(dst, wire)
	dst = append(dst, `,"delta":{"type":"`...)
	dst = append(dst, d...)
	dst = append(dst, `",`...)
	switch d {
	case protocol.DeltaText:
		dst = append(dst, `"text":`...)
	case protocol.DeltaJSON:
		dst = append(dst, `"partial_json":`...)
	case protocol.DeltaThinking:
		dst = append(dst, `"thinking":`...)
	case protocol.DeltaSignature:
		dst = append(dst, `"signature":`...)
	}
	dst = protocol.AppendJSONString(dst, text)
	return append(dst, "}}\n\n"...)
}

func (e *streamEncoder) blockStop(dst []byte, wire int) []byte {
	e.blocks[wire].open = false
	dst = append(dst, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"...)
	dst = appendIntValue(dst, wire)
	return append(dst, "}\n\n"...)
}

// stop writes message_delta after stopping open blocks. Its input_tokens
// repeats what message_start said unless the upstream now reports more, so
// that a client taking the last value never sees 0.
func (e *streamEncoder) stop(dst []byte, ev protocol.Event) []byte {
	if e.stopped {
		return dst
	}
	dst = e.ensureStarted(dst)
	for i := range e.blocks {
		if e.blocks[i].open {
			dst = e.blockStop(dst, i)
		}
	}
	e.stopped = true
	var u protocol.Usage
	if ev.Usage != nil {
		u = *ev.Usage
	}
	if u.InputTokens == 0 && u.CacheReadTokens == 0 && u.CacheWriteTokens == 0 {
		u.InputTokens = e.inputSent
	}
	dst = append(dst, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"...)
	dst = protocol.AppendJSONString(dst, string(finalStopReason(ev.StopReason, e.hasTool)))
	dst = append(dst, `,"stop_sequence":`...)
	dst = appendNullableString(dst, ev.StopSequence)
	dst = append(dst, `},"usage":{`...)
	dst = appendKey(dst, "output_tokens", true)
	dst = appendIntValue(dst, u.OutputTokens)
	dst = appendInt(dst, "input_tokens", u.InputTokens)
	dst = appendInt(dst, "cache_read_input_tokens", u.CacheReadTokens)
	dst = appendInt(dst, "cache_creation_input_tokens", u.CacheWriteTokens)
	return append(dst, "}}\n\n"...)
}

// appendError writes an error event (docs/CONVERSION.md, rule 19).
func appendError(dst []byte, kind protocol.ErrorKind, msg string) []byte {
	if kind == "" {
		kind = protocol.APIError
	}
	if msg == "" {
		msg = "upstream error"
	}
	dst = append(dst, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"...)
	dst = protocol.AppendJSONString(dst, string(kind))
	dst = append(dst, `,"message":`...)
	dst = protocol.AppendJSONString(dst, msg)
	return append(dst, "}}\n\n"...)
}
