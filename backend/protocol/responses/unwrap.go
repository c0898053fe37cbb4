package responses

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/routex-app/routex/backend/protocol"
)

// freeformStream unwraps a free-text tool call from the pieces of its
// neutral JSON input {"input":"…"} as they arrive, so a Responses client
// sees the text stream in as the model writes it. A model that wrote
// another shape gets its text whole at the end (protocol.FreeformText).
// Not safe for concurrent use.
type freeformStream struct {
	all   []byte // every piece received
	pos   int    // how much of all has been read
	state int
	text  []byte // the text unwrapped so far
}

const (
	ffPrefix   = iota // before the string's opening quote
	ffString          // inside the string
	ffDone            // after its closing quote
	ffFallback        // not the expected shape: unwrap at the end
)

// feed adds a piece of the JSON and returns the text it completes.
func (f *freeformStream) feed(piece string) string {
	f.all = append(f.all, piece...)
	if f.state == ffPrefix {
		n, ok, complete := matchPrefix(f.all)
		switch {
		case !ok:
			f.state = ffFallback
			return ""
		case !complete:
			return ""
		}
		f.pos, f.state = n, ffString
	}
	if f.state != ffString {
		return ""
	}
	start := len(f.text)
	f.decode()
	return string(f.text[start:])
}

// finish returns the text still to send and the whole text.
func (f *freeformStream) finish() (rest, whole string) {
	if f.state == ffPrefix || f.state == ffFallback {
		whole = protocol.FreeformText(f.all)
		f.text = []byte(whole)
		f.state = ffDone
		return whole, whole
	}
	return "", string(f.text)
}

// matchPrefix matches `{ "input" : "` (any JSON space between) at the
// start of b: n is where the string's content starts; ok is false when b
// cannot start that way; complete is false when b is too short to tell.
func matchPrefix(b []byte) (n int, ok, complete bool) {
	const key = `"` + protocol.FreeformField + `"`
	want := []string{"{", key, ":", `"`}
	i := 0
	for _, w := range want {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
		for j := 0; j < len(w); j++ {
			if i >= len(b) {
				return 0, true, false
			}
			if b[i] != w[j] {
				return 0, false, false
			}
			i++
		}
	}
	return i, true, true
}

// decode reads the string's content from pos, stopping before an escape
// that is not complete yet, and at the closing quote.
func (f *freeformStream) decode() {
	b := f.all
	for f.pos < len(b) {
		c := b[f.pos]
		switch {
		case c == '"':
			f.state = ffDone
			f.pos++
			return
		case c >= utf8.RuneSelf:
			// A piece may end inside a multi-byte character: wait for
			// the rest, so every piece sent is valid UTF-8.
			if !utf8.FullRune(b[f.pos:]) {
				return
			}
			_, size := utf8.DecodeRune(b[f.pos:])
			f.text = append(f.text, b[f.pos:f.pos+size]...)
			f.pos += size
			continue
		case c != '\\':
			f.text = append(f.text, c)
			f.pos++
			continue
		}
		if f.pos+1 >= len(b) {
			return
		}
		switch e := b[f.pos+1]; e {
		case 'n':
			f.text = append(f.text, '\n')
		case 't':
			f.text = append(f.text, '\t')
		case 'r':
			f.text = append(f.text, '\r')
		case 'b':
			f.text = append(f.text, '\b')
		case 'f':
			f.text = append(f.text, '\f')
		case 'u':
			r, used, ready := unicodeEscape(b[f.pos:])
			if !ready {
				return
			}
			f.text = utf8.AppendRune(f.text, r)
			f.pos += used
			continue
		default: // \" \\ \/ and anything a model got wrong: the character itself
			f.text = append(f.text, e)
		}
		f.pos += 2
	}
}

// unicodeEscape reads \uXXXX, or a surrogate pair \uXXXX\uXXXX, at the
// start of b; ready is false when b ends before the escape does.
func unicodeEscape(b []byte) (r rune, used int, ready bool) {
	if len(b) < 6 {
		return 0, 0, false
	}
	hi, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	if err != nil {
		return utf8.RuneError, 6, true
	}
	r = rune(hi)
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if len(b) < 12 {
		if len(b) >= 7 && b[6] != '\\' || len(b) >= 8 && b[7] != 'u' {
			return utf8.RuneError, 6, true
		}
		return 0, 0, false
	}
	lo, err := strconv.ParseUint(string(b[8:12]), 16, 16)
	if b[6] != '\\' || b[7] != 'u' || err != nil {
		return utf8.RuneError, 6, true
	}
	if pair := utf16.DecodeRune(r, rune(lo)); pair != utf8.RuneError {
		return pair, 12, true
	}
	return utf8.RuneError, 6, true
}
