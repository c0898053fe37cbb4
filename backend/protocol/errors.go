package protocol

import (
	"encoding/json"
	"net/http"
	"strings"

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
//	openai    {"error":{"message","type","code"}}
//	gemini    {"error":{"code","message","status"}}
func ErrorBody(f Format, status int, kind ErrorKind, message string) []byte {
	if kind == "" {
		kind = KindForStatus(status)
	}
	var v any
	switch f {
	case OpenAI:
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

// UpstreamMessage pulls the human message out of an upstream error body in
// any of the three formats, or returns the trimmed text itself (an HTML
// gateway page, a plain string). It never returns more than 500 bytes.
func UpstreamMessage(body []byte) string {
	var msg string
	if gjson.ValidBytes(body) {
		for _, path := range []string{"error.message", "message", "error", "detail", "msg"} {
			r := gjson.GetBytes(body, path)
			if r.Type == gjson.String && r.Str != "" {
				msg = r.Str
				break
			}
		}
		if msg == "" {
			if r := gjson.GetBytes(body, "0.error.message"); r.Type == gjson.String { // Gemini stream arrays
				msg = r.Str
			}
		}
	}
	if msg == "" {
		msg = strings.TrimSpace(string(body))
		if strings.HasPrefix(msg, "<") {
			msg = "" // an HTML error page says nothing useful to a coding tool
		}
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return msg
}
