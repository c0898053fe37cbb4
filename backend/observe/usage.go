package observe

import (
	"bytes"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/anthropic"
	"github.com/routex-app/routex/backend/protocol/gemini"
	"github.com/routex-app/routex/backend/protocol/openai"
	"github.com/routex-app/routex/backend/protocol/responses"
)

// maxTeeBody caps what a UsageTee keeps of a non-streamed reply (usage sits
// at the end of OpenAI and Anthropic bodies, so the whole body is needed)
// and the length of one SSE line carried between writes.
const maxTeeBody = 8 << 20

// UsageTee reads token usage and output timing from a same-format reply
// that the proxy relays byte for byte: the proxy writes every chunk it sends
// to the client into the tee as well. Write never fails and never blocks.
// A stream is split into events by protocol.SSESplitter as it passes, and
// the usage is read by the format's ReadUsage (openai.ReadUsage, …), the
// same code that reads it on the converted path; events that cannot carry
// usage are dropped by name before their data is looked at.
//
// One UsageTee serves one response. Not safe for concurrent use: the relay
// loop that feeds it is the only writer, and Usage is read after it ends.
type UsageTee struct {
	format protocol.Format
	stream bool
	now    func() time.Time

	split protocol.SSESplitter
	emit  func(protocol.SSEFields)
	at    time.Time // the time of the write being split

	// body is a non-streamed reply, up to maxTeeBody.
	body     []byte
	overflow bool

	usage    protocol.Usage
	bytes    int64
	firstAt  time.Time // first byte of the reply
	tokenAt  time.Time // first output token (first content event)
	lastAt   time.Time // last byte of the reply
	hasUsage bool
}

// NewUsageTee returns a tee for one reply in format; stream says whether the
// reply is an SSE stream (as the request asked) or one JSON body.
func NewUsageTee(format protocol.Format, stream bool) *UsageTee {
	t := &UsageTee{format: format, stream: stream, now: time.Now}
	t.split.MaxLine = maxTeeBody
	t.split.Skip = t.skip
	t.emit = t.event
	return t
}

// Write observes p, a chunk exactly as relayed to the client. It always
// returns len(p), nil so it can sit in an io.MultiWriter beside the client.
func (t *UsageTee) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	now := t.now()
	if t.firstAt.IsZero() {
		t.firstAt = now
	}
	t.lastAt = now
	t.bytes += int64(len(p))
	if !t.stream {
		t.keepBody(p)
		if t.tokenAt.IsZero() {
			t.tokenAt = now
		}
		return len(p), nil
	}
	t.at = now
	t.split.Write(p, t.emit)
	return len(p), nil
}

func (t *UsageTee) keepBody(p []byte) {
	if t.overflow {
		return
	}
	if len(t.body)+len(p) > maxTeeBody {
		t.overflow = true
		t.body = nil
		return
	}
	t.body = append(t.body, p...)
}

// skip is told each named event as its event: line passes: a content
// event marks the first token, and only events that can carry usage are
// kept (Anthropic's message_start and message_delta, the Responses API's
// final events), so a long text or tool delta is never copied or parsed.
func (t *UsageTee) skip(name []byte) bool {
	switch t.format {
	case protocol.Anthropic:
		if anthropicUsageEvent(name) {
			return false
		}
		if t.tokenAt.IsZero() && anthropicContentEvent(name) {
			t.tokenAt = t.at
		}
		return true
	case protocol.Responses:
		if responsesUsageEvent(name) {
			return false
		}
		if t.tokenAt.IsZero() && bytes.HasSuffix(name, []byte(".delta")) {
			t.tokenAt = t.at
		}
		return true
	}
	return false
}

