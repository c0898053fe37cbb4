package convert

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/internal/codectest"
	"github.com/routex-app/routex/backend/internal/golden"
	"github.com/routex-app/routex/backend/protocol"
)

// Structured output through the neutral model. Gemini CLI asks for JSON
// (responseJsonSchema) before every prompt and retries until the answer
// parses: converted without it, the model answers prose and every prompt
// waits through five retries.

func routerRequest(t *testing.T) *protocol.Request {
	t.Helper()
	body, err := os.ReadFile("testdata/gemini_cli_router.request.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := For(protocol.Gemini).DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	req.Model = "gemini-2.5-flash-lite" // from the URL, as the proxy sets it
	return req
}

// TestGeminiCLIRouterRequestToEveryTarget is the router's request as each
// kind of channel receives it: OpenAI's response_format (JSON mode and the
// schema in the prompt for DeepSeek), Claude's output_config.format, the
// output tool for other Anthropic-format models, Gemini's own fields.
func TestGeminiCLIRouterRequestToEveryTarget(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		to    protocol.Format
		model string
	}{
		{protocol.OpenAI, "gpt-4.1"},
		{protocol.OpenAI, "deepseek-chat"},
		{protocol.Anthropic, "claude-sonnet-4-5"},
		{protocol.Anthropic, "glm-4.6"},
		{protocol.Gemini, "gemini-3-flash-preview"},
	} {
		t.Run(c.model, func(t *testing.T) {
			t.Parallel()
			body, err := Request(routerRequest(t), c.to, c.model)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "gemini_cli_router."+c.model+".json", codectest.IndentJSON(t, body))
		})
	}
}

// toolAnswer is an Anthropic-format upstream answering through the output
// tool, as a forced tool call ends: stop_reason tool_use.
const toolAnswer = `{"id":"msg_1","type":"message","role":"assistant","model":"glm-4.6","content":[` +
	`{"type":"tool_use","id":"toolu_1","name":"structured_output","input":{"reasoning":"One command.","model_choice":"flash"}}],` +
	`"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":120,"output_tokens":20}}`

// toolAnswerEvents is the same answer streamed.
var toolAnswerEvents = []protocol.SSEEvent{
	{Event: "message_start", Data: []byte(`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"glm-4.6","content":[],"usage":{"input_tokens":120,"output_tokens":1}}}`)},
	{Event: "content_block_start", Data: []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"structured_output","input":{}}}`)},
	{Event: "content_block_delta", Data: []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"reasoning\": \"One command.\""}}`)},
	{Event: "content_block_delta", Data: []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":", \"model_choice\": \"flash\"}"}}`)},
	{Event: "content_block_stop", Data: []byte(`{"type":"content_block_stop","index":0}`)},
	{Event: "message_delta", Data: []byte(`{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":20}}`)},
	{Event: "message_stop", Data: []byte(`{"type":"message_stop"}`)},
}

func streamAll(t *testing.T, from, to protocol.Format, req *protocol.Request, events []protocol.SSEEvent) []byte {
	t.Helper()
	s, err := NewStream(from, to, req, protocol.EncodeOptions{Model: "client-model"})
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, ev := range events {
		if out, err = s.Event(out, ev); err != nil {
			t.Fatal(err)
		}
	}
	return s.Finish(out)
}

// geminiStreamText joins the text parts of a Gemini client stream and
// returns it with the last finishReason, failing on a function call.
func geminiStreamText(t *testing.T, wire []byte) (string, string) {
	t.Helper()
	var text, finish string
	for _, ev := range codectest.ReadSSE(t, string(wire)) {
		c := gjson.ParseBytes(ev.Data).Get("candidates.0")
		for _, p := range c.Get("content.parts").Array() {
			if p.Get("functionCall").Exists() {
				t.Fatalf("the client got a function call: %s", ev.Data)
			}
			text += p.Get("text").Str
		}
		if f := c.Get("finishReason").Str; f != "" {
			finish = f
		}
	}
	return text, finish
}

func TestOutputToolCallBecomesTheAnswer(t *testing.T) {
	t.Parallel()
	const answer = `{"reasoning":"One command.","model_choice":"flash"}`
	t.Run("whole, to Gemini CLI", func(t *testing.T) {
		t.Parallel()
		out, _, err := Response([]byte(toolAnswer), protocol.Anthropic, protocol.Gemini, routerRequest(t), protocol.EncodeOptions{Model: "gemini-2.5-flash-lite"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "structured_answer.gemini.json", codectest.IndentJSON(t, out))
		if got := gjson.GetBytes(out, "candidates.0.content.parts.0.text").Str; got != answer {
			t.Errorf("text = %s, want %s", got, answer)
		}
	})
	t.Run("whole, to an OpenAI client", func(t *testing.T) {
		t.Parallel()
		out, _, err := Response([]byte(toolAnswer), protocol.Anthropic, protocol.OpenAI, routerRequest(t), protocol.EncodeOptions{Model: "gpt-4.1"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		msg := gjson.GetBytes(out, "choices.0")
		if msg.Get("message.content").Str != answer || msg.Get("finish_reason").Str != "stop" || msg.Get("message.tool_calls").Exists() {
			t.Errorf("reply %s", out)
		}
	})
	t.Run("streamed, to Gemini CLI", func(t *testing.T) {
		t.Parallel()
		out := streamAll(t, protocol.Anthropic, protocol.Gemini, routerRequest(t), toolAnswerEvents)
		golden.Check(t, "structured_answer.gemini.sse", out)
		text, finish := geminiStreamText(t, out)
		if !json.Valid([]byte(text)) || gjson.Get(text, "model_choice").Str != "flash" || finish != "STOP" {
			t.Errorf("text %q finish %q", text, finish)
		}
	})
	t.Run("streamed, an answer wrapped in value comes out bare", func(t *testing.T) {
		t.Parallel()
		req := routerRequest(t)
		req.Output.Schema = json.RawMessage(`{"type":"array","items":{"type":"string"}}`)
		events := append([]protocol.SSEEvent(nil), toolAnswerEvents...)
		events[2] = protocol.SSEEvent{Event: "content_block_delta", Data: []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"value\": [\"a\","}}`)}
		events[3] = protocol.SSEEvent{Event: "content_block_delta", Data: []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":" \"b\"]}"}}`)}
		text, finish := geminiStreamText(t, streamAll(t, protocol.Anthropic, protocol.Gemini, req, events))
		if text != `["a", "b"]` || finish != "STOP" {
			t.Errorf("text %q finish %q", text, finish)
		}
	})
	t.Run("a client tool of the same name is the client's call", func(t *testing.T) {
		t.Parallel()
		req := routerRequest(t)
		req.Tools = []protocol.Tool{{Name: protocol.OutputToolName}}
		out, _, err := Response([]byte(toolAnswer), protocol.Anthropic, protocol.Gemini, req, protocol.EncodeOptions{Model: "m"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !gjson.GetBytes(out, "candidates.0.content.parts.0.functionCall").Exists() {
			t.Errorf("the client's own call was turned into text: %s", out)
		}
	})
	t.Run("without structured output a call stays a call", func(t *testing.T) {
		t.Parallel()
		req := routerRequest(t)
		req.Output = nil
		out := streamAll(t, protocol.Anthropic, protocol.Gemini, req, toolAnswerEvents)
		if !strings.Contains(string(out), `"functionCall"`) {
			t.Errorf("stream %s", out)
		}
	})
}
