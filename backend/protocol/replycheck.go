package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// A 200 is not always a reply: a captive portal, a misconfigured relay or a
// proxy's error page answers 200 with HTML, and an upstream may close right
// after the headers. Relayed as they are, the client sees a broken answer
// logged as a success, and the channel's breaker never opens. These checks
// look at the first bytes of a successful reply, before anything reaches
// the client, and say whether it is what the format promises. They are
// lenient about fields (providers differ) and strict about the rest: an
// empty body, HTML, text and JSON errors are refused.

// ReplyVerdict is what CheckReply found.
type ReplyVerdict int

// Verdicts of CheckReply.
const (
	ReplyUndecided ReplyVerdict = iota // read more of the body, then ask again
	ReplyOK                            // a reply of the format (or one that may be)
	ReplyBad                           // not a reply: the error says why
)

// replyKeys are top-level fields that only a reply of each format has.
var replyKeys = map[Format][]string{
	Anthropic: {"content", "stop_reason", "input_tokens"},
	OpenAI:    {"choices", "output", "object"},
	Gemini:    {"candidates", "usageMetadata", "promptFeedback", "totalTokens", "modelVersion", "responseId"},
	// A response object ("object": "response") and an input_tokens count
	// ("object": "response.input_tokens"); both carry "error": null.
	Responses: {"object", "output", "input_tokens"},
}

// CheckReply judges head, the first bytes of a non-streamed 200 of format
// f; complete says head is the whole body. A JSON object (or, for Gemini, an
// array of them) with a field only that format's replies have is ok; an
// empty body, HTML, text, invalid JSON or a JSON error object is bad (the
// error is then a *ReplyError with the provider's words and kind; an
// "error" that is null or empty is no error). While
// head is an incomplete object whose fields do not tell yet, the verdict is
// ReplyUndecided: the caller reads more, up to its limit, then treats an
// undecided object as ok (a large reply with unusual fields first).
func CheckReply(f Format, head []byte, complete bool) (ReplyVerdict, error) {
	b := trimLeft(head)
	if len(b) == 0 {
		if complete {
			return ReplyBad, errors.New("an empty body")
		}
		return ReplyUndecided, nil
	}
	switch b[0] {
	case '{', '[':
	case '<':
		return ReplyBad, fmt.Errorf("a web page (%s), not %s reply", pageTitle(b), formatArticle(f))
	default:
		return ReplyBad, fmt.Errorf("text that is not JSON (%s), not %s reply", Excerpt(b, 80), formatArticle(f))
	}
	if complete && !gjson.ValidBytes(b) {
		return ReplyBad, fmt.Errorf("invalid JSON (%s), not %s reply", Excerpt(b, 80), formatArticle(f))
	}
	obj, prefix := b, ""
	if b[0] == '[' {
		if f != Gemini && f != "" {
			return ReplyBad, fmt.Errorf("a JSON array, not %s reply", formatArticle(f))
		}
		obj, prefix = trimLeft(b[1:]), "0."
		if len(obj) == 0 {
			if complete {
				return ReplyBad, errors.New("an empty JSON array")
			}
			return ReplyUndecided, nil
		}
		if obj[0] != '{' {
			return ReplyBad, errors.New("a JSON array of something other than objects")
		}
	}
	var typ []byte
	sawError, errCut, found := false, false, false
	want, known := replyKeys[f]
	whole := topKeys(obj, func(key, value []byte) bool {
		switch {
		case string(key) == "error" && value == nil:
			errCut = true // the value goes on past head
		case string(key) == "error":
			// null, false or empty says there is none.
			sawError = isError(gjson.ParseBytes(value))
		case string(key) == "type" && len(value) > 1 && value[0] == '"':
			typ = value[1 : len(value)-1]
		case known && slices.Contains(want, string(key)):
			found = true
		}
		return !sawError && !errCut
	})
	if errCut && !complete {
		return ReplyUndecided, nil
	}
	if sawError || errCut || string(typ) == "error" {
		e := gjson.GetBytes(b, prefix+"error")
		if !isError(e) {
			// {"type":"error","message":…}: the fields at the top.
			if e = gjson.ParseBytes(b); prefix != "" {
				e = e.Get("0")
			}
		}
		return ReplyBad, errorOf("an error", e)
	}
	if !known || found || (f == Anthropic && string(typ) == "message") {
		return ReplyOK, nil
	}
	if whole || complete {
		return ReplyBad, fmt.Errorf("JSON without the fields of %s reply (it has %s)", formatArticle(f), keyList(obj))
	}
	return ReplyUndecided, nil
}

// eventKeys are top-level fields one of which the data of a stream's first
// event has, per format.
var eventKeys = map[Format][]string{
	Anthropic: {"type"},
	OpenAI:    {"choices", "object", "id", "type"},
	Gemini:    {"candidates", "usageMetadata", "promptFeedback", "modelVersion", "responseId"},
	// response.created, response.in_progress, …: every event has a type.
	Responses: {"type"},
}

