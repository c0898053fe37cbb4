package responses

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/protocol"
)

// openItem is the output item being written: one neutral block.
type openItem struct {
	kind         string // message, reasoning, function_call, custom_tool_call
	block        int    // neutral block index
	id           string
	n            int // output_index
	callID, name string
	text         strings.Builder // message text, reasoning summary, call arguments
	summaryOpen  bool
	encrypted    string
	signature    string
	redacted     string
	ff           *freeformStream
}

// streamEncoder writes neutral events as a Responses event stream: every
// event named and numbered (sequence_number), each block one output item
// opened with output_item.added and closed with its done events, and a
// final response.completed (or .incomplete, .failed) holding the whole
// response, which SDKs take as the final snapshot. Deltas are built by
// appending bytes: they run once per token. Not safe for concurrent use.
type streamEncoder struct {
	opts          protocol.EncodeOptions
	id, model     string
	created       int64
	seq           int
	started, done bool
	output        []json.RawMessage // finished items, for the final response
	cur           *openItem
	usage         protocol.Usage
	stop          protocol.StopReason
	calls         bool
	scratch       []byte
}

func newStreamEncoder(opts protocol.EncodeOptions) *streamEncoder {
	return &streamEncoder{opts: opts, stop: protocol.StopEndTurn}
}

// Encode appends ev's events to dst.
func (e *streamEncoder) Encode(dst []byte, ev protocol.Event) []byte {
	if e.done || ev.Type == protocol.EventPing {
		return dst
	}
	if !e.started {
		dst = e.start(dst, ev)
	}
	switch ev.Type {
	case protocol.EventStart:
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
	case protocol.EventBlockStart:
		dst = e.closeItem(dst)
		if ev.Block != nil {
			dst = e.openItem(dst, ev.Index, ev.Block)
		}
	case protocol.EventDelta:
		if e.cur != nil && ev.Index == e.cur.block {
			dst = e.delta(dst, ev.Delta, ev.Text)
		}
	case protocol.EventBlockStop:
		if e.cur != nil && ev.Index == e.cur.block {
			dst = e.closeItem(dst)
		}
	case protocol.EventStop:
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
		if ev.StopReason != "" {
			e.stop = ev.StopReason
		}
	case protocol.EventEnd:
		dst = e.closeItem(dst)
		dst = e.finish(dst)
	case protocol.EventError:
		dst = e.fail(dst, ev.ErrorKind, ev.ErrorMessage)
	}
	return dst
}

// start writes response.created and response.in_progress.
func (e *streamEncoder) start(dst []byte, ev protocol.Event) []byte {
	e.started = true
	e.id = responseID(ev.ID)
	e.model = e.opts.Model
	if e.model == "" {
		e.model = ev.Model
	}
	e.created = time.Now().Unix()
	r := newOutResponse(e.id, e.model, e.created)
	dst = e.responseEvent(dst, "response.created", &r)
	return e.responseEvent(dst, "response.in_progress", &r)
}

func (e *streamEncoder) openItem(dst []byte, index int, b *protocol.Block) []byte {
	it := &openItem{block: index, n: len(e.output)}
	var item any
	switch b.Type {
	case protocol.BlockText:
		it.kind, it.id = "message", itemID("msg_", e.id, it.n)
		item = messageItem(it.id, "in_progress", "", false)
	case protocol.BlockThinking, protocol.BlockRedactedThinking:
		it.kind, it.id = "reasoning", reasoningID(b, e.id, it.n)
		it.redacted = b.Data
		item = reasoningItem(it.id, "", "")
	case protocol.BlockToolUse:
		e.calls = true
		call := callItem(b, e.id, it.n, e.opts, false)
		switch c := call.(type) {
		case outCustomCall:
			it.kind, it.id, it.callID, it.name = "custom_tool_call", c.ID, c.CallID, c.Name
			it.ff = &freeformStream{}
		case outFunctionCall:
			it.kind, it.id, it.callID, it.name = "function_call", c.ID, c.CallID, c.Name
		}
		item = call
	default:
		return dst
	}
	e.cur = it
	dst = e.itemEvent(dst, "response.output_item.added", it.n, item)
	if it.kind == "message" {
		dst = e.partEvent(dst, "response.content_part.added", it, `,"content_index":0`, textPart(""))
	}
	switch {
	case b.Type == protocol.BlockText && b.Text != "":
		dst = e.delta(dst, protocol.DeltaText, b.Text)
	case b.Type == protocol.BlockThinking && b.Thinking != "":
		dst = e.delta(dst, protocol.DeltaThinking, b.Thinking)
	}
	return dst
}

