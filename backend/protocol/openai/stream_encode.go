package openai

import (
	"strconv"
	"time"

	"github.com/routex-app/routex/backend/protocol"
)

// streamEncoder writes neutral events as Chat Completions chunks (docs/CONVERSION.md, rule 16).
// Chunks are built by appending bytes, not through encoding/json: this runs
// once per token. Not safe for concurrent use.
type streamEncoder struct {
	opts    protocol.EncodeOptions
	prefix  []byte // {"id":…,"object":…,"created":…,"model":…, shared by every chunk
	started bool
	done    bool
	tools   map[int]int // neutral block index → tool call index
	usage   protocol.Usage
}

func newStreamEncoder(opts protocol.EncodeOptions) *streamEncoder {
	return &streamEncoder{opts: opts, tools: map[int]int{}}
}

// Encode appends ev's chunks to dst.
func (e *streamEncoder) Encode(dst []byte, ev protocol.Event) []byte {
	if e.done {
		return dst
	}
	if !e.started && ev.Type != protocol.EventPing {
		// The first chunk says who speaks, even if message_start never came.
		e.started = true
		e.prefix = e.makePrefix(ev.ID)
		if ev.Type != protocol.EventError {
			dst = e.chunk(dst, []byte(`{"role":"assistant","content":""}`), "")
		}
	}
	switch ev.Type {
	case protocol.EventBlockStart:
		if ev.Block == nil {
			break
		}
		switch ev.Block.Type {
		case protocol.BlockToolUse:
			k := len(e.tools)
			e.tools[ev.Index] = k
			d := make([]byte, 0, 128)
			d = append(d, `{"tool_calls":[{"index":`...)
			d = strconv.AppendInt(d, int64(k), 10)
			d = append(d, `,"id":`...)
			d = protocol.AppendJSONString(d, protocol.JoinToolID(ev.Block.ID, ev.Block.Signature))
			d = append(d, `,"type":"function","function":{"name":`...)
			d = protocol.AppendJSONString(d, ev.Block.Name)
			d = append(d, `,"arguments":""}}]}`...)
			dst = e.chunk(dst, d, "")
		case protocol.BlockText:
			if ev.Block.Text != "" {
				dst = e.textChunk(dst, "content", ev.Block.Text)
			}
		case protocol.BlockThinking:
			if ev.Block.Thinking != "" {
				dst = e.textChunk(dst, "reasoning_content", ev.Block.Thinking)
			}
		}
	case protocol.EventDelta:
		switch ev.Delta {
		case protocol.DeltaText:
			dst = e.textChunk(dst, "content", ev.Text)
		case protocol.DeltaThinking:
			dst = e.textChunk(dst, "reasoning_content", ev.Text)
		case protocol.DeltaJSON:
			k, ok := e.tools[ev.Index]
			if !ok || ev.Text == "" {
				break
			}
			d := make([]byte, 0, 64+len(ev.Text))
			d = append(d, `{"tool_calls":[{"index":`...)
			d = strconv.AppendInt(d, int64(k), 10)
			d = append(d, `,"function":{"arguments":`...)
			d = protocol.AppendJSONString(d, ev.Text)
			d = append(d, `}}]}`...)
			dst = e.chunk(dst, d, "")
		}
		// Signatures have no place in Chat Completions.
	case protocol.EventStop:
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
		stop := ev.StopReason
		if len(e.tools) > 0 && stop != protocol.StopMaxTokens {
			stop = protocol.StopToolUse
		}
		dst = e.chunk(dst, []byte(`{}`), finishReason(stop))
		if e.opts.IncludeUsage {
			dst = e.usageChunk(dst)
		}
	case protocol.EventEnd:
		e.done = true
		dst = protocol.AppendSSE(dst, "", []byte("[DONE]"))
	case protocol.EventError:
		e.done = true
		msg := string(protocol.ErrorBody(protocol.OpenAI, 0, ev.ErrorKind, ev.ErrorMessage))
		dst = protocol.AppendSSE(dst, "", []byte(msg))
		dst = protocol.AppendSSE(dst, "", []byte("[DONE]"))
	}
	// EventStart, EventBlockStop and EventPing have no wire form: the role
	// chunk is written above, and a comment line for ping would trip
	// clients that parse every line as data.
	return dst
}

func (e *streamEncoder) makePrefix(id string) []byte {
	p := make([]byte, 0, 128)
	p = append(p, `{"id":`...)
	p = protocol.AppendJSONString(p, completionID(id))
	p = append(p, `,"object":"chat.completion.chunk","created":`...)
	p = strconv.AppendInt(p, time.Now().Unix(), 10)
	p = append(p, `,"model":`...)
	return protocol.AppendJSONString(p, e.opts.Model)
}

// chunk appends one data: line holding a chunk with delta (JSON) and
// finish_reason ("" for null).
func (e *streamEncoder) chunk(dst, delta []byte, finish string) []byte {
	dst = append(dst, "data: "...)
	dst = append(dst, e.prefix...)
	dst = append(dst, `,"choices":[{"index":0,"delta":`...)
	dst = append(dst, delta...)
	dst = append(dst, `,"finish_reason":`...)
	if finish == "" {
		dst = append(dst, "null"...)
	} else {
		dst = protocol.AppendJSONString(dst, finish)
	}
	return append(dst, "}]}\n\n"...)
}

// textChunk appends a chunk whose delta sets one string field.
func (e *streamEncoder) textChunk(dst []byte, field, text string) []byte {
	if text == "" {
		return dst
	}
	dst = append(dst, "data: "...)
	dst = append(dst, e.prefix...)
	dst = append(dst, `,"choices":[{"index":0,"delta":{"`...)
	dst = append(dst, field...)
	dst = append(dst, `":`...)
	dst = protocol.AppendJSONString(dst, text)
	return append(dst, `},"finish_reason":null}]}`+"\n\n"...)
}

// usageChunk appends the final chunk with no choices and the usage.
func (e *streamEncoder) usageChunk(dst []byte) []byte {
	u := encodeUsage(e.usage)
	dst = append(dst, "data: "...)
	dst = append(dst, e.prefix...)
	dst = append(dst, `,"choices":[],"usage":{"prompt_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.PromptTokens), 10)
	dst = append(dst, `,"completion_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.CompletionTokens), 10)
	dst = append(dst, `,"total_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.TotalTokens), 10)
	dst = append(dst, `,"prompt_tokens_details":{"cached_tokens":`...)
	dst = strconv.AppendInt(dst, int64(u.PromptTokensDetails.CachedTokens), 10)
	dst = append(dst, '}')
	if u.CompletionTokensDetails != nil {
		dst = append(dst, `,"completion_tokens_details":{"reasoning_tokens":`...)
		dst = strconv.AppendInt(dst, int64(u.CompletionTokensDetails.ReasoningTokens), 10)
		dst = append(dst, '}')
	}
	return append(dst, "}}\n\n"...)
}
