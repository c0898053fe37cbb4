package protocol

import (
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// RequestFacts is what can be told about a client's request from its raw
// body without decoding it: what routing decides by (route.Summarize builds
// route.Summary from it), and the model and stream flag every handler of a
// request needs. Each format package has the one reader that fills it
// (anthropic.ReadRequestFacts, openai.ReadRequestFacts,
// gemini.ReadRequestFacts, responses.ReadRequestFacts), so a field is read
// one way wherever it is asked for.
type RequestFacts struct {
	// Model is the body's model field ("" for Gemini, whose model is in the
	// URL).
	Model string
	// Stream is true for "stream": true (never for Gemini, which says so in
	// the URL).
	Stream bool
	// Thinking is true when the request asks for extended reasoning.
	Thinking bool
	// HasTools is true when the request declares at least one tool.
	HasTools bool
	// WebSearch is true for a web search tool (or OpenAI's
	// web_search_options).
	WebSearch bool
	// UserID is the client's own name for the user or the conversation.
	UserID string
	// Messages is the number of turns (Gemini contents, Responses input
	// items).
	Messages int
	// Tokens is a quick estimate of the prompt (FactsFull only).
	Tokens int
	// LastUserText is the text of the last user turn, cut to
	// LastUserTextSize bytes (FactsFull only).
	LastUserText string
	// HasImage is true when the last user turn carries an image (FactsFull
	// only).
	HasImage bool
}

// FactsDetail is how much of a request body a reader looks at: what a
// passthrough request does not need can cost more than the rest of it.
type FactsDetail uint8

const (
	// FactsFull reads every field of RequestFacts.
	FactsFull FactsDetail = iota
	// FactsLight skips Tokens, LastUserText and HasImage, which need every
	// turn's content, and parses tool schemas only when they may hold a web
	// search tool.
	FactsLight
	// FactsTop reads only the body's top-level scalars: Model, Stream,
	// Thinking and UserID. Tools and turns are skipped unread, so it costs
	// about what one gjson.Get does.
	FactsTop
)

// FactsOptions tunes a request reader. The zero value reads everything and
// calls nothing.
type FactsOptions struct {
	// Detail is how much to read.
	Detail FactsDetail
	// System, when not nil, is called with each system text: a system
	// prompt, instructions, and system or developer turns. text is a view
	// into the body, valid only during the call.
	System func(text string)
	// SystemHints, when not empty, let a FactsLight read skip the turns
	// when their raw JSON contains none of them: System is then not called
	// for system turns that cannot hold what the caller looks for.
	SystemHints []string
	// FirstUser, when not nil, is called with each text of the first user
	// turn (a view into the body, valid only during the call): enough to
	// tell one conversation from another when the client names none. A
	// FactsLight read of an Anthropic body then walks the turns only when
	// the body has no UserID.
	FirstUser func(text string)
}

// Weights of the quick prompt estimate, in line with package tokens: a
// message's framing, a tool's, a typical screenshot, a typical document.
const (
	PerMessageTokens  = 4
	PerToolTokens     = 8
	PerImageTokens    = 1600
	PerDocumentTokens = 3000
	// LastUserTextSize bounds RequestFacts.LastUserText.
	LastUserTextSize = 4096
)

// FullDetail reports whether o reads Tokens, LastUserText and HasImage.
func (o *FactsOptions) FullDetail() bool { return o.Detail == FactsFull }

// OnSystem calls o.System with text, when set.
func (o *FactsOptions) OnSystem(text string) {
	if o.System != nil {
		o.System(text)
	}
}

// WantsSystemTurns reports whether a light read must walk turns whose raw
// JSON is raw to call System for the system turns among them.
func (o *FactsOptions) WantsSystemTurns(raw string) bool {
	if o.System == nil {
		return false
	}
	if len(o.SystemHints) == 0 {
		return true
	}
	for _, h := range o.SystemHints {
		if strings.Contains(raw, h) {
			return true
		}
	}
	return false
}

// TextBuilder collects the last user turn's text, newline-joined, up to
// LastUserTextSize bytes, cut on a rune boundary. The zero value is ready.
type TextBuilder struct{ b strings.Builder }

// Add appends s (nothing for "" or once full).
func (t *TextBuilder) Add(s string) {
	if s == "" {
		return
	}
	room := LastUserTextSize - t.b.Len()
	if t.b.Len() > 0 {
		room--
	}
	if room <= 0 {
		return
	}
	if t.b.Len() > 0 {
		t.b.WriteByte('\n')
	}
	if len(s) > room {
		i := room
		for i > 0 && s[i]&0xC0 == 0x80 { // never split a multi-byte rune
			i--
		}
		s = s[:i]
	}
	t.b.WriteString(s)
}

// String is the text collected.
func (t *TextBuilder) String() string { return t.b.String() }

// ContentTexts calls add with each text of a message's content: the string
// itself, or each {"type":"text"} block, the same shape in Anthropic and
// OpenAI Chat bodies (tool results and images are left out).
func ContentTexts(content gjson.Result, add func(string)) {
	if content.Type == gjson.String {
		add(content.Str)
		return
	}
	content.ForEach(func(_, b gjson.Result) bool {
		if b.Get("type").Str == "text" {
			add(b.Get("text").Str)
		}
		return true
	})
}

// FactsRoot parses body for a request reader without copying it: the
// result views body, so strings kept from it must be cloned. ok is false
// when body is not a JSON object; the reader then reports nothing.
func FactsRoot(body []byte) (gjson.Result, bool) {
	// gjson.ParseBytes would copy the whole body to a string.
	root := gjson.Parse(unsafe.String(unsafe.SliceData(body), len(body)))
	return root, root.IsObject()
}

// FeedFirstUser passes the texts of a user turn's content (as texts finds
// them) to o.FirstUser and returns their total length: a reader feeds
// each user turn until one had text, so a first turn of only images or
// tool results does not leave the conversation unnamed.
func (o *FactsOptions) FeedFirstUser(content gjson.Result, texts func(gjson.Result, func(string))) int {
	n := 0
	texts(content, func(s string) {
		n += len(s)
		o.FirstUser(s)
	})
	return n
}
