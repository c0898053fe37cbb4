package gemini

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

func TestDecodeResponse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		body  string
		check func(t *testing.T, r *protocol.Response)
	}{
		{"rule 10: content keeps the model's order and adjacent text is merged",
			`{"candidates":[{"content":{"role":"model","parts":[{"text":"think ","thought":true},{"text":"more","thought":true,"thoughtSignature":"S"},{"text":"Hel"},{"text":"lo"},{"functionCall":{"name":"f","args":{"a":1}}}]},"finishReason":"STOP"}],"responseId":"r1","modelVersion":"gemini-2.5-pro"}`,
			func(t *testing.T, r *protocol.Response) {
				c := r.Content
				if len(c) != 3 || c[0].Thinking != "think more" || c[0].Signature != "S" || c[1].Text != "Hello" || c[2].Name != "f" {
					t.Fatalf("got %+v", c)
				}
				if c[2].ID != "call_r1_0" || string(c[2].Input) != `{"a":1}` || r.ID != "r1" || r.Model != "gemini-2.5-pro" {
					t.Errorf("got id %q input %s resp %q %q", c[2].ID, c[2].Input, r.ID, r.Model)
				}
			}},
		{"rule 11: STOP with function calls is tool_use",
			`{"candidates":[{"content":{"parts":[{"functionCall":{"id":"x","name":"f"}}]},"finishReason":"STOP"}]}`,
			func(t *testing.T, r *protocol.Response) {
				if r.StopReason != protocol.StopToolUse || r.Content[0].ID != "x" || string(r.Content[0].Input) != "{}" {
					t.Errorf("got %s %+v", r.StopReason, r.Content)
				}
			}},
		{"rule 11: MAX_TOKENS is max_tokens",
			`{"candidates":[{"content":{"parts":[{"text":"cut"}]},"finishReason":"MAX_TOKENS"}]}`,
			func(t *testing.T, r *protocol.Response) {
				if r.StopReason != protocol.StopMaxTokens {
					t.Errorf("got %s", r.StopReason)
				}
			}},
		{"rule 11: SAFETY and RECITATION are refusals",
			`{"candidates":[{"finishReason":"RECITATION"}]}`,
			func(t *testing.T, r *protocol.Response) {
				if r.StopReason != protocol.StopRefusal || len(r.Content) != 0 {
					t.Errorf("got %s %+v", r.StopReason, r.Content)
				}
			}},
		{"rule 11: a blocked prompt is a refusal with empty content",
			`{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}}`,
			func(t *testing.T, r *protocol.Response) {
				if r.StopReason != protocol.StopRefusal || len(r.Content) != 0 || r.Usage.InputTokens != 7 {
					t.Errorf("got %+v", r)
				}
			}},
		{"rule 11: other finish reasons are end_turn",
			`{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"OTHER"}]}`,
			func(t *testing.T, r *protocol.Response) {
				if r.StopReason != protocol.StopEndTurn {
					t.Errorf("got %s", r.StopReason)
				}
			}},
		{"rule 12: cached tokens are taken out of input and thoughts added to output",
			`{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1000,"cachedContentTokenCount":800,"candidatesTokenCount":50,"thoughtsTokenCount":30,"totalTokenCount":1080}}`,
			func(t *testing.T, r *protocol.Response) {
				want := protocol.Usage{InputTokens: 200, CacheReadTokens: 800, OutputTokens: 80, ReasoningTokens: 30}
				if r.Usage != want {
					t.Errorf("got %+v want %+v", r.Usage, want)
				}
			}},
		{"the JSON array of a non-SSE stream is merged",
			`[{"candidates":[{"content":{"parts":[{"text":"Hel"}]}}]},{"candidates":[{"content":{"parts":[{"text":"lo"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}]`,
			func(t *testing.T, r *protocol.Response) {
				if len(r.Content) != 1 || r.Content[0].Text != "Hello" || r.Usage.OutputTokens != 2 {
					t.Errorf("got %+v", r)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := Codec{}.DecodeResponse([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, r)
		})
	}
}

func TestDecodeResponseRejectsErrorsAndGarbage(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}`, `<html>`, ``} {
		if _, err := (Codec{}).DecodeResponse([]byte(body)); err == nil {
			t.Errorf("DecodeResponse(%q) gave no error", body)
		}
	}
}

func TestEncodeResponse(t *testing.T) {
	t.Parallel()
	resp := &protocol.Response{
		ID: "msg_1", Model: "claude-x", StopReason: protocol.StopToolUse,
		Content: []protocol.Block{
			{Type: protocol.BlockThinking, Thinking: "plan", Signature: "sig"},
			{Type: protocol.BlockText, Text: "Reading."},
			{Type: protocol.BlockToolUse, ID: "toolu_1", Name: "Read", Input: json.RawMessage(`{"file_path":"/a"}`)},
			{Type: protocol.BlockToolUse, ID: "toolu_2", Name: "Read", Input: json.RawMessage(`{"file_path":"/b",}`)},
		},
		Usage: protocol.Usage{InputTokens: 100, CacheReadTokens: 900, CacheWriteTokens: 10, OutputTokens: 60, ReasoningTokens: 20},
	}
	body, err := Codec{}.EncodeResponse(resp, protocol.EncodeOptions{Model: "gemini-2.5-pro"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "response_tools.gemini.json", codectest.IndentJSON(t, body))
	checkPaths(t, body, map[string]string{
		"usageMetadata":                                  `{"promptTokenCount":1010,"candidatesTokenCount":40,"thoughtsTokenCount":20,"cachedContentTokenCount":900,"totalTokenCount":1070}`,
		"candidates.0.finishReason":                      `"STOP"`,
		"candidates.0.content.role":                      `"model"`,
		"candidates.0.content.parts.3.functionCall.args": `{"file_path":"/b"}`,
		"modelVersion":                                   `"gemini-2.5-pro"`,
		"responseId":                                     `"msg_1"`,
	})
	back, err := Codec{}.DecodeResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	if back.Usage.InputTokens != 110 || back.Usage.CacheReadTokens != 900 || back.Usage.OutputTokens != 60 {
		t.Errorf("usage does not survive a round trip: %+v", back.Usage)
	}
}

func TestEncodeResponseStopReasons(t *testing.T) {
	t.Parallel()
	for reason, want := range map[protocol.StopReason]string{
		protocol.StopEndTurn: "STOP", protocol.StopMaxTokens: "MAX_TOKENS", protocol.StopRefusal: "SAFETY",
		protocol.StopSequence: "STOP", protocol.StopToolUse: "STOP",
	} {
		body, err := Codec{}.EncodeResponse(&protocol.Response{StopReason: reason}, protocol.EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), `"finishReason":"`+want+`"`) {
			t.Errorf("%s: got %s", reason, body)
		}
	}
}

func TestDecodeResponseMatchesGolden(t *testing.T) {
	t.Parallel()
	body := `{"candidates":[{"content":{"role":"model","parts":[
	  {"text":"The user wants two files.","thought":true},
	  {"text":"I'll read both."},
	  {"functionCall":{"name":"Read","args":{"file_path":"/a.go"}},"thoughtSignature":"Q2lnbmF0dXJl"},
	  {"functionCall":{"name":"Read","args":{"file_path":"/b.go"}}}]},"finishReason":"STOP","index":0}],
	  "usageMetadata":{"promptTokenCount":5000,"candidatesTokenCount":40,"thoughtsTokenCount":120,"cachedContentTokenCount":4096,"totalTokenCount":5160},
	  "modelVersion":"gemini-2.5-pro","responseId":"resp-42"}`
	r, err := Codec{}.DecodeResponse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "response_parallel_tools.neutral.json", pruner.NeutralJSON(t, r))
}