func (e *streamEncoder) delta(dst []byte, d protocol.DeltaType, text string) []byte {
	it := e.cur
	if text == "" {
		return dst
	}
	switch {
	case d == protocol.DeltaText && it.kind == "message":
		it.text.WriteString(text)
		return e.deltaEvent(dst, "response.output_text.delta", it, `,"content_index":0`, text, true)
	case d == protocol.DeltaThinking && it.kind == "reasoning":
		if !it.summaryOpen {
			it.summaryOpen = true
			dst = e.partEvent(dst, "response.reasoning_summary_part.added", it, `,"summary_index":0`, SummaryPart{Type: "summary_text"})
		}
		it.text.WriteString(text)
		return e.deltaEvent(dst, "response.reasoning_summary_text.delta", it, `,"summary_index":0`, text, false)
	case d == protocol.DeltaSignature && it.kind == "reasoning":
		it.signature += text
	case d == protocol.DeltaEncrypted && it.kind == "reasoning":
		it.encrypted += text
	case d == protocol.DeltaJSON && it.kind == "function_call":
		it.text.WriteString(text)
		return e.deltaEvent(dst, "response.function_call_arguments.delta", it, "", text, false)
	case d == protocol.DeltaJSON && it.kind == "custom_tool_call":
		if piece := it.ff.feed(text); piece != "" {
			return e.deltaEvent(dst, "response.custom_tool_call_input.delta", it, "", piece, false)
		}
	}
	return dst
}

// closeItem writes the open item's done events.
func (e *streamEncoder) closeItem(dst []byte) []byte {
	it := e.cur
	if it == nil {
		return dst
	}
	e.cur = nil
	var item any
	switch it.kind {
	case "message":
		text := it.text.String()
		dst = e.textDone(dst, "response.output_text.done", it, `,"content_index":0`, "text", text, true)
		dst = e.partEvent(dst, "response.content_part.done", it, `,"content_index":0`, textPart(text))
		item = messageItem(it.id, "completed", text, true)
	case "reasoning":
		text := it.text.String()
		if it.summaryOpen {
			dst = e.textDone(dst, "response.reasoning_summary_text.done", it, `,"summary_index":0`, "text", text, false)
			dst = e.partEvent(dst, "response.reasoning_summary_part.done", it, `,"summary_index":0`, SummaryPart{Type: "summary_text", Text: text})
		}
		b := protocol.Block{Type: protocol.BlockThinking, Encrypted: it.encrypted, Signature: it.signature}
		if it.redacted != "" {
			b = protocol.Block{Type: protocol.BlockRedactedThinking, Data: it.redacted}
		}
		item = reasoningItem(it.id, text, encryptedFor(&b))
	case "function_call":
		args := it.text.String()
		if strings.TrimSpace(args) == "" {
			args = "{}"
		}
		dst = e.textDone(dst, "response.function_call_arguments.done", it, `,"name":`+string(protocol.AppendJSONString(nil, it.name)), "arguments", args, false)
		item = outFunctionCall{ID: it.id, Type: "function_call", Status: "completed", Arguments: args, CallID: it.callID, Name: it.name}
	case "custom_tool_call":
		rest, whole := it.ff.finish()
		if rest != "" {
			dst = e.deltaEvent(dst, "response.custom_tool_call_input.delta", it, "", rest, false)
		}
		dst = e.textDone(dst, "response.custom_tool_call_input.done", it, "", "input", whole, false)
		item = outCustomCall{ID: it.id, Type: "custom_tool_call", Status: "completed", CallID: it.callID, Name: it.name, Input: whole}
	}
	raw, _ := protocol.Marshal(item) // items of strings always encode
	e.output = append(e.output, raw)
	return e.itemEvent(dst, "response.output_item.done", it.n, json.RawMessage(raw))
}

// finish writes the final response.completed or response.incomplete.
func (e *streamEncoder) finish(dst []byte) []byte {
	e.done = true
	stop := e.stop
	if e.calls && stop != protocol.StopMaxTokens {
		stop = protocol.StopToolUse
	}
	r := newOutResponse(e.id, e.model, e.created)
	r.Output = append(r.Output, e.output...)
	r.finish(stop, e.usage)
	typ := "response.completed"
	if r.Status == "incomplete" {
		typ = "response.incomplete"
	}
	return e.responseEvent(dst, typ, &r)
}

