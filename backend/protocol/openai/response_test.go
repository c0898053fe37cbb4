package openai

import (
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/protocol"
)

// TestDecodeResponseGolden decodes every testdata/responses/*.json.
func TestDecodeResponseGolden(t *testing.T) {
	t.Parallel()
	codectest.Golden(t, "responses", Codec{}.DecodeResponse, func(resp *protocol.Response) ([]byte, error) {
		out, err := Codec{}.EncodeResponse(resp, protocol.EncodeOptions{Model: "client-model"})
		return stable(out), err
	})
}

func TestDecodeResponse(t *testing.T) {
	t.Parallel()
	decode := func(t *testing.T, body string) *protocol.Response {
		t.Helper()
		resp, err := Codec{}.DecodeResponse([]byte(body))
		if err != nil {
			t.Fatalf("DecodeResponse: %v", err)
		}
		return resp
	}
	t.Run("content comes as thinking, text, tool_use (rule 10)", func(t *testing.T) {
		t.Parallel()
		resp := decode(t, `{"choices":[{"message":{"content":"t","reasoning_content":"r","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`)
		var types []string
		for _, b := range resp.Content {
			types = append(types, string(b.Type))
		}
		if strings.Join(types, ",") != "thinking,text,tool_use" {
			t.Errorf("order = %v", types)
		}
	})
	t.Run("finish reasons map to stop reasons (rule 11)", func(t *testing.T) {
		t.Parallel()
		for finish, want := range map[string]protocol.StopReason{
			"stop": protocol.StopEndTurn, "length": protocol.StopMaxTokens, "tool_calls": protocol.StopToolUse,
			"function_call": protocol.StopToolUse, "content_filter": protocol.StopRefusal,
		} {
			resp := decode(t, `{"choices":[{"message":{"content":"x"},"finish_reason":"`+finish+`"}]}`)
			if resp.StopReason != want {
				t.Errorf("%s → %s, want %s", finish, resp.StopReason, want)
			}
		}
	})
	t.Run("tool calls make it tool_use whatever finish_reason says (rule 11)", func(t *testing.T) {
		t.Parallel()
		resp := decode(t, `{"choices":[{"message":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]}`)
		if resp.StopReason != protocol.StopToolUse {
			t.Errorf("stop = %s", resp.StopReason)
		}
	})
	t.Run("usage excludes cached tokens from input (rule 12)", func(t *testing.T) {
		t.Parallel()
		resp := decode(t, `{"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":100,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":60},"completion_tokens_details":{"reasoning_tokens":3}}}`)
		want := protocol.Usage{InputTokens: 40, CacheReadTokens: 60, OutputTokens: 7, ReasoningTokens: 3}
		if resp.Usage != want {
			t.Errorf("usage = %+v, want %+v", resp.Usage, want)
		}
		resp = decode(t, `{"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":100,"completion_tokens":7,"prompt_cache_hit_tokens":90,"prompt_cache_miss_tokens":10}}`)
		if resp.Usage.InputTokens != 10 || resp.Usage.CacheReadTokens != 90 {
			t.Errorf("DeepSeek usage = %+v", resp.Usage)
		}
		if resp := decode(t, `{"choices":[{"message":{"content":"x"}}]}`); resp.Usage != (protocol.Usage{}) {
			t.Errorf("missing usage = %+v, want zero", resp.Usage)
		}
	})
	t.Run("malformed arguments are repaired, hopeless ones become {} (rule 13)", func(t *testing.T) {
		t.Parallel()
		cases := map[string]string{
			`{\"a\":1,}`:      `{"a":1}`,
			`{a: 1}`:          `{"a": 1}`,
			`{\"a\": \"trun`:  `{"a": "trun"}`,
			`not json at all`: `{}`,
		}
		for args, want := range cases {
			resp := decode(t, `{"choices":[{"message":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"`+args+`"}}]}}]}`)
			if got := string(resp.Content[0].Input); got != want {
				t.Errorf("arguments %s → %s, want %s", args, got, want)
			}
		}
	})
	t.Run("tool call ids are kept, and made when missing (rule 14)", func(t *testing.T) {
		t.Parallel()
		resp := decode(t, `{"choices":[{"message":{"tool_calls":[{"id":"call_X","function":{"name":"f"}},{"function":{"name":"g"}}]}}]}`)
		if resp.Content[0].ID != "call_X" || !strings.HasPrefix(resp.Content[1].ID, "call_") || len(resp.Content[1].ID) < 10 {
			t.Errorf("ids = %s, %s", resp.Content[0].ID, resp.Content[1].ID)
		}
	})
	for _, c := range []struct{ name, body, want string }{
		{"a body that is not JSON is an error", `<html>`, "invalid upstream response"},
		{"a reply without choices is an error", `{"choices":[]}`, "no choices"},
		{"an error body is an error with its message", `{"error":{"message":"quota"}}`, "quota"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, err := (Codec{}).DecodeResponse([]byte(c.body)); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestEncodeResponse(t *testing.T) {
	t.Parallel()
	resp := &protocol.Response{
		ID: "msg_01XYZ", Model: "claude-sonnet-4-5", StopReason: protocol.StopEndTurn,
		Content: []protocol.Block{
			{Type: protocol.BlockThinking, Thinking: "plan", Signature: "sig"},
			{Type: protocol.BlockText, Text: "Here."},
			{Type: protocol.BlockToolUse, ID: "toolu_01", Name: "Read", Input: mustJSON(`{"p":1}`)},
		},
		Usage: protocol.Usage{InputTokens: 10, CacheReadTokens: 80, CacheWriteTokens: 10, OutputTokens: 5},
	}
	out, err := Codec{}.EncodeResponse(resp, protocol.EncodeOptions{Model: "my-model"})
	if err != nil {
		t.Fatal(err)
	}
	body := string(out)
	for _, want := range []string{
		`"id":"chatcmpl-01XYZ"`, `"object":"chat.completion"`, `"model":"my-model"`,
		`"content":"Here."`, `"reasoning_content":"plan"`,
		`"tool_calls":[{"id":"toolu_01","type":"function","function":{"name":"Read","arguments":"{\"p\":1}"}}]`,
		`"finish_reason":"tool_calls"`,
		`"usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_tokens_details":{"cached_tokens":80}}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s in %s", want, body)
		}
	}
	if strings.Contains(body, "sig") {
		t.Errorf("signature leaked: %s", body)
	}
	t.Run("a reply without text has content null", func(t *testing.T) {
		t.Parallel()
		out, _ := Codec{}.EncodeResponse(&protocol.Response{StopReason: protocol.StopMaxTokens}, protocol.EncodeOptions{})
		if !strings.Contains(string(out), `"content":null`) || !strings.Contains(string(out), `"finish_reason":"length"`) || !strings.Contains(string(out), `"id":"chatcmpl-`) {
			t.Errorf("reply = %s", out)
		}
	})
}
