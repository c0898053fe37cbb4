package gemini

import (
	"strconv"

	"github.com/routex-app/routex/backend/protocol"
)

// streamEncoder writes neutral events as a Gemini SSE stream: data-only
// events, each a GenerateContentResponse. Text and thinking deltas are
// written as they come (docs/CONVERSION.md, rule 18); a function call is written whole at its
// block's stop, since Gemini clients expect complete args. Not safe for
// concurrent use.
type streamEncoder struct {
	model      string
	id         string
	startUsage *protocol.Usage
	tools      map[int]*pendingTool
}

// pendingTool buffers one tool_use block's streamed arguments.
type pendingTool struct {
	id, name, signature string
	args                []byte
}

// Encode appends the wire form of ev, if it has one, to dst.
func (e *streamEncoder) Encode(dst []byte, ev protocol.Event) []byte {
	switch ev.Type {
	case protocol.EventStart:
		e.id = ev.ID
		if e.model == "" {
			e.model = ev.Model
		}
		e.startUsage = ev.Usage
	case protocol.EventBlockStart:
		if ev.Block != nil && ev.Block.Type == protocol.BlockToolUse {
			if e.tools == nil {
				e.tools = map[int]*pendingTool{}
			}
			e.tools[ev.Index] = &pendingTool{id: ev.Block.ID, name: ev.Block.Name, signature: ev.Block.Signature}
		}
	case protocol.EventDelta:
		return e.delta(dst, ev)
	case protocol.EventBlockStop:
		t, ok := e.tools[ev.Index]
		if !ok {
			return dst
		}
		delete(e.tools, ev.Index)
		return e.chunk(dst, func(b []byte) []byte {
			b = append(b, `{"functionCall":{`...)
			if t.id != "" {
				b = append(b, `"id":`...)
				b = protocol.AppendJSONString(b, t.id)
				b = append(b, ',')
			}
			b = append(b, `"name":`...)
			b = protocol.AppendJSONString(b, t.name)
			b = append(b, `,"args":`...)
			b = append(b, objectOrEmpty(t.args)...)
			b = append(b, '}')
			if t.signature != "" {
				b = append(b, `,"thoughtSignature":`...)
				b = protocol.AppendJSONString(b, t.signature)
			}
			return append(b, '}')
		}, "", nil)
	case protocol.EventStop:
		u := protocol.Usage{}
		if ev.Usage != nil {
			u = *ev.Usage
		}
		if s := e.startUsage; s != nil && u.InputTokens == 0 && u.CacheReadTokens == 0 && u.CacheWriteTokens == 0 {
			u.InputTokens, u.CacheReadTokens, u.CacheWriteTokens = s.InputTokens, s.CacheReadTokens, s.CacheWriteTokens
		}
		return e.chunk(dst, func(b []byte) []byte { return append(b, `{"text":""}`...) },
			finishReason(ev.StopReason), usageMetadata(u))
	case protocol.EventError:
		status := statusForKind(ev.ErrorKind)
		return protocol.AppendSSE(dst, "", protocol.ErrorBody(protocol.Gemini, status, ev.ErrorKind, ev.ErrorMessage))
	}
	return dst // message_stop and ping have no Gemini form
}

func (e *streamEncoder) delta(dst []byte, ev protocol.Event) []byte {
	switch ev.Delta {
	case protocol.DeltaJSON:
		if t, ok := e.tools[ev.Index]; ok {
			t.args = append(t.args, ev.Text...)
		}
		return dst
	case protocol.DeltaText:
		if ev.Text == "" {
			return dst
		}
		return e.chunk(dst, func(b []byte) []byte {
			b = append(b, `{"text":`...)
			return append(protocol.AppendJSONString(b, ev.Text), '}')
		}, "", nil)
	case protocol.DeltaThinking:
		if ev.Text == "" {
			return dst
		}
		return e.chunk(dst, func(b []byte) []byte {
			b = append(b, `{"text":`...)
			return append(protocol.AppendJSONString(b, ev.Text), `,"thought":true}`...)
		}, "", nil)
	case protocol.DeltaSignature:
		if ev.Text == "" {
			return dst
		}
		return e.chunk(dst, func(b []byte) []byte {
			b = append(b, `{"thought":true,"thoughtSignature":`...)
			return append(protocol.AppendJSONString(b, ev.Text), '}')
		}, "", nil)
	}
	return dst
}

// chunk appends one "data: {…}\n\n" event holding the part(s) that part
// writes, and the finish reason and usage when given.
func (e *streamEncoder) chunk(dst []byte, part func([]byte) []byte, finish string, u *UsageMetadata) []byte {
	dst = append(dst, `data: {"candidates":[{"content":{"role":"model","parts":[`...)
	dst = part(dst)
	dst = append(dst, `]}`...)
	if finish != "" {
		dst = append(dst, `,"finishReason":"`...)
		dst = append(dst, finish...)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"index":0}]`...)
	if u != nil {
		dst = append(dst, `,"usageMetadata":{"promptTokenCount":`...)
		dst = strconv.AppendInt(dst, int64(u.PromptTokenCount), 10)
		dst = append(dst, `,"candidatesTokenCount":`...)
		dst = strconv.AppendInt(dst, int64(u.CandidatesTokenCount), 10)
		if u.ThoughtsTokenCount > 0 {
			dst = append(dst, `,"thoughtsTokenCount":`...)
			dst = strconv.AppendInt(dst, int64(u.ThoughtsTokenCount), 10)
		}
		if u.CachedContentTokenCount > 0 {
			dst = append(dst, `,"cachedContentTokenCount":`...)
			dst = strconv.AppendInt(dst, int64(u.CachedContentTokenCount), 10)
		}
		dst = append(dst, `,"totalTokenCount":`...)
		dst = strconv.AppendInt(dst, int64(u.TotalTokenCount), 10)
		dst = append(dst, '}')
	}
	if e.model != "" {
		dst = append(dst, `,"modelVersion":`...)
		dst = protocol.AppendJSONString(dst, e.model)
	}
	if e.id != "" {
		dst = append(dst, `,"responseId":`...)
		dst = protocol.AppendJSONString(dst, e.id)
	}
	return append(dst, "}\n\n"...)
}

// statusForKind is the HTTP status a Gemini error envelope carries for a
// neutral error kind.
func statusForKind(k protocol.ErrorKind) int {
	switch k {
	case protocol.InvalidRequest:
		return 400
	case protocol.Authentication:
		return 401
	case protocol.Permission:
		return 403
	case protocol.NotFound:
		return 404
	case protocol.TooLarge:
		return 413
	case protocol.RateLimit:
		return 429
	case protocol.Overloaded:
		return 503
	case protocol.Timeout:
		return 504
	}
	return 500
}
