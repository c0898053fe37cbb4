package openai

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

func TestEncodeResponseFormat(t *testing.T) {
	t.Parallel()
	schema := json.RawMessage(`{"type":"object","properties":{"who":{"type":"string"}},"required":["who"]}`)
	ask := func(text string, o *protocol.OutputFormat) *protocol.Request {
		return &protocol.Request{
			Messages: []protocol.Message{{Role: protocol.RoleUser, Content: []protocol.Block{{Type: protocol.BlockText, Text: text}}}},
			Output:   o,
		}
	}
	cases := []struct {
		name, model string
		req         *protocol.Request
		format      string // response_format as sent
		system      string // what the system message must contain ("" for none)
	}{
		{"a schema goes as json_schema with a name OpenAI accepts", "gpt-4.1",
			ask("who?", &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Name: "meeting entry/v2", Schema: schema, Strict: true}),
			`{"type":"json_schema","json_schema":{"name":"meeting_entry_v2","schema":` + string(schema) + `,"strict":true}}`, ""},
		{"a nameless schema is called response", "gpt-4.1",
			ask("who?", &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: schema}),
			`{"type":"json_schema","json_schema":{"name":"response","schema":` + string(schema) + `}}`, ""},
		{"JSON mode with a prompt that says JSON goes alone", "gpt-4.1",
			ask("answer in JSON", &protocol.OutputFormat{Type: protocol.OutputJSONObject}), `{"type":"json_object"}`, ""},
		{"JSON mode with a prompt that never says it gets the word it requires", "gpt-4.1",
			ask("who?", &protocol.OutputFormat{Type: protocol.OutputJSONObject}), `{"type":"json_object"}`, "JSON object"},
		{"DeepSeek takes only JSON mode: the schema goes into the system prompt", "deepseek-chat",
			ask("who?", &protocol.OutputFormat{Type: protocol.OutputJSONSchema, Schema: schema}), `{"type":"json_object"}`, string(schema)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			body, err := Codec{}.EncodeRequest(c.req, protocol.EncodeOptions{Model: c.model})
			if err != nil {
				t.Fatal(err)
			}
			if got := gjson.GetBytes(body, "response_format").Raw; got != c.format {
				t.Errorf("response_format = %s, want %s", got, c.format)
			}
			sys := gjson.GetBytes(body, `messages.#(role=="system").content`).Str
			if c.system == "" && sys != "" || !strings.Contains(sys, c.system) {
				t.Errorf("system = %q, want it to hold %q", sys, c.system)
			}
		})
	}
}

func TestDecodeResponseFormat(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, rf, want, err string }{
		{"text asks for nothing", `{"type":"text"}`, `null`, ""},
		{"json_object", `{"type":"json_object"}`, `{"Type":"json_object","Name":"","Description":"","Schema":null,"Strict":false}`, ""},
		{"json_schema without a schema is JSON mode", `{"type":"json_schema","json_schema":{"name":"x"}}`, `{"Type":"json_object","Name":"x","Description":"","Schema":null,"Strict":false}`, ""},
		{"an unknown type is refused", `{"type":"xml"}`, "", "response_format.type"},
		{"json_schema without its object is refused", `{"type":"json_schema"}`, "", "response_format.json_schema"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req, err := Codec{}.DecodeRequest([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":` + c.rf + `}`))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one naming %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := json.Marshal(req.Output); string(got) != c.want {
				t.Errorf("Output = %s, want %s", got, c.want)
			}
		})
	}
}
