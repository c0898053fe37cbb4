package proxy

import (
	"bytes"

	"github.com/routex-app/routex/backend/protocol"
)

// When a route target, a model_map entry or the active provider renames the
// model, a passthrough reply still names the upstream's model. Clients take
// that at its word: Claude Code treats the turn as another model's, drops
// its thinking block from the history, and the next request is refused
// ("Expected `thinking` or `redacted_thinking`, but found `tool_use`"). So
// the client's model is written back, as the converted path does, without
// buffering the reply: a byte scanner follows the JSON structure of the
// body (or of each SSE event's data) and swaps the one string value it is
// after, copying every other byte as it comes.

// modelRewriter rewrites the model name in one passthrough reply. Not safe
// for concurrent use.
type modelRewriter struct {
	// path is the key path of the model name in each reply object:
	// ["model"], ["message","model"] (Anthropic's message_start) or
	// ["modelVersion"] (Gemini).
	path []string
	// arrayRoot also matches objects that are elements of a top-level
	// array (Gemini's streamGenerateContent without alt=sse).
	arrayRoot bool
	// once stops after the first rewrite: the reply names its model once
	// (an Anthropic or OpenAI body, Anthropic's message_start); every other
	// byte is then copied without being looked at.
	once bool
	// perEvent is set for streams whose every event names the model once:
	// after the rewrite, the rest of the event is copied unread.
	perEvent bool
	skipping bool
	lines    protocol.SSELineEnds // the skipped event's line ends
	midLine  bool                 // the skipped event's current line has begun
	// value is the client's model as a JSON string, quotes included.
	value []byte

	done      bool
	frames    []frame // open objects and arrays, outermost first
	inString  bool
	escaped   bool
	replacing bool   // inside the string value being replaced
	held      []byte // that value's bytes so far, opening quote included
	key       []byte
	keyOn     bool // collecting the key being read (its object is on the path)
	keyDone   bool // the key just read is the last one of the object's
	keyMatch  bool // …and it names the next step of the path

	// Inline storage, so a reply costs no allocations beyond the rewriter.
	stack    [8]frame
	keyBuf   [32]byte
	heldBuf  [64]byte
	valueBuf [64]byte
}

// The key paths of the model name.
var (
	pathModel        = []string{"model"}
	pathMessageModel = []string{"message", "model"}
	pathModelVersion = []string{"modelVersion"}
)

// maxModelValue bounds how much of a model value is held back: no model
// name is longer.
const maxModelValue = 256

// frame is one open container; expectKey is true where an object's next
// string is a key.
type frame struct {
	object    bool
	onPath    bool // every key from the root to this object is on the path
	expectKey bool
}

// newModelRewriter returns the rewriter for a passthrough reply in format f
// (an SSE stream or a JSON body), or nil when nothing names the model.
func newModelRewriter(f protocol.Format, sse bool, client string) *modelRewriter {
	m := &modelRewriter{}
	m.value = protocol.AppendJSONString(m.valueBuf[:0], client)
	m.frames, m.key, m.held = m.stack[:0], m.keyBuf[:0], m.heldBuf[:0]
	switch {
	case f == protocol.Gemini:
		m.path, m.arrayRoot, m.perEvent = pathModelVersion, true, sse
	case f == protocol.Anthropic && sse:
		m.path, m.once = pathMessageModel, true
	case f == protocol.Anthropic:
		m.path, m.once = pathModel, true
	case f == protocol.OpenAI:
		// Every chunk of a stream names the model; a body names it once.
		m.path, m.once, m.perEvent = pathModel, !sse, sse
	default:
		return nil
	}
	return m
}

