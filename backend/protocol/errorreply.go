package protocol

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Some upstreams report a failure inside a 200: a JSON error envelope as
// the whole reply, or an error event as a stream's first event. Such a
// reply is a failed attempt (the next channel may answer), and when it is
// the last word the client gets the provider's own message with the status
// its kind stands for, exactly as if the upstream had sent that status:
// clients match on the wording (Claude Code's recoveries) and retry on the
// status (429, 529).

// ReplyError is the error CheckReply and ErrorInEvent return for a reply
// that is the upstream's own error; errors.As finds the *UpstreamError in
// it (the provider's words and the error's kind).
type ReplyError struct {
	What     string // what the reply is: "an error", "an error event"
	Upstream *UpstreamError
}

func (e *ReplyError) Error() string {
	return e.What + " (" + Excerpt([]byte(e.Upstream.Message), 200) + ")"
}

// Unwrap gives the upstream's error.
func (e *ReplyError) Unwrap() error { return e.Upstream }

// errorOf builds the ReplyError for the error value e (an object or a
// string) found in a reply.
func errorOf(what string, e gjson.Result) *ReplyError {
	msg := e.Get("message").String()
	if msg == "" && e.Type == gjson.String {
		msg = e.Str
	}
	if msg == "" {
		msg = "the upstream answered with an error"
		if t := e.Get("type").String(); t != "" {
			msg += " of type " + t
		}
	}
	return &ReplyError{What: what, Upstream: &UpstreamError{Kind: errorKindOf(e), Message: msg}}
}

// isError reports a value that stands for an error: an "error" field that
// is null, false or empty says there is none (a Responses object carries
// "error": null).
func isError(v gjson.Result) bool {
	switch v.Type {
	case gjson.Null, gjson.False:
		return false
	case gjson.String:
		return strings.TrimSpace(v.Str) != ""
	case gjson.JSON:
		return v.Raw != "{}" && v.Raw != "[]"
	}
	return v.Exists()
}

// kindNames maps the error types, codes and statuses of every format to
// a kind: Anthropic's types, OpenAI's (Chat and Responses) types and
// codes, Gemini's google.rpc statuses.
var kindNames = map[string]ErrorKind{
	"invalid_request_error":   InvalidRequest,
	"invalid_request":         InvalidRequest,
	"invalid_prompt":          InvalidRequest,
	"context_length_exceeded": InvalidRequest,
	"invalid_argument":        InvalidRequest,
	"failed_precondition":     InvalidRequest,
	"authentication_error":    Authentication,
	"invalid_api_key":         Authentication,
	"unauthenticated":         Authentication,
	"permission_error":        Permission,
	"permission_denied":       Permission,
	"not_found_error":         NotFound,
	"model_not_found":         NotFound,
	"not_found":               NotFound,
	"request_too_large":       TooLarge,
	"rate_limit_error":        RateLimit,
	"rate_limit_exceeded":     RateLimit,
	"insufficient_quota":      RateLimit,
	"tokens":                  RateLimit,
	"resource_exhausted":      RateLimit,
	"billing_error":           Billing,
	"overloaded_error":        Overloaded,
	"overloaded":              Overloaded,
	"server_overloaded":       Overloaded,
	"server_is_overloaded":    Overloaded,
	"unavailable":             Overloaded,
	"timeout_error":           Timeout,
	"timeout":                 Timeout,
	"deadline_exceeded":       Timeout,
	"api_error":               APIError,
	"server_error":            APIError,
	"internal":                APIError,
}

// errorKindOf reads the kind of an error object in any format: a numeric
// HTTP code (Gemini's "code", some relays'), else its type, code or
// status by name; APIError when none says.
func errorKindOf(e gjson.Result) ErrorKind {
	if e.Type != gjson.JSON {
		return APIError
	}
	for _, field := range []string{"code", "status"} {
		if v := e.Get(field); v.Type == gjson.Number && v.Int() >= 400 && v.Int() < 600 {
			return KindForStatus(int(v.Int()))
		}
	}
	for _, field := range []string{"type", "code", "status"} {
		if k, ok := kindNames[strings.ToLower(e.Get(field).String())]; ok {
			return k
		}
	}
	return APIError
}

// ErrorInEvent is the upstream's error carried by one SSE event (its whole
// text: event and data lines), nil when it carries none: Anthropic's
// "event: error", data whose JSON has a top-level "error" (OpenAI,
// Gemini), the Responses API's "error" event and a response.failed. The
// event is read by SSESplitter, the one SSE grammar, so its data lines are
// joined as every other reader joins them.
func ErrorInEvent(event []byte) *ReplyError {
	var found *ReplyError
	emit := func(ev SSEFields) {
		if e := ErrorInFields(ev); e != nil {
			found = e
		}
	}
	var sp SSESplitter
	sp.Write(event, emit)
	sp.Flush(emit)
	return found
}

// ErrorInFields is ErrorInEvent for an event SSESplitter has already split:
// the error its data carries, or a bare "event: error".
func ErrorInFields(ev SSEFields) *ReplyError {
	if e := errorInData(ev.Data); e != nil {
		return e
	}
	if string(ev.Event) == "error" {
		return &ReplyError{What: "an error event", Upstream: &UpstreamError{Kind: APIError, Message: "the upstream sent an error event"}}
	}
	return nil
}

// errorInData is the error in one event's data, nil when there is none.
func errorInData(data []byte) *ReplyError {
	if len(data) == 0 {
		return nil
	}
	switch typ := gjson.GetBytes(data, "type").Str; {
	case typ == "response.failed":
		// A Responses stream that fails before any output.
		return errorOf("an error event", gjson.GetBytes(data, "response.error"))
	case typ == "error" && !gjson.GetBytes(data, "error").Exists():
		// The Responses API's error event: its fields at the top.
		return errorOf("an error event", gjson.ParseBytes(data))
	default:
		if e := gjson.GetBytes(data, "error"); isError(e) {
			return errorOf("an error event", e)
		}
	}
	return nil
}
