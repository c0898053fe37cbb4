package route_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/transform"
)

// factsCase is one client request body and the facts its format's reader
// takes from it.
type factsCase struct {
	name   string
	format protocol.Format
	body   string
	want   protocol.RequestFacts // a FactsFull read
}

var factsCases = []factsCase{
	{"anthropic: Claude Code shape", protocol.Anthropic,
		`{"model":"claude-sonnet-4-5","stream":true,"thinking":{"type":"adaptive"},"metadata":{"user_id":"user_abc_session_1"},` +
			`"system":[{"type":"text","text":"You are Claude Code."}],"tools":[{"name":"Bash","description":"Run","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search"}],` +
			`"messages":[{"role":"user","content":"fix the bug"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"cmd":"ls"}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}}]},{"type":"text","text":"see the screenshot"}]}]}`,
		protocol.RequestFacts{Model: "claude-sonnet-4-5", Stream: true, Thinking: true, HasTools: true, WebSearch: true, UserID: "user_abc_session_1",
			Messages: 3, LastUserText: "see the screenshot", HasImage: true}},
	{"anthropic: thinking disabled, stream as a string, no tools", protocol.Anthropic,
		`{"model":"claude-haiku-4-5","stream":"true","thinking":{"type":"disabled"},"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}`,
		protocol.RequestFacts{Model: "claude-haiku-4-5", Messages: 1, LastUserText: "a\nb"}},
	{"openai: reasoning, web_search_options, image", protocol.OpenAI,
		`{"model":"gpt-5","stream":true,"reasoning_effort":"high","user":"u-7","web_search_options":{},` +
			`"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],` +
			`"messages":[{"role":"developer","content":"be brief"},{"role":"user","content":[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO"}}]}]}`,
		protocol.RequestFacts{Model: "gpt-5", Stream: true, Thinking: true, HasTools: true, WebSearch: true, UserID: "u-7",
			Messages: 2, LastUserText: "what is this", HasImage: true}},
	{"openai: reasoning_effort none, stream false", protocol.OpenAI,
		`{"model":"deepseek-chat","stream":false,"reasoning_effort":"none","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}`,
		protocol.RequestFacts{Model: "deepseek-chat", Messages: 2, LastUserText: "hi"}},
	{"openai: stream as a number is not a stream", protocol.OpenAI,
		`{"model":"qwen3-coder","stream":1,"messages":[{"role":"system","content":"x"},{"role":"user","content":"hi"}]}`,
		protocol.RequestFacts{Model: "qwen3-coder", Messages: 2, LastUserText: "hi"}},
	{"gemini: snake_case thinking config, googleSearch, inline image", protocol.Gemini,
		`{"generation_config":{"thinking_config":{"thinking_budget":1024}},"tools":[{"googleSearch":{}}],` +
			`"systemInstruction":{"parts":[{"text":"be brief"}]},` +
			`"contents":[{"role":"user","parts":[{"text":"look"},{"inlineData":{"mimeType":"image/jpeg","data":"/9j/"}}]}]}`,
		protocol.RequestFacts{Thinking: true, HasTools: true, WebSearch: true, Messages: 1, LastUserText: "look", HasImage: true}},
	{"gemini: thinking budget 0, a turn without role is the user's", protocol.Gemini,
		`{"generationConfig":{"thinkingConfig":{"thinkingBudget":0}},"contents":[{"parts":[{"text":"hello"}]}]}`,
		protocol.RequestFacts{Messages: 1, LastUserText: "hello"}},
	{"responses: Codex shape, prompt_cache_key names the conversation", protocol.Responses,
		`{"model":"gpt-5-codex","stream":true,"reasoning":{"effort":"medium","summary":"auto"},"prompt_cache_key":"conv-9","instructions":"You are Codex.",` +
			`"tools":[{"type":"function","name":"shell","parameters":{}},{"type":"web_search"}],` +
			`"input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"env"}]},{"type":"message","role":"user","content":[{"type":"input_text","text":"run tests"},{"type":"input_image","image_url":"data:image/png;base64,iVBO"}]}]}`,
		protocol.RequestFacts{Model: "gpt-5-codex", Stream: true, Thinking: true, HasTools: true, WebSearch: true, UserID: "conv-9",
			Messages: 2, LastUserText: "run tests", HasImage: true}},
	{"responses: string input, user wins over safety_identifier", protocol.Responses,
		`{"model":"o3","input":"hello","safety_identifier":"s-1","user":"u-1","reasoning":{"effort":"none"}}`,
		protocol.RequestFacts{Model: "o3", UserID: "u-1", Messages: 1, LastUserText: "hello"}},
	{"not a JSON object", protocol.OpenAI, `["model","gpt-5"]`, protocol.RequestFacts{}},
}