// fail ends the stream on an upstream error (rule 19): response.failed,
// which Codex reads, then an error event, which the SDKs raise.
func (e *streamEncoder) fail(dst []byte, kind protocol.ErrorKind, msg string) []byte {
	e.done = true
	r := newOutResponse(e.id, e.model, e.created)
	r.Output = append(r.Output, e.output...)
	r.Status = "failed"
	code := errorCode(kind, msg)
	r.Error = &ResponseError{Code: code, Message: msg}
	dst = e.responseEvent(dst, "response.failed", &r)
	d := e.head("error")
	d = append(d, `,"code":`...)
	d = protocol.AppendJSONString(d, code)
	d = append(d, `,"message":`...)
	d = protocol.AppendJSONString(d, msg)
	d = append(d, `,"param":null}`...)
	return protocol.AppendSSE(dst, "error", d)
}

// head starts an event's JSON: its type and the next sequence number.
func (e *streamEncoder) head(typ string) []byte {
	d := append(e.scratch[:0], `{"type":"`...)
	d = append(d, typ...)
	d = append(d, `","sequence_number":`...)
	d = strconv.AppendInt(d, int64(e.seq), 10)
	e.seq++
	return d
}

// itemHead adds item_id and output_index, and extra (more fields).
func (e *streamEncoder) itemHead(typ string, it *openItem, extra string) []byte {
	d := e.head(typ)
	d = append(d, `,"item_id":`...)
	d = protocol.AppendJSONString(d, it.id)
	d = append(d, `,"output_index":`...)
	d = strconv.AppendInt(d, int64(it.n), 10)
	return append(d, extra...)
}

func (e *streamEncoder) deltaEvent(dst []byte, typ string, it *openItem, extra, delta string, logprobs bool) []byte {
	d := e.itemHead(typ, it, extra)
	d = append(d, `,"delta":`...)
	d = protocol.AppendJSONString(d, delta)
	if logprobs {
		d = append(d, `,"logprobs":[]`...)
	}
	d = append(d, '}')
	e.scratch = d
	return protocol.AppendSSE(dst, typ, d)
}

func (e *streamEncoder) textDone(dst []byte, typ string, it *openItem, extra, field, text string, logprobs bool) []byte {
	d := e.itemHead(typ, it, extra)
	d = append(d, `,"`...)
	d = append(d, field...)
	d = append(d, `":`...)
	d = protocol.AppendJSONString(d, text)
	if logprobs {
		d = append(d, `,"logprobs":[]`...)
	}
	d = append(d, '}')
	e.scratch = d
	return protocol.AppendSSE(dst, typ, d)
}

func (e *streamEncoder) partEvent(dst []byte, typ string, it *openItem, extra string, part any) []byte {
	raw, _ := protocol.Marshal(part) // parts of strings always encode
	d := e.itemHead(typ, it, extra)
	d = append(d, `,"part":`...)
	d = append(d, raw...)
	d = append(d, '}')
	e.scratch = d
	return protocol.AppendSSE(dst, typ, d)
}

func (e *streamEncoder) itemEvent(dst []byte, typ string, n int, item any) []byte {
	raw, _ := protocol.Marshal(item) // items of strings always encode
	d := e.head(typ)
	d = append(d, `,"output_index":`...)
	d = strconv.AppendInt(d, int64(n), 10)
	d = append(d, `,"item":`...)
	d = append(d, raw...)
	d = append(d, '}')
	e.scratch = d
	return protocol.AppendSSE(dst, typ, d)
}

func (e *streamEncoder) responseEvent(dst []byte, typ string, r *outResponse) []byte {
	raw, _ := protocol.Marshal(r) // a response of strings and raw JSON always encodes
	d := e.head(typ)
	d = append(d, `,"response":`...)
	d = append(d, raw...)
	d = append(d, '}')
	e.scratch = d
	return protocol.AppendSSE(dst, typ, d)
}

// AppendErrorEvent appends an error event for a stream Routex relays
// without reading (a Responses upstream's own stream) when the upstream
// fails in the middle of it: the SDKs raise it, and Codex, which waits for
// response.completed, sees the stream end without one and retries.
func AppendErrorEvent(dst []byte, kind protocol.ErrorKind, msg string) []byte {
	d := []byte(`{"type":"error","sequence_number":0,"code":`)
	d = protocol.AppendJSONString(d, errorCode(kind, msg))
	d = append(d, `,"message":`...)
	d = protocol.AppendJSONString(d, msg)
	d = append(d, `,"param":null}`...)
	return protocol.AppendSSE(dst, "error", d)
}