// rewrite appends p, rewritten, to dst. The only bytes held back are those
// of the model value a read ends in (a few dozen at most); every other byte
// of a read goes out with it.
func (m *modelRewriter) rewrite(dst, p []byte) []byte {
	for i := 0; i < len(p); i++ {
		if m.done {
			return append(dst, p[i:]...)
		}
		if m.skipping {
			end := m.skipEvent(p[i:])
			if end < 0 {
				return append(dst, p[i:]...)
			}
			dst = append(dst, p[i:i+end]...)
			i += end - 1
			m.reset()
			continue
		}
		if m.inString && !m.escaped && !m.keyOn && !m.replacing {
			// The inside of a string that is not a key on the path: copy up
			// to the next quote or backslash at once.
			k := bytes.IndexAny(p[i:], "\"\\")
			if k < 0 {
				return append(dst, p[i:]...)
			}
			dst = append(dst, p[i:i+k]...)
			i += k
		}
		c := p[i]
		if m.replacing {
			m.held = append(m.held, c)
			switch {
			case m.escaped:
				m.escaped = false
			case c == '\\':
				m.escaped = true
			case c == '"':
				// The whole old value is in: the client's goes out instead.
				dst = append(dst, m.value...)
				m.held, m.replacing, m.inString = m.held[:0], false, false
				m.done, m.skipping, m.midLine = m.once, m.perEvent, true
			case c < 0x20 || len(m.held) > maxModelValue:
				// Not a JSON string a provider would send: give the bytes
				// back untouched and copy the rest of the reply as it is.
				dst = m.flush(dst)
			}
			continue
		}
		dst = append(dst, c)
		if m.inString {
			switch {
			case m.escaped:
				m.escaped = false
				if m.keyOn {
					m.key = append(m.key, '\\', c) // an escaped key never matches a path step
				}
			case c == '\\':
				m.escaped = true
			case c == '"':
				m.inString = false
				if m.keyOn {
					m.keyOn, m.keyDone = false, true
					m.keyMatch = m.matches(m.key)
				}
			case m.keyOn:
				if len(m.key) < 32 {
					m.key = append(m.key, c)
				} else {
					m.keyOn = false // longer than any path step: not one
				}
			}
			continue
		}
		switch c {
		case '"':
			m.inString = true
			top := m.top()
			switch {
			case top != nil && top.object && top.expectKey:
				top.expectKey = false
				m.key, m.keyOn, m.keyDone, m.keyMatch = m.key[:0], top.onPath, false, false
			case m.keyDone && m.keyMatch && m.depthOnPath() == len(m.path):
				// The model's value: held until its closing quote, then
				// the client's goes out in its place.
				m.held = append(m.held[:0], '"')
				dst = dst[:len(dst)-1]
				m.replacing, m.keyDone = true, false
			default:
				m.keyDone = false
			}
		case '{', '[':
			parent := m.top()
			f := frame{object: c == '{', expectKey: c == '{'}
			switch {
			case parent == nil:
				f.onPath = c == '{' || m.arrayRoot
			case parent.object:
				f.onPath = m.keyDone && m.keyMatch && c == '{'
			default: // an element of an array
				f.onPath = parent.onPath && len(m.frames) == 1 && m.arrayRoot && c == '{'
			}
			m.frames = append(m.frames, f)
			m.keyDone = false
		case '}', ']':
			if n := len(m.frames); n > 0 {
				m.frames = m.frames[:n-1]
			}
			m.keyDone = false
		case ',':
			if top := m.top(); top != nil && top.object {
				top.expectKey = true
			}
			m.keyDone = false
		case ':', ' ', '\t', '\r', '\n':
		default:
			m.keyDone = false // a number, true, false, null: not the model's string
		}
	}
	return dst
}

// flush appends whatever is held back (the start of a model value a read
// ended in, or a malformed one) untouched, and stops rewriting: it is
// called at the end of the reply, or when the reply is not what it seemed.
func (m *modelRewriter) flush(dst []byte) []byte {
	if m.replacing {
		dst = append(dst, m.held...)
		m.held, m.replacing = m.held[:0], false
	}
	m.done = true
	return dst
}

// reset readies the scanner for the next event of a stream.
func (m *modelRewriter) reset() {
	m.skipping, m.inString, m.escaped, m.keyOn, m.keyDone = false, false, false, false, false
	m.lines, m.midLine = protocol.SSELineEnds{}, false
	m.frames = m.frames[:0]
}

// skipEvent returns how much of p belongs to the event being skipped, up
// to and including the blank line that ends it, or -1 when the event goes
// on past p. Its lines are cut as protocol.SSESplitter cuts them (LF, CRLF
// or CR, a CRLF split between reads included); m.midLine says the line p
// starts in began in an earlier read, so its end is no blank line. A CR
// that ends the blank line at the end of p may be followed by the LF of a
// CRLF: the scan of the next event passes over it as JSON whitespace.
func (m *modelRewriter) skipEvent(p []byte) int {
	rest := p
	for len(rest) > 0 {
		line, r, ok := m.lines.Next(rest)
		if !ok {
			if len(line) > 0 {
				m.midLine = true
			}
			return -1
		}
		rest = r
		if len(line) == 0 && !m.midLine {
			return len(p) - len(rest)
		}
		m.midLine = false
	}
	return -1
}

func (m *modelRewriter) top() *frame {
	if len(m.frames) == 0 {
		return nil
	}
	return &m.frames[len(m.frames)-1]
}

// depthOnPath is how many keys of the path lead to the open object, plus
// the key just read: the object's depth below the reply's root object.
func (m *modelRewriter) depthOnPath() int {
	n := 0
	for _, f := range m.frames {
		if f.object && f.onPath {
			n++
		}
	}
	return n
}

// matches reports whether key is the path's next step below the open
// object.
func (m *modelRewriter) matches(key []byte) bool {
	top := m.top()
	if top == nil || !top.object || !top.onPath {
		return false
	}
	step := m.depthOnPath() - 1
	return step < len(m.path) && m.path[step] == string(key)
}
