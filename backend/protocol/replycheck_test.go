package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckReply(t *testing.T) {
	t.Parallel()
	const (
		anthropicMsg = `{"id":"msg_01","type":"message","role":"assistant","model":"glm-4.6","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}`
		// Some Anthropic-compatible servers leave out "type".
		anthropicNoType = `{"id":"x","role":"assistant","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn"}`
		anthropicCount  = `{"input_tokens":42}`
		openAIChat      = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}`
		openAIResponses = `{"id":"resp_1","object":"response","status":"completed","output":[]}`
		// What the Responses API really sends: "error": null before the output.
		responsesReply  = `{"id":"resp_1","object":"response","created_at":1,"status":"completed","error":null,"incomplete_details":null,"model":"gpt-5","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi"}]}]}`
		responsesFailed = `{"id":"resp_1","object":"response","status":"failed","error":{"code":"rate_limit_exceeded","message":"Rate limit reached for gpt-5"},"output":[]}`
		geminiReply     = `{"candidates":[{"content":{"role":"model","parts":[{"text":"Hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3}}`
		geminiBlocked   = `{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3}}`
		geminiArray     = "[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]}}]}\n,{\"candidates\":[]}]"
		html            = "<!DOCTYPE html><html><head><title>Hotel Wi-Fi login</title></head><body>Please sign in</body></html>"
	)
	tests := []struct {
		name     string
		f        Format
		head     string
		complete bool
		want     ReplyVerdict
		msg      string // in the error, for bad ones
	}{
		{"an Anthropic message", Anthropic, anthropicMsg, true, ReplyOK, ""},
		{"the first bytes of an Anthropic message", Anthropic, anthropicMsg[:40], false, ReplyOK, ""},
		{"an Anthropic message without type", Anthropic, anthropicNoType, true, ReplyOK, ""},
		{"an Anthropic count_tokens reply", Anthropic, anthropicCount, true, ReplyOK, ""},
		{"an OpenAI completion", OpenAI, openAIChat, true, ReplyOK, ""},
		{"the first bytes of an OpenAI completion", OpenAI, openAIChat[:60], false, ReplyOK, ""},
		{"an OpenAI Responses object", OpenAI, openAIResponses, true, ReplyOK, ""},
		{"a Gemini reply", Gemini, geminiReply, true, ReplyOK, ""},
		{"a Gemini reply blocked by safety", Gemini, geminiBlocked, true, ReplyOK, ""},
		{"a Gemini JSON-array stream", Gemini, geminiArray, true, ReplyOK, ""},
		{"the start of a Gemini JSON-array stream", Gemini, "[\n{\"candi", false, ReplyUndecided, ""},
		{"a reply of an unknown format", Format("responses"), `{"anything":1}`, true, ReplyOK, ""},
		{"a Responses reply with error null", Responses, responsesReply, true, ReplyOK, ""},
		{"the first bytes of a Responses reply", Responses, responsesReply[:30], false, ReplyOK, ""},
		{"the Responses reply cut inside its error null", Responses, responsesReply[:strings.Index(responsesReply, "null")+2], false, ReplyUndecided, ""},
		{"a Responses input_tokens count", Responses, `{"object":"response.input_tokens","input_tokens":17}`, true, ReplyOK, ""},
		{"an OpenAI completion with error null", OpenAI, `{"error":null,"id":"c","object":"chat.completion","choices":[]}`, true, ReplyOK, ""},
		{"a BOM and white space first", OpenAI, "\xef\xbb\xbf\n " + openAIChat, true, ReplyOK, ""},
		{"an object whose telling field comes later", OpenAI, `{"id":"chatcmpl-1","model":"m","extra":"` + strings.Repeat("x", 100), false, ReplyUndecided, ""},
		{"nothing yet", Anthropic, "", false, ReplyUndecided, ""},

		{"an empty body", Anthropic, "", true, ReplyBad, "empty body"},
		{"a failed Responses object", Responses, responsesFailed, true, ReplyBad, "an error (Rate limit reached for gpt-5)"},
		{"an Anthropic message to a Responses channel", Responses, anthropicMsg, true, ReplyBad, "without the fields of an OpenAI Responses reply"},
		{"only white space", OpenAI, " \r\n", true, ReplyBad, "empty body"},
		{"a captive portal page", Anthropic, html, true, ReplyBad, "web page (title Hotel Wi-Fi login), not an Anthropic reply"},
		{"the start of an HTML page", OpenAI, "<html><bo", false, ReplyBad, "web page"},
		{"plain text", Gemini, "upstream connect error or disconnect/reset before headers", true, ReplyBad, "text that is not JSON (upstream connect error"},
		{"cut JSON", Anthropic, `{"id":"msg_01","type":"mess`, true, ReplyBad, "invalid JSON"},
		{"an Anthropic error in a 200", Anthropic, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, true, ReplyBad, "an error (Overloaded)"},
		{"an OpenAI error in a 200", OpenAI, `{"error":{"message":"Insufficient balance","type":"insufficient_quota"}}`, true, ReplyBad, "Insufficient balance"},
		{"a Gemini error inside an array", Gemini, `[{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}]`, true, ReplyBad, "Resource exhausted"},
		{"a string error", OpenAI, `{"error":"no healthy upstream"}`, true, ReplyBad, "no healthy upstream"},
		{"an Anthropic reply to an OpenAI client's channel", OpenAI, anthropicMsg, true, ReplyBad, "without the fields of an OpenAI reply (it has id, type, role"},
		{"an empty object", Gemini, `{}`, true, ReplyBad, "it has no fields"},
		{"an array for Anthropic", Anthropic, `[{"type":"message"}]`, true, ReplyBad, "JSON array"},
		{"an array of strings", Gemini, `["a"]`, true, ReplyBad, "other than objects"},
	}
	for _, tt := range tests {
		got, err := CheckReply(tt.f, []byte(tt.head), tt.complete)
		if got != tt.want {
			t.Errorf("%s: verdict %v (%v), want %v", tt.name, got, err, tt.want)
			continue
		}
		if tt.want == ReplyBad && (err == nil || !strings.Contains(err.Error(), tt.msg)) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.msg)
		}
		if tt.want != ReplyBad && err != nil {
			t.Errorf("%s: error %v with verdict %v", tt.name, err, got)
		}
	}
}

// An error inside a 200 keeps the provider's words and gets the kind its
// type, code or status stands for, in every format.
func TestCheckReplyErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f    Format
		body string
		kind ErrorKind
		msg  string
	}{
		{OpenAI, `{"error":{"message":"Rate limit reached for gpt-4.1","type":"tokens","code":"rate_limit_exceeded"}}`, RateLimit, "Rate limit reached for gpt-4.1"},
		{OpenAI, `{"error":{"message":"Insufficient balance","type":"insufficient_quota"}}`, RateLimit, "Insufficient balance"},
		{OpenAI, `{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}`, InvalidRequest, "This model's maximum context length is 128000 tokens."},
		{OpenAI, `{"error":{"message":"busy","code":"503"}}`, APIError, "busy"},
		{OpenAI, `{"error":{"message":"busy","code":503}}`, APIError, "busy"},
		{OpenAI, `{"error":"no healthy upstream"}`, APIError, "no healthy upstream"},
		{Anthropic, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, Overloaded, "Overloaded"},
		{Anthropic, `{"type":"error","error":{"type":"not_found_error","message":"model: x"}}`, NotFound, "model: x"},
		{Anthropic, `{"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low"}}`, Billing, "Your credit balance is too low"},
		{Gemini, `{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}`, RateLimit, "Resource exhausted"},
		{Gemini, `[{"error":{"message":"Try later","status":"UNAVAILABLE"}}]`, Overloaded, "Try later"},
		{Responses, `{"object":"response","status":"failed","error":{"code":"server_error","message":"The server had an error"}}`, APIError, "The server had an error"},
	}
	for _, tt := range tests {
		verdict, err := CheckReply(tt.f, []byte(tt.body), true)
		var ue *UpstreamError
		if verdict != ReplyBad || !errors.As(err, &ue) {
			t.Errorf("%s: verdict %v, error %v; want bad with the upstream's error", tt.body, verdict, err)
			continue
		}
		if ue.Kind != tt.kind || ue.Message != tt.msg {
			t.Errorf("%s: kind %q message %q, want %q %q", tt.body, ue.Kind, ue.Message, tt.kind, tt.msg)
		}
	}
	// Not the upstream's error: nothing to take words from.
	if _, err := CheckReply(OpenAI, []byte("<html></html>"), true); errors.As(err, new(*UpstreamError)) {
		t.Errorf("an HTML page gave an upstream error: %v", err)
	}
}

func TestErrorInEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		event string
		kind  ErrorKind // "" for none
		msg   string
	}{
		{"an Anthropic error event", "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}", Overloaded, "Overloaded"},
		{"an OpenAI error chunk", "data: {\"error\":{\"message\":\"Rate limit\",\"type\":\"rate_limit_error\"}}", RateLimit, "Rate limit"},
		{"a Responses error event", "event: error\r\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"Slow down\",\"param\":null}", RateLimit, "Slow down"},
		{"a Responses response.failed", "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"Boom\"}}}", APIError, "Boom"},
		{"an error event without words", "event: error\ndata: {}", APIError, "the upstream sent an error event"},
		{"an error event written without spaces, CR line ends", "event:error\rdata:{}", APIError, "the upstream sent an error event"},
		{"an error split over two data lines", "data: {\"error\":\ndata: {\"message\":\"Split\",\"type\":\"overloaded_error\"}}", Overloaded, "Split"},
		{"a Responses response.created", "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"object\":\"response\",\"error\":null}}", "", ""},
		{"a chunk with error null", "data: {\"error\":null,\"choices\":[]}", "", ""},
		{"an Anthropic message_start", "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}", "", ""},
	}
	for _, tt := range tests {
		e := ErrorInEvent([]byte(tt.event))
		switch {
		case tt.kind == "" && e != nil:
			t.Errorf("%s: %v, want no error", tt.name, e)
		case tt.kind != "" && e == nil:
			t.Errorf("%s: no error, want %s %q", tt.name, tt.kind, tt.msg)
		case tt.kind != "" && (e.Upstream.Kind != tt.kind || e.Upstream.Message != tt.msg):
			t.Errorf("%s: %s %q, want %s %q", tt.name, e.Upstream.Kind, e.Upstream.Message, tt.kind, tt.msg)
		}
	}
}

func TestCheckEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    Format
		data string
		msg  string // "" for ok
	}{
		{"Anthropic message_start", Anthropic, `{"type":"message_start","message":{"id":"msg_01"}}`, ""},
		{"Anthropic ping", Anthropic, `{"type": "ping"}`, ""},
		{"an OpenAI chunk", OpenAI, `{"id":"c","object":"chat.completion.chunk","choices":[]}`, ""},
		{"OpenAI's end of stream", OpenAI, "[DONE]", ""},
		{"a Gemini chunk", Gemini, `{"candidates":[{"content":{"parts":[{"text":"Hi"}]}}]}`, ""},
		{"a Responses response.created", Responses, `{"type":"response.created","sequence_number":0,"response":{"object":"response","error":null}}`, ""},
		{"a Chat chunk on a Responses channel", Responses, `{"id":"c","object":"chat.completion.chunk","choices":[]}`, "without the fields of OpenAI Responses events"},
		{"an HTML page as data", Anthropic, "<html><title>Bad gateway</title></html>", "web page (title Bad gateway)"},
		{"text as data", OpenAI, "hello", "not JSON (hello)"},
		{"empty data", Gemini, "", "not JSON (blank)"},
		{"JSON of another format", Gemini, `{"type":"message_start"}`, "without the fields of Gemini events"},
	}
	for _, tt := range tests {
		err := CheckEvent(tt.f, []byte(tt.data))
		switch {
		case tt.msg == "" && err != nil:
			t.Errorf("%s: %v, want ok", tt.name, err)
		case tt.msg != "" && (err == nil || !strings.Contains(err.Error(), tt.msg)):
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.msg)
		}
	}
}

// BenchmarkCheckReply is the check every passthrough reply pays.
func BenchmarkCheckReply(b *testing.B) {
	reply := []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if v, err := CheckReply(OpenAI, reply, true); v != ReplyOK {
			b.Fatal(err)
		}
	}
}
