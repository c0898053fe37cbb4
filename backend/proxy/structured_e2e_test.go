package proxy_test

import (
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// Gemini CLI asks for a JSON answer (responseJsonSchema) before every
// prompt and retries five times when the answer does not parse. Through a
// converted channel the request keeps asking for JSON, and the answer
// comes back as JSON text, whatever the channel speaks. The mocks refuse
// what the real APIs refuse.
func TestStructuredOutputThroughConversion(t *testing.T) {
	t.Parallel()
	router, err := os.ReadFile("testdata/gemini-cli-router.json")
	if err != nil {
		t.Fatal(err)
	}
	const path = "/v1beta/models/gemini-2.5-flash-lite:generateContent"
	const answer = `{"reasoning":"One command.","model_choice":"flash"}`

	t.Run("Gemini CLI on an Anthropic-format channel without structured outputs", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			body := gjson.ParseBytes(lastBody(r))
			// As Anthropic: a forced tool with thinking on is refused.
			if body.Get("thinking.type").Str == "enabled" && body.Get("tool_choice.type").Str == "tool" {
				replyJSON(http.StatusBadRequest, `{"type":"error","error":{"type":"invalid_request_error","message":"Thinking may not be enabled when tool_choice forces tool use."}}`)(w, r)
				return
			}
			if body.Get("tool_choice.name").Str != "structured_output" || body.Get(`tools.#(name=="structured_output").input_schema.properties.model_choice`).Raw == "" {
				replyJSON(http.StatusOK, `{"id":"msg_p","type":"message","role":"assistant","model":"glm-4.6","content":[{"type":"text","text":"I think flash is right."}],"stop_reason":"end_turn","usage":{"input_tokens":9,"output_tokens":5}}`)(w, r)
				return
			}
			replyJSON(http.StatusOK, `{"id":"msg_1","type":"message","role":"assistant","model":"glm-4.6","content":[`+
				`{"type":"tool_use","id":"toolu_1","name":"structured_output","input":`+answer+`}],`+
				`"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":120,"output_tokens":20}}`)(w, r)
		})
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "zhipu", BaseURL: up.URL, ModelMap: map[string]string{"gemini-2.5-flash-lite": "glm-4.6"}})
		raw := readOK(t, te.postAs(t, "gemini", path, router, nil))
		c := gjson.GetBytes(raw, "candidates.0")
		if c.Get("content.parts.0.text").Str != answer || c.Get("finishReason").Str != "STOP" || c.Get("content.parts.1").Exists() {
			t.Fatalf("Gemini CLI got %s, want the JSON answer as text", raw)
		}
	})

	t.Run("Gemini CLI on an OpenAI channel", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			body := gjson.ParseBytes(lastBody(r))
			rf := body.Get("response_format")
			if rf.Get("type").Str != "json_schema" || rf.Get("json_schema.name").Str == "" || !rf.Get("json_schema.schema.properties.reasoning").Exists() {
				replyJSON(http.StatusOK, `{"id":"c","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Flash, I would say."},"finish_reason":"stop"}]}`)(w, r)
				return
			}
			replyJSON(http.StatusOK, `{"id":"c","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":`+
				jsonString(answer)+`},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":12,"total_tokens":112}}`)(w, r)
		})
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "oai", Type: "openai", BaseURL: up.URL + "/v1", ModelMap: map[string]string{"gemini-2.5-flash-lite": "gpt-4.1"}})
		raw := readOK(t, te.postAs(t, "gemini", path, router, nil))
		if got := gjson.GetBytes(raw, "candidates.0.content.parts.0.text").Str; got != answer {
			t.Fatalf("Gemini CLI got %s, want the JSON answer", raw)
		}
	})

	t.Run("an OpenAI client's json_schema on a Gemini channel", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			gc := gjson.ParseBytes(lastBody(r)).Get("generationConfig")
			if gc.Get("responseMimeType").Str != "application/json" || gc.Get("responseJsonSchema.properties.who.type").Str != "string" {
				replyJSON(http.StatusOK, `{"candidates":[{"content":{"role":"model","parts":[{"text":"It is Ana."}]},"finishReason":"STOP","index":0}]}`)(w, r)
				return
			}
			replyJSON(http.StatusOK, `{"candidates":[{"content":{"role":"model","parts":[{"text":"{\"who\":\"Ana\"}"}]},"finishReason":"STOP","index":0}],`+
				`"usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":5,"totalTokenCount":35},"modelVersion":"gemini-2.5-pro"}`)(w, r)
		})
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "google", Type: "gemini", BaseURL: up.URL, ModelMap: map[string]string{"gpt-4.1": "gemini-2.5-pro"}})
		req := []byte(`{"model":"gpt-4.1","messages":[{"role":"user","content":"Lunch with Ana on Friday."}],` +
			`"response_format":{"type":"json_schema","json_schema":{"name":"meeting","schema":{"type":"object","properties":{"who":{"type":"string"}},"required":["who"]}}}}`)
		raw := readOK(t, te.postAs(t, "openai", "/v1/chat/completions", req, nil))
		if got := gjson.GetBytes(raw, "choices.0.message.content").Str; got != `{"who":"Ana"}` {
			t.Fatalf("client got %s, want the JSON answer", raw)
		}
	})
}

// lastBody reads the request body a mock upstream's reply is answering.
func lastBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}