// CheckEvent judges the data of a stream's first event that carries data:
// it must be a JSON object with a field that format's events have (or
// OpenAI's "[DONE]"). Error events are ErrorInEvent's business, asked
// first.
func CheckEvent(f Format, data []byte) error {
	b := bytes.TrimSpace(data)
	if f == OpenAI && string(b) == "[DONE]" {
		return nil
	}
	if len(b) == 0 || b[0] != '{' || !gjson.ValidBytes(b) {
		if len(b) > 0 && b[0] == '<' {
			return fmt.Errorf("a stream whose first event is a web page (%s), not %s events", pageTitle(b), formatName(f))
		}
		return fmt.Errorf("a stream whose first event is not JSON (%s), not %s events", Excerpt(b, 80), formatName(f))
	}
	want, known := eventKeys[f]
	if !known {
		return nil
	}
	found := false
	topKeys(b, func(key, _ []byte) bool {
		found = slices.Contains(want, string(key))
		return !found
	})
	if found {
		return nil
	}
	return fmt.Errorf("a stream whose first event is JSON without the fields of %s events (it has %s)", formatName(f), keyList(b))
}

// maxKeys bounds the top-level keys collected: enough to judge a reply.
const maxKeys = 32

// topKeys calls visit with each top-level key of the JSON object at the
// start of b, and its value when the value is whole within b, as far as b
// goes or until visit returns false; whole says the object ended within b.
// Nothing is allocated: it runs on every reply.
func topKeys(b []byte, visit func(key, value []byte) bool) (whole bool) {
	i := 1 // past '{'
	for n := 0; n < maxKeys; n++ {
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case '}':
			return true
		case '"':
		default:
			return false // not a key where one belongs: leave it to the validity check
		}
		end, ok := skipString(b, i)
		if !ok {
			return false
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			visit(key, nil)
			return false
		}
		i = skipSpace(b, i+1)
		vstart := i
		if i, ok = skipValue(b, i); !ok {
			visit(key, nil)
			return false
		}
		if !visit(key, b[vstart:i]) {
			return false
		}
	}
	return false
}

// skipValue returns the index just past the JSON value starting at i, or
// false when b ends first.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, ok := skipString(b, i)
				if !ok {
					return i, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return i, false
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i, true
		}
		i++
	}
	return i, false
}

// skipString returns the index just past the string whose quote is at i.
func skipString(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); {
		k := bytes.IndexAny(b[j:], `"\`)
		if k < 0 {
			return len(b), false
		}
		j += k
		if b[j] == '\\' {
			j += 2
			continue
		}
		return j + 1, true
	}
	return len(b), false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// trimLeft drops leading white space and a UTF-8 byte order mark.
func trimLeft(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return bytes.TrimLeft(b, " \t\r\n")
}

// formatName is a format's proper name.
func formatName(f Format) string {
	switch f {
	case Anthropic:
		return "Anthropic"
	case OpenAI:
		return "OpenAI"
	case Gemini:
		return "Gemini"
	case Responses:
		return "OpenAI Responses"
	}
	return string(f)
}

// formatArticle names a format for a message: "an Anthropic", "a Gemini".
func formatArticle(f Format) string {
	switch f {
	case Anthropic:
		return "an Anthropic"
	case OpenAI:
		return "an OpenAI"
	case Gemini:
		return "a Gemini"
	case Responses:
		return "an OpenAI Responses"
	}
	return "a " + string(f)
}

// keyList names the top-level keys of the object at the start of b, for a
// message.
func keyList(b []byte) string {
	var keys []string
	topKeys(b, func(key, _ []byte) bool {
		keys = append(keys, string(key))
		return len(keys) <= 6
	})
	if len(keys) == 0 {
		return "no fields"
	}
	if len(keys) > 6 {
		keys = append(keys[:6:6], "…")
	}
	return strings.Join(keys, ", ")
}

// pageTitle names an HTML page by its title, else its first words.
func pageTitle(b []byte) string {
	if t := HTMLTitle(b); t != "" {
		return "title " + t
	}
	return Excerpt(b, 80)
}

// HTMLTitle is the title of an HTML page, "" when it has none: what a
// message shows of a captive portal or an error page.
func HTMLTitle(b []byte) string {
	if len(b) > 64<<10 {
		b = b[:64<<10]
	}
	lower := bytes.ToLower(b)
	if i := bytes.Index(lower, []byte("<title>")); i >= 0 {
		rest := b[i+7:]
		if j := bytes.Index(bytes.ToLower(rest), []byte("</title>")); j >= 0 {
			return Excerpt(rest[:j], 80)
		}
	}
	return ""
}

// Excerpt is the start of b as one line of at most n characters, for
// messages: white space collapsed, invalid UTF-8 dropped.
func Excerpt(b []byte, n int) string {
	if len(b) > 4*n {
		b = b[:4*n]
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "")), " ")
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = string(r[:n]) + "…"
	}
	if s == "" {
		return "blank"
	}
	return s
}
