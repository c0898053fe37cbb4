package protocol

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// ErrorKind names a class of failure the way Anthropic does; the other
// formats derive their own names from it.
type ErrorKind string

// The error kinds of the Anthropic API, which is the richest of the three.
const (
	InvalidRequest ErrorKind = "invalid_request_error"
	Authentication ErrorKind = "authentication_error"
	Permission     ErrorKind = "permission_error"
	NotFound       ErrorKind = "not_found_error"
	TooLarge       ErrorKind = "request_too_large"
	RateLimit      ErrorKind = "rate_limit_error"
	APIError       ErrorKind = "api_error"
	Overloaded     ErrorKind = "overloaded_error"
	Timeout        ErrorKind = "timeout_error"
	// Billing is a spent budget or credit (HTTP 402): retrying does not
	// help until someone pays or raises the limit.
	Billing ErrorKind = "billing_error"
)

// KindForStatus maps an HTTP status to the error kind clients expect for it.
func KindForStatus(status int) ErrorKind {
	switch {
	case status == http.StatusBadRequest:
		return InvalidRequest
	case status == http.StatusUnauthorized:
		return Authentication
	case status == http.StatusPaymentRequired:
		return Billing
	case status == http.StatusForbidden:
		return Permission
	case status == http.StatusNotFound:
		return NotFound
	case status == http.StatusRequestEntityTooLarge:
		return TooLarge
	case status == http.StatusTooManyRequests:
		return RateLimit
	case status == 529:
		return Overloaded
	case status == http.StatusGatewayTimeout:
		return Timeout
	case status >= 500:
		return APIError
	case status >= 400:
		return InvalidRequest
	}
	return APIError
}

// openAIType is the "type" OpenAI puts in its error envelope for a kind.
func openAIType(k ErrorKind) string {
	switch k {
	case InvalidRequest, NotFound, TooLarge:
		return "invalid_request_error"
	case Authentication:
		return "authentication_error"
	case Permission:
		return "permission_error"
	case RateLimit:
		return "rate_limit_error"
	case Timeout:
		return "timeout"
	case Billing:
		return "insufficient_quota"
	}
	return "server_error"
}

// geminiStatus is the google.rpc status name Gemini sends for an HTTP status.
func geminiStatus(status int) string {
	switch status {
	case 400, 413:
		return "INVALID_ARGUMENT"
	case 401:
		return "UNAUTHENTICATED"
	case 403:
		return "PERMISSION_DENIED"
	case 404:
		return "NOT_FOUND"
	case 402, 429:
		return "RESOURCE_EXHAUSTED"
	case 503, 529:
		return "UNAVAILABLE"
	case 504:
		return "DEADLINE_EXCEEDED"
	}
	return "INTERNAL"
}

// ErrorBody encodes an error in format f's own envelope:
//
//	anthropic {"type":"error","error":{"type","message"}}
//	openai    {"error":{"message","type","code"}} (also the Responses API's)
//	gemini    {"error":{"code","message","status"}}
func ErrorBody(f Format, status int, kind ErrorKind, message string) []byte {
	if kind == "" {
		kind = KindForStatus(status)
	}
	var v any
	switch f {
	case OpenAI, Responses:
		v = map[string]any{"error": map[string]any{
			"message": message, "type": openAIType(kind), "code": string(kind),
		}}
	case Gemini:
		v = map[string]any{"error": map[string]any{
			"code": status, "message": message, "status": geminiStatus(status),
		}}
	default:
		v = map[string]any{"type": "error", "error": map[string]any{
			"type": string(kind), "message": message,
		}}
	}
	b, _ := json.Marshal(v) // maps of strings and ints always encode
	return b
}

// maxTextMessage caps an upstream error that is plain text rather than a
// JSON envelope: a proxy's page dump, not a provider's message.
const maxTextMessage = 4 << 10

// UpstreamMessage pulls the human message out of an upstream error body in
// any of the three formats, word for word: clients act on the provider's
// wording (Claude Code recovers from "prompt is too long" by matching it),
// so a message from a JSON envelope is neither folded nor cut. A body that
// is not such an envelope is returned trimmed (an HTML page gives "", and
// plain text is cut at 4 KiB).
func UpstreamMessage(body []byte) string {
	if gjson.ValidBytes(body) {
		for _, path := range []string{"error.message", "message", "error", "detail", "msg"} {
			r := gjson.GetBytes(body, path)
			if r.Type == gjson.String && strings.TrimSpace(r.Str) != "" {
				return r.Str
			}
		}
		if r := gjson.GetBytes(body, "0.error.message"); r.Type == gjson.String && r.Str != "" { // Gemini stream arrays
			return r.Str
		}
	}
	msg := strings.TrimSpace(string(body))
	if strings.HasPrefix(msg, "<") {
		return "" // an HTML error page says nothing useful to a coding tool
	}
	if len(msg) > maxTextMessage {
		cut := maxTextMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// UpstreamError is a failure the upstream reported in a reply that looked
// successful (a 200 whose body is an error envelope, an error event), in the
// provider's own words. Decoders return it so the proxy can pass the
// message on unchanged, with the status its kind calls for.
type UpstreamError struct {
	Kind    ErrorKind
	Message string
}

func (e *UpstreamError) Error() string { return e.Message }

// StatusForKind is the HTTP status that goes with an error kind, the inverse
// of KindForStatus.
func StatusForKind(k ErrorKind) int {
	switch k {
	case InvalidRequest:
		return http.StatusBadRequest
	case Authentication:
		return http.StatusUnauthorized
	case Billing:
		return http.StatusPaymentRequired
	case Permission:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case RateLimit:
		return http.StatusTooManyRequests
	case Overloaded:
		return 529
	case Timeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