// TestRequestFactsAgreeAcrossConsumers runs each body through every reader
// of request facts: the format's reader at each detail, route.Summarize
// (full and light), and transform's streamoptions step, which must ask for
// usage exactly when the reader calls the request a stream.
func TestRequestFactsAgreeAcrossConsumers(t *testing.T) {
	t.Parallel()
	stream, err := transform.Parse(json.RawMessage(`["streamoptions"]`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range factsCases {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			full := route.ReadFacts(tc.format, body, protocol.FactsOptions{})
			if full.Tokens <= 0 && tc.want.Messages > 0 {
				t.Errorf("full read estimated %d tokens", full.Tokens)
			}
			got := full
			got.Tokens = 0
			if got != tc.want {
				t.Errorf("full read:\n got %+v\nwant %+v", got, tc.want)
			}

			light := route.ReadFacts(tc.format, body, protocol.FactsOptions{Detail: protocol.FactsLight})
			wantLight := tc.want
			wantLight.LastUserText, wantLight.HasImage = "", false
			if light != wantLight {
				t.Errorf("light read:\n got %+v\nwant %+v", light, wantLight)
			}

			top := route.ReadFacts(tc.format, body, protocol.FactsOptions{Detail: protocol.FactsTop})
			wantTop := protocol.RequestFacts{Model: tc.want.Model, Stream: tc.want.Stream, Thinking: tc.want.Thinking, UserID: tc.want.UserID}
			if top != wantTop {
				t.Errorf("top read:\n got %+v\nwant %+v", top, wantTop)
			}

			// Gemini's model and stream flag are in the URL: route is told.
			model := ""
			if tc.format == protocol.Gemini {
				model = "gemini-2.5-pro"
			}
			for _, s := range []route.Summary{
				route.Summarize(tc.format, model, body, http.Header{}),
				route.SummarizeLight(tc.format, model, body, http.Header{}),
			} {
				wantModel := tc.want.Model
				if model != "" {
					wantModel = model
				}
				if s.Model != wantModel || s.Stream != full.Stream || s.Thinking != full.Thinking || s.HasTools != full.HasTools ||
					s.WebSearch != full.WebSearch || s.UserID != full.UserID || s.Messages != full.Messages {
					t.Errorf("route summary disagrees with the reader:\nsummary %+v\nfacts   %+v", s, full)
				}
			}
			s := route.Summarize(tc.format, model, body, nil)
			if s.Tokens != full.Tokens || s.LastUserText != full.LastUserText || s.HasImage != full.HasImage {
				t.Errorf("route summary's detail disagrees with the reader:\nsummary %+v\nfacts   %+v", s, full)
			}

			if tc.format == protocol.OpenAI && gjson.ValidBytes(body) && strings.HasPrefix(tc.body, "{") {
				out, err := stream.For(tc.want.Model).Body(protocol.OpenAI, body)
				if err != nil {
					t.Fatal(err)
				}
				if asked := gjson.GetBytes(out, "stream_options.include_usage").Bool(); asked != full.Stream {
					t.Errorf("streamoptions asked for usage %v, the reader says stream %v", asked, full.Stream)
				}
			}
		})
	}
}
