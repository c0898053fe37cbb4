package observe

import (
	"bytes"
	"strings"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// maxTeeBody caps what a UsageTee keeps of a non-streamed reply (usage sits
// at the end of OpenAI and Anthropic bodies, so the whole body is needed)
// and the length of one SSE line carried between writes.
const maxTeeBody = 8 << 20

// UsageTee reads token usage and output timing from a same-format reply
// that the proxy relays byte for byte: the proxy writes every chunk it sends
// to the client into the tee as well. Write never fails and never blocks;
// streams are split into SSE events incrementally (each byte is looked at
// once) and only events that carry usage are parsed, with gjson.
//
// One UsageTee serves one response. Not safe for concurrent use: the relay
// loop that feeds it is the only writer, and Usage is read after it ends.
type UsageTee struct {
	format protocol.Format
	stream bool
	now    func() time.Time

	// Stream state: the partial line carried over from the last write, the
	// current event's name and data, and whether the event can be skipped.
	line      []byte
	lineSkip  bool // the carried line outgrew maxTeeBody and is ignored
	event     []byte
	data      []byte
	skipEvent bool

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
	return &UsageTee{format: format, stream: stream, now: time.Now}
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
	t.scan(p, now)
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

// scan splits p into lines, joining the line carried from the last write.
func (t *UsageTee) scan(p []byte, now time.Time) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.carry(p)
			return
		}
		chunk := p[:i]
		p = p[i+1:]
		if len(t.line) > 0 || t.lineSkip {
			t.carry(chunk)
			line, skip := t.line, t.lineSkip
			t.line, t.lineSkip = t.line[:0], false
			if !skip {
				t.onLine(line, now)
			}
			continue
		}
		t.onLine(chunk, now)
	}
}

// carry keeps a partial line for the next write, dropping lines too long to
// be worth parsing rather than growing without bound.
func (t *UsageTee) carry(p []byte) {
	if t.lineSkip {
		return
	}
	if len(t.line)+len(p) > maxTeeBody {
		t.line, t.lineSkip = t.line[:0], true
		return
	}
	t.line = append(t.line, p...)
}

// onLine handles one SSE line (without its newline).
func (t *UsageTee) onLine(line []byte, now time.Time) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	switch {
	case len(line) == 0:
		t.dispatch(now)
	case line[0] == ':':
		// comment (keep-alive)
	case bytes.HasPrefix(line, []byte("event:")):
		name := bytes.TrimSpace(line[len("event:"):])
		t.event = append(t.event[:0], name...)
		switch t.format {
		case protocol.Anthropic:
			t.skipEvent = !anthropicUsageEvent(name)
			if t.skipEvent && t.tokenAt.IsZero() && anthropicContentEvent(name) {
				t.tokenAt = now
			}
		case protocol.Responses:
			t.skipEvent = !responsesUsageEvent(name)
			if t.skipEvent && t.tokenAt.IsZero() && bytes.HasSuffix(name, []byte(".delta")) {
				t.tokenAt = now
			}
		}
	case bytes.HasPrefix(line, []byte("data:")):
		if t.skipEvent {
			return
		}
		v := line[len("data:"):]
		if len(v) > 0 && v[0] == ' ' {
			v = v[1:]
		}
		if len(t.data) > 0 {
			t.data = append(t.data, '\n')
		}
		t.data = append(t.data, v...)
	}
}

// dispatch ends an event: its data is read when it can carry usage.
func (t *UsageTee) dispatch(now time.Time) {
	data := t.data
	t.data, t.event, t.skipEvent = t.data[:0], t.event[:0], false
	if len(data) == 0 || data[0] != '{' {
		return // "[DONE]", pings without data, or nothing
	}
	switch t.format {
	case protocol.Anthropic:
		t.anthropicEvent(data, now)
	case protocol.OpenAI:
		if t.tokenAt.IsZero() && bytes.Contains(data, []byte(`"delta"`)) {
			t.tokenAt = now
		}
		if u, ok := lastObject(data, `"usage"`); ok {
			t.openAIUsage(u)
		}
	case protocol.Responses:
		t.responsesEvent(data, now)
	case protocol.Gemini:
		if t.tokenAt.IsZero() && bytes.Contains(data, []byte(`"candidates"`)) {
			t.tokenAt = now
		}
		if u, ok := lastObject(data, `"usageMetadata"`); ok {
			t.geminiUsage(u)
		}
	}
}

// lastObject finds the last key (quoted, as in `"usage"`) in data whose
// value is an object, and returns that object for gjson without copying.
// A quoted key followed by a colon cannot occur inside a JSON string (its
// quotes would be escaped), and usage is the last key in every format, so
// this skips parsing everything before it. The result aliases data and must
// not outlive the call that reads it.
func lastObject(data []byte, key string) (gjson.Result, bool) {
	i := bytes.LastIndex(data, []byte(key))
	if i < 0 {
		return gjson.Result{}, false
	}
	rest := skipSpace(data[i+len(key):])
	if len(rest) == 0 || rest[0] != ':' {
		return gjson.Result{}, false
	}
	rest = skipSpace(rest[1:])
	if len(rest) == 0 || rest[0] != '{' {
		return gjson.Result{}, false // "usage": null on every chunk but the last
	}
	return gjson.Parse(unsafe.String(&rest[0], len(rest))), true
}

func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

func anthropicUsageEvent(name []byte) bool {
	return string(name) == "message_start" || string(name) == "message_delta"
}

