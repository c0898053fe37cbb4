package anthropic

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

func TestResponseGolden(t *testing.T) {
	t.Parallel()
	resp, err := Codec{}.DecodeResponse(codectest.ReadTestdata(t, "response.upstream.json"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "response.neutral.json", marshalIndent(t, resp))
	out, err := Codec{}.EncodeResponse(resp, protocol.EncodeOptions{Model: "claude-client"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "response.client.json", codectest.IndentJSON(t, out))
}

func TestDecodeResponse(t *testing.T) {
	t.Parallel()
	t.Run("rule 10 and 12: order, usage and server blocks skipped", func(t *testing.T) {
		t.Parallel()
		resp, err := Codec{}.DecodeResponse(codectest.ReadTestdata(t, "response.upstream.json"))
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, b := range resp.Content {
			types = append(types, string(b.Type))
		}
		if strings.Join(types, ",") != "thinking,redacted_thinking,text,tool_use,tool_use" {
			t.Error(types)
		}
		if u := resp.Usage; u.InputTokens != 2095 || u.OutputTokens != 503 || u.CacheReadTokens != 500 || u.CacheWriteTokens != 10 {
			t.Errorf("%+v", u)
		}
		if resp.StopReason != protocol.StopToolUse || resp.Content[0].Signature != "EqQBCgIYAhIM" {
			t.Errorf("%+v", resp)
		}
	})
	t.Run("an error body is an error", func(t *testing.T) {
		t.Parallel()
		_, err := Codec{}.DecodeResponse([]byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
		if err == nil || !strings.Contains(err.Error(), "Overloaded") {
			t.Error(err)
		}
	})
	t.Run("a body that is not JSON is an error", func(t *testing.T) {
		t.Parallel()
		if _, err := (Codec{}).DecodeResponse([]byte(`<html>`)); err == nil {
			t.Error("no error")
		}
	})
}

func TestEncodeResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		resp  protocol.Response
		check func(t *testing.T, m map[string]any)
	}{
		{"rule 14: an OpenAI id becomes a stable msg_ id", protocol.Response{ID: "chatcmpl-abc", Content: []protocol.Block{text("hi")}},
			func(t *testing.T, m map[string]any) {
				again, _ := Codec{}.EncodeResponse(&protocol.Response{ID: "chatcmpl-abc"}, protocol.EncodeOptions{Model: "c"})
				id := m["id"].(string)
				if !strings.HasPrefix(id, "msg_") || len(id) != 28 || !strings.Contains(string(again), id) {
					t.Errorf("%s / %s", id, again)
				}
			}},
		{"rule 11: tool calls with stop end_turn report tool_use", protocol.Response{StopReason: protocol.StopEndTurn, Content: []protocol.Block{
			{Type: protocol.BlockToolUse, ID: "call_1", Name: "ls"}}},
			func(t *testing.T, m map[string]any) {
				c := m["content"].([]any)[0].(map[string]any)
				if m["stop_reason"] != "tool_use" || js(t, c["input"]) != "{}" || c["id"] != "call_1" {
					t.Error(m)
				}
			}},
		{"max_tokens stays max_tokens even with a tool call", protocol.Response{StopReason: protocol.StopMaxTokens, Content: []protocol.Block{
			{Type: protocol.BlockToolUse, ID: "call_1", Name: "ls", Input: json.RawMessage(`{"a":1}`)}}},
			func(t *testing.T, m map[string]any) {
				if m["stop_reason"] != "max_tokens" || m["stop_sequence"] != nil {
					t.Error(m)
				}
			}},
		{"rule 12: usage is written with cache counts, empty content is an empty array", protocol.Response{Usage: protocol.Usage{InputTokens: 3, OutputTokens: 4, CacheReadTokens: 5, CacheWriteTokens: 6}},
			func(t *testing.T, m map[string]any) {
				if js(t, m["usage"]) != `{"cache_creation_input_tokens":6,"cache_read_input_tokens":5,"input_tokens":3,"output_tokens":4}` || js(t, m["content"]) != "[]" || m["stop_reason"] != "end_turn" {
					t.Error(m)
				}
			}},
		{"unsigned thinking from another provider gets an empty signature", protocol.Response{Content: []protocol.Block{{Type: protocol.BlockThinking, Thinking: "r1 says"}, text("ok")}},
			func(t *testing.T, m map[string]any) {
				if js(t, m["content"]) != `[{"signature":"","thinking":"r1 says","type":"thinking"},{"text":"ok","type":"text"}]` {
					t.Error(js(t, m["content"]))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Codec{}.EncodeResponse(&tt.resp, protocol.EncodeOptions{Model: "c"})
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m["type"] != "message" || m["role"] != "assistant" || m["model"] != "c" {
				t.Errorf("envelope %v", m)
			}
			tt.check(t, m)
		})
	}
}

func TestToolID(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"an Anthropic id is kept", "toolu_01A", "toolu_01A"},
		{"an OpenAI id is kept", "call_Xy-9", "call_Xy-9"},
		{"other characters are replaced and a hash keeps it unique", "a.b", "a_b_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ToolID(tt.in, "")
			if !strings.HasPrefix(got, tt.want) || !validToolID(got) || got != ToolID(tt.in, "") {
				t.Errorf("ToolID(%q) = %q", tt.in, got)
			}
		})
	}
	if ToolID("a.b", "") == ToolID("a_b", "") || ToolID("a.b", "") == ToolID("a:b", "") {
		t.Error("distinct ids collide")
	}
}
