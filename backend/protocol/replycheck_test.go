package protocol

import (
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
		{"a BOM and white space first", OpenAI, "\xef\xbb\xbf\n " + openAIChat, true, ReplyOK, ""},
		{"an object whose telling field comes later", OpenAI, `{"id":"chatcmpl-1","model":"m","extra":"` + strings.Repeat("x", 100), false, ReplyUndecided, ""},
		{"nothing yet", Anthropic, "", false, ReplyUndecided, ""},

		{"an empty body", Anthropic, "", true, ReplyBad, "empty body"},
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