func anthropicContentEvent(name []byte) bool {
	return string(name) == "content_block_start" || string(name) == "content_block_delta"
}

// anthropicEvent reads message_start.message.usage and message_delta.usage
// (the last usage key of each). An event without an event: line is
// recognised by its type field.
func (t *UsageTee) anthropicEvent(data []byte, now time.Time) {
	name := string(t.event)
	if name == "" {
		name = gjson.GetBytes(data, "type").Str
	}
	switch name {
	case "message_start", "message_delta":
		if u, ok := lastObject(data, `"usage"`); ok {
			t.anthropicUsage(u)
		}
	case "content_block_start", "content_block_delta":
		if t.tokenAt.IsZero() {
			t.tokenAt = now
		}
	}
}

// anthropicUsage merges every count reported: message_start has the input,
// message_delta the output (and, on some compatible endpoints, the input
// again). Anthropic's input_tokens already excludes cache reads and writes.
func (t *UsageTee) anthropicUsage(u gjson.Result) {
	if !u.IsObject() {
		return
	}
	t.hasUsage = true
	u.ForEach(func(k, v gjson.Result) bool {
		n := int(v.Int())
		if n <= 0 {
			return true
		}
		switch k.Str {
		case "input_tokens":
			t.usage.InputTokens = n
		case "output_tokens":
			t.usage.OutputTokens = n
		case "cache_read_input_tokens":
			t.usage.CacheReadTokens = n
		case "cache_creation_input_tokens":
			t.usage.CacheWriteTokens = n
		}
		return true
	})
}

// openAIUsage reads a usage object; prompt_tokens includes cached tokens,
// which protocol.Usage counts apart. DeepSeek reports its cache hits as
// prompt_cache_hit_tokens, some compatible servers as cached_tokens.
func (t *UsageTee) openAIUsage(u gjson.Result) {
	if !u.IsObject() {
		return
	}
	var prompt, completion, cached, hit, flat, reasoning int64
	u.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "prompt_tokens":
			prompt = v.Int()
		case "completion_tokens":
			completion = v.Int()
		case "prompt_tokens_details":
			cached = v.Get("cached_tokens").Int()
		case "prompt_cache_hit_tokens":
			hit = v.Int()
		case "cached_tokens":
			flat = v.Int()
		case "completion_tokens_details":
			reasoning = v.Get("reasoning_tokens").Int()
		}
		return true
	})
	if cached == 0 {
		cached = hit
	}
	if cached == 0 {
		cached = flat
	}
	t.hasUsage = true
	t.usage.InputTokens = int(max(prompt-cached, 0))
	t.usage.OutputTokens = int(completion)
	t.usage.CacheReadTokens = int(cached)
	t.usage.ReasoningTokens = int(reasoning)
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

// responsesEvent reads response.usage from a final Responses event. An
// event without an event: line is recognised by its type field, and its
// deltas mark the first token.
func (t *UsageTee) responsesEvent(data []byte, now time.Time) {
	name := string(t.event)
	if name == "" {
		name = gjson.GetBytes(data, "type").Str
	}
	switch {
	case responsesUsageEvent([]byte(name)):
		t.responsesUsage(gjson.GetBytes(data, "response.usage"))
	case strings.HasSuffix(name, ".delta") && t.tokenAt.IsZero():
		t.tokenAt = now
	}
}

// responsesUsage reads a Responses usage object: input_tokens includes the
// cached ones, which protocol.Usage counts apart, and output_tokens the
// reasoning ones.
func (t *UsageTee) responsesUsage(u gjson.Result) {
	if !u.IsObject() {
		return
	}
	input := u.Get("input_tokens").Int()
	cached := min(max(u.Get("input_tokens_details.cached_tokens").Int(), 0), max(input, 0))
	t.hasUsage = true
	t.usage.InputTokens = int(max(input-cached, 0))
	t.usage.CacheReadTokens = int(cached)
	t.usage.OutputTokens = int(u.Get("output_tokens").Int())
	t.usage.ReasoningTokens = int(u.Get("output_tokens_details.reasoning_tokens").Int())
}

// geminiUsage reads usageMetadata; the last one of a stream wins. The
// prompt count includes cached tokens and the candidate count excludes
// thoughts, which are billed as output.
func (t *UsageTee) geminiUsage(u gjson.Result) {
	if !u.IsObject() {
		return
	}
	var prompt, cand, cached, thoughts int64
	u.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "promptTokenCount":
			prompt = v.Int()
		case "candidatesTokenCount":
			cand = v.Int()
		case "cachedContentTokenCount":
			cached = v.Int()
		case "thoughtsTokenCount":
			thoughts = v.Int()
		}
		return true
	})
	t.hasUsage = true
	t.usage.InputTokens = int(max(prompt-cached, 0))
	t.usage.CacheReadTokens = int(cached)
	t.usage.OutputTokens = int(cand + thoughts)
	t.usage.ReasoningTokens = int(thoughts)
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

func (t *UsageTee) parseBody() {
	body := t.body
	t.body = nil
	switch t.format {
	case protocol.Anthropic:
		t.anthropicUsage(gjson.GetBytes(body, "usage"))
	case protocol.OpenAI:
		t.openAIUsage(gjson.GetBytes(body, "usage"))
	case protocol.Gemini:
		t.geminiUsage(gjson.GetBytes(body, "usageMetadata"))
	case protocol.Responses:
		t.responsesUsage(gjson.GetBytes(body, "usage"))
	}
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