// event reads one kept event's data: its usage, and for an event without
// an event: line (OpenAI, Gemini, some compatible servers) whether it
// carries output.
func (t *UsageTee) event(ev protocol.SSEFields) {
	data := ev.Data
	if len(data) == 0 || data[0] != '{' {
		return // "[DONE]", pings without data, or nothing
	}
	switch t.format {
	case protocol.Anthropic:
		if len(ev.Event) == 0 {
			name := typeOf(data)
			if anthropicContentEvent(name) && t.tokenAt.IsZero() {
				t.tokenAt = t.at
			}
			if !anthropicUsageEvent(name) {
				return
			}
		}
		if u, ok := anthropic.ReadUsage(data); ok {
			anthropic.MergeUsage(&t.usage, u)
			t.hasUsage = true
		}
	case protocol.OpenAI:
		if t.tokenAt.IsZero() && bytes.Contains(data, []byte(`"delta"`)) {
			t.tokenAt = t.at
		}
		t.read(openai.ReadUsage(data))
	case protocol.Responses:
		if len(ev.Event) == 0 {
			name := typeOf(data)
			if bytes.HasSuffix(name, []byte(".delta")) && t.tokenAt.IsZero() {
				t.tokenAt = t.at
			}
			if !responsesUsageEvent(name) {
				return
			}
		}
		t.read(responses.ReadUsage(data))
	case protocol.Gemini:
		if t.tokenAt.IsZero() && bytes.Contains(data, []byte(`"candidates"`)) {
			t.tokenAt = t.at
		}
		t.read(gemini.ReadUsage(data))
	}
}

// read keeps the usage an event reported: for OpenAI, Gemini and the
// Responses API the last report is the whole count.
func (t *UsageTee) read(u protocol.Usage, ok bool) {
	if ok {
		t.usage, t.hasUsage = u, true
	}
}

// typeOf is the type field of an event sent without an event: line.
func typeOf(data []byte) []byte {
	return []byte(gjson.GetBytes(data, "type").Str)
}

func anthropicUsageEvent(name []byte) bool {
	return string(name) == "message_start" || string(name) == "message_delta"
}

func anthropicContentEvent(name []byte) bool {
	return string(name) == "content_block_start" || string(name) == "content_block_delta"
}

// responsesUsageEvent names the Responses events whose response carries
// the usage: the last one of every stream.
func responsesUsageEvent(name []byte) bool {
	switch string(name) {
	case "response.completed", "response.incomplete", "response.failed":
		return true
	}
	return false
}

// Usage is the token usage the reply reported; zero counts when it reported
// none (check HasUsage before trusting a zero). For a non-streamed reply
// the kept body is parsed here, once.
func (t *UsageTee) Usage() protocol.Usage {
	if !t.stream && len(t.body) > 0 {
		t.parseBody()
	}
	return t.usage
}

// HasUsage reports whether the upstream sent any usage; when false the
// caller estimates the tokens and marks them so.
func (t *UsageTee) HasUsage() bool {
	if !t.stream && len(t.body) > 0 {
		t.parseBody()
	}
	return t.hasUsage
}

// parseBody reads a non-streamed reply's usage with the format's reader.
func (t *UsageTee) parseBody() {
	body := t.body
	t.body = nil
	if u, ok := ReadUsage(t.format, body); ok {
		t.usage, t.hasUsage = u, true
	}
}

// ReadUsage reads the usage in a reply body or one event's data of the
// given format with that format's reader (anthropic.ReadUsage, …); ok is
// false when there is none or the format is unknown.
func ReadUsage(f protocol.Format, data []byte) (protocol.Usage, bool) {
	switch f {
	case protocol.Anthropic:
		return anthropic.ReadUsage(data)
	case protocol.OpenAI:
		return openai.ReadUsage(data)
	case protocol.Gemini:
		return gemini.ReadUsage(data)
	case protocol.Responses:
		return responses.ReadUsage(data)
	}
	return protocol.Usage{}, false
}

// Bytes is how many bytes of the reply went through the tee.
func (t *UsageTee) Bytes() int64 { return t.bytes }

// FirstTokenAt is when the first output arrived: the first content event of
// a stream, the first byte of a non-streamed body. Zero when none did.
func (t *UsageTee) FirstTokenAt() time.Time { return t.tokenAt }

// LastByteAt is when the last chunk of the reply arrived.
func (t *UsageTee) LastByteAt() time.Time { return t.lastAt }

// OutputTPS is output tokens per second from the first token to the last
// byte; 0 when there is no usage or no measurable interval (a non-streamed
// reply that arrived in one write).
func (t *UsageTee) OutputTPS() float64 {
	u := t.Usage()
	if u.OutputTokens <= 0 || t.tokenAt.IsZero() {
		return 0
	}
	d := t.lastAt.Sub(t.tokenAt).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(u.OutputTokens) / d
}
