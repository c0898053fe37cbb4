package proxy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// End-to-end routing: scenarios, rules, explicit and subagent choices,
// session affinity, key rotation and transformers, each checked against
// what the mock upstreams actually received, and POST /api/routes/explain
// checked against where each request actually went.

// fleet is a set of channels, one mock upstream each, by channel name.
type fleet map[string]*upstream

// newFleet makes an enabled Anthropic channel per name, priorities in the
// order given, each answering as itself.
func newFleet(t testing.TB, te *testEngine, names ...string) fleet {
	t.Helper()
	f := fleet{}
	for i, name := range names {
		u := newUpstream(t, answer(name, false))
		te.addChannel(t, store.Channel{Name: name, BaseURL: u.URL, Priority: i + 1})
		f[name] = u
	}
	return f
}

func (f fleet) counts() map[string]int {
	out := map[string]int{}
	for name, u := range f {
		out[name] = len(u.requests())
	}
	return out
}

// served runs send and returns the one channel whose upstream got a
// request meanwhile, with that request.
func (f fleet) served(t testing.TB, send func()) (string, received) {
	t.Helper()
	before := f.counts()
	send()
	var names []string
	var got received
	for name, u := range f {
		if reqs := u.requests(); len(reqs) > before[name] {
			names = append(names, name)
			got = reqs[len(reqs)-1]
		}
	}
	if len(names) != 1 {
		t.Fatalf("upstreams %v received the request, want exactly one", names)
	}
	return names[0], got
}

// explain asks POST /api/routes/explain where an Anthropic body would go.
func (te *testEngine) explain(t testing.TB, body []byte, query url.Values) gjson.Result {
	t.Helper()
	q := url.Values{"format": {"anthropic"}}
	for k, v := range query {
		q[k] = v
	}
	return te.mustAdmin(t, http.StatusOK, http.MethodPost, "/api/routes/explain?"+q.Encode(), string(body))
}

// msgBody builds an Anthropic Messages request from a few fields.
func msgBody(t testing.TB, fields map[string]any) []byte {
	t.Helper()
	m := map[string]any{"model": "claude-sonnet-4-5", "max_tokens": 1024}
	for k, v := range fields {
		m[k] = v
	}
	if _, ok := m["messages"]; !ok {
		m["messages"] = []any{map[string]any{"role": "user", "content": fresh()}}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func userTurn(content any) []any {
	return []any{map[string]any{"role": "user", "content": content}}
}

// pngPixel is a 1×1 PNG.
const pngPixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

func imageBlock() map[string]any {
	return map[string]any{"type": "image", "source": map[string]any{"type": "base64", "media_type": "image/png", "data": pngPixel}}
}

// routeCase is one request, where it must go, and why.
type routeCase struct {
	name     string
	body     []byte
	channel  string // the channel that must receive it
	scenario string
	rule     string
	model    string // the model the channel must receive; "" = the client's
}

// checkRoutes sends each case's body to the explain API and as a real
// request, and checks that both agree with the case and with each other;
// then that the request log recorded the same scenario and rule.
func checkRoutes(t *testing.T, te *testEngine, f fleet, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ex := te.explain(t, tc.body, nil)
			exChannel := ex.Get("targets.0.channel").Str
			went, got := f.served(t, func() {
				readOK(t, te.postAs(t, "anthropic", "/v1/messages", tc.body, nil))
			})
			if went != tc.channel || ex.Get("scenario").Str != tc.scenario || ex.Get("rule").Str != tc.rule {
				t.Errorf("went to %s; explain said scenario %q rule %q channel %s; want %s, %q, %q\nreasons: %s",
					went, ex.Get("scenario").Str, ex.Get("rule").Str, exChannel, tc.channel, tc.scenario, tc.rule, ex.Get("reasons").Raw)
			}
			if exChannel != went {
				t.Errorf("explain says %s, the request went to %s", exChannel, went)
			}
			want := tc.model
			if want == "" {
				want = gjson.GetBytes(tc.body, "model").Str
			}
			if m := gjson.GetBytes(got.Body, "model").Str; m != want {
				t.Errorf("%s received model %q, want %q", went, m, want)
			}
			if m := ex.Get("targets.0.model").Str; m != want {
				t.Errorf("explain names model %q, want %q", m, want)
			}
		})
	}
	if t.Failed() {
		return
	}
	logs := logsOf(t, te, 100)
	if len(logs) != len(cases) {
		t.Fatalf("%d request logs, want %d", len(logs), len(cases))
	}
	for i, tc := range cases {
		if l := logs[i]; l.ChannelName != tc.channel || l.Scenario != tc.scenario || l.Rule != tc.rule {
			t.Errorf("log of %q: channel %s scenario %q rule %q, want %s %q %q", tc.name, l.ChannelName, l.Scenario, l.Rule,
				tc.channel, tc.scenario, tc.rule)
		}
	}
}

func TestScenariosRouteWhereExplainSays(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	f := newFleet(t, te, "A", "B", "C", "D", "E", "F")
	// An image alone is estimated at some 1600 tokens, so the long-context
	// threshold stays above that for the image case to reach its route.
	te.putRoutes(t, `{"routes":{"default":["A"],"background":["B"],"think":["C"],"long_context":["D"],
		"web_search":["E"],"image":["F"]},"long_context_threshold":2000}`)

	thinking := map[string]any{"type": "enabled", "budget_tokens": 1024}
	webSearch := []any{map[string]any{"type": "web_search_20250305", "name": "web_search", "max_uses": 3}}
	long := strings.Repeat("Please review this paragraph of the design document carefully. ", 400)
	tagged := []any{map[string]any{"type": "text", "text": "You are a code reviewer subagent.\n<routex-model>B,m2</routex-model>\nBe brief."}}

	checkRoutes(t, te, f, []routeCase{
		{name: "a plain request goes to default", body: msgBody(t, nil), channel: "A", scenario: "default"},
		{name: "a claude-haiku-4-5 request goes to background", body: msgBody(t, map[string]any{"model": "claude-haiku-4-5"}),
			channel: "B", scenario: "background"},
		{name: "a thinking request goes to think", body: msgBody(t, map[string]any{"thinking": thinking, "max_tokens": 4096}),
			channel: "C", scenario: "think"},
		{name: "a long prompt goes to long_context", body: msgBody(t, map[string]any{"messages": userTurn(long)}),
			channel: "D", scenario: "long_context"},
		{name: "a web search tool goes to web_search", body: msgBody(t, map[string]any{"tools": webSearch}),
			channel: "E", scenario: "web_search"},
		{name: "an image in the last user turn goes to image",
			body:    msgBody(t, map[string]any{"messages": userTurn([]any{imageBlock(), map[string]any{"type": "text", "text": "What is this?"}})}),
			channel: "F", scenario: "image"},
		{name: "an image in an earlier turn only goes to default",
			body: msgBody(t, map[string]any{"messages": []any{
				map[string]any{"role": "user", "content": []any{imageBlock(), map[string]any{"type": "text", "text": "What is this " + fresh()}}},
				map[string]any{"role": "assistant", "content": "A pixel."},
				map[string]any{"role": "user", "content": "Thanks."},
			}}),
			channel: "A", scenario: "default"},
		{name: "a model written E,some-model overrides every scenario",
			body: msgBody(t, map[string]any{"model": "E,some-model", "thinking": thinking, "max_tokens": 4096,
				"messages": userTurn([]any{imageBlock(), map[string]any{"type": "text", "text": long}})}),
			channel: "E", scenario: "explicit", model: "some-model"},
		{name: "a routex-model tag in the system prompt sends a subagent to B with m2",
			body:    msgBody(t, map[string]any{"system": tagged, "thinking": thinking, "max_tokens": 4096}),
			channel: "B", scenario: "subagent", model: "m2"},
	})
}

func TestSubagentTagIsStripped(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	f := newFleet(t, te, "A", "B")
	te.setActive(t, "A")
	for _, system := range []any{
		"You are a subagent. <routex-model>B,m2</routex-model> Be brief.",
		[]any{map[string]any{"type": "text", "text": "You are a subagent.", "cache_control": map[string]any{"type": "ephemeral"}},
			map[string]any{"type": "text", "text": "<routex-model>B,m2</routex-model>\nBe brief."}},
	} {
		name := "in a string system prompt"
		if _, ok := system.([]any); ok {
			name = "in a system block"
		}
		t.Run("the tag "+name+" is gone from what B received", func(t *testing.T) {
			body := msgBody(t, map[string]any{"system": system})
			went, got := f.served(t, func() { readOK(t, te.postAs(t, "anthropic", "/v1/messages", body, nil)) })
			if went != "B" || gjson.GetBytes(got.Body, "model").Str != "m2" {
				t.Fatalf("went to %s with model %s, want B with m2", went, gjson.GetBytes(got.Body, "model").Str)
			}
			if bytes.Contains(got.Body, []byte("routex-model")) {
				t.Errorf("the tag reached the upstream: %s", gjson.GetBytes(got.Body, "system").Raw)
			}
			if !bytes.Contains(got.Body, []byte("You are a subagent.")) || !bytes.Contains(got.Body, []byte("Be brief.")) {
				t.Errorf("the rest of the system prompt was lost: %s", gjson.GetBytes(got.Body, "system").Raw)
			}
			if !gjson.ValidBytes(got.Body) {
				t.Errorf("B received invalid JSON: %s", got.Body)
			}
		})
	}
}

func TestRulesRouteWhereExplainSays(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	f := newFleet(t, te, "A", "B", "C", "D")
	te.putRoutes(t, `{"routes":{"default":["A"],"think":["B"]},"rules":[
		{"name":"kw","keyword":"ultrathink","targets":["C"]},
		{"name":"big","expr":"Tokens > 500 && HasTools","targets":["D"]}]}`)

	bash := func(desc string) []any {
		return []any{map[string]any{"name": "Bash", "description": desc,
			"input_schema": map[string]any{"type": "object", "properties": map[string]any{"command": map[string]any{"type": "string"}}}}}
	}
	bigDesc := strings.Repeat("Executes a given bash command in a persistent shell session with optional timeout. ", 40)

	checkRoutes(t, te, f, []routeCase{
		{name: "a keyword rule takes a request whose last user message has the keyword",
			body:    msgBody(t, map[string]any{"messages": userTurn("Please ULTRATHINK about " + fresh())}),
			channel: "C", scenario: "rule", rule: "kw"},
		{name: "a rule wins over the think scenario",
			body: msgBody(t, map[string]any{"messages": userTurn("ultrathink: " + fresh()), "max_tokens": 4096,
				"thinking": map[string]any{"type": "enabled", "budget_tokens": 1024}}),
			channel: "C", scenario: "rule", rule: "kw"},
		{name: "an expr rule takes a big request with tools",
			body:    msgBody(t, map[string]any{"tools": bash(bigDesc)}),
			channel: "D", scenario: "rule", rule: "big"},
		{name: "a small request with tools matches no rule and goes to default",
			body:    msgBody(t, map[string]any{"tools": bash("Run a command")}),
			channel: "A", scenario: "default"},
		{name: "a big request without tools matches no rule",
			body:    msgBody(t, map[string]any{"messages": userTurn(bigDesc + fresh())}),
			channel: "A", scenario: "default"},
		{name: "a thinking request without the keyword goes to think",
			body:    msgBody(t, map[string]any{"max_tokens": 4096, "thinking": map[string]any{"type": "enabled", "budget_tokens": 1024}}),
			channel: "B", scenario: "think"},
	})
}

func TestSessionAffinity(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	var failing [2]atomic.Bool
	f := fleet{}
	for i, name := range []string{"A", "B"} {
		u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			if failing[i].Load() {
				fail500(w, r)
				return
			}
			answer(name, false)(w, r)
		})
		te.addChannel(t, store.Channel{Name: name, BaseURL: u.URL, Priority: 1})
		f[name] = u
	}
	te.putRoutes(t, `{"strategy":"round_robin","routes":{"default":["A","B"]}}`)
	send := func(body []byte) string {
		t.Helper()
		name, _ := f.served(t, func() { readOK(t, te.postAs(t, "anthropic", "/v1/messages", body, nil)) })
		return name
	}
	session := func() []byte {
		return msgBody(t, map[string]any{"metadata": map[string]any{"user_id": "user_4f2a_account_session_77"}})
	}

	var bound string
	t.Run("requests with the same metadata.user_id stick to one channel", func(t *testing.T) {
		for i := range 6 {
			got := send(session())
			if i == 0 {
				bound = got
			} else if got != bound {
				t.Fatalf("request %d went to %s, the session is bound to %s", i, got, bound)
			}
		}
	})

	t.Run("requests of different conversations alternate", func(t *testing.T) {
		var seq []string
		for range 6 {
			seq = append(seq, send(msgBody(t, nil)))
		}
		for i := 1; i < len(seq); i++ {
			if seq[i] == seq[i-1] {
				t.Fatalf("round robin gave %v, want alternation", seq)
			}
		}
	})

	t.Run("the session moves when its channel starts failing", func(t *testing.T) {
		if bound == "" {
			t.Skip("no session was bound")
		}
		other := map[string]string{"A": "B", "B": "A"}[bound]
		idx := map[string]int{"A": 0, "B": 1}[bound]
		failing[idx].Store(true)
		before := len(f[bound].requests())
		for i := range 4 {
			raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", session(), nil))
			if got := clientText(t, raw, false); got != answerText(other) {
				t.Fatalf("request %d: client got %q, want %s's answer", i, got, other)
			}
		}
		if n := len(f[bound].requests()) - before; n != 1 {
			t.Errorf("the failing channel %s got %d more requests, want 1: the session should have moved to %s", bound, n, other)
		}
	})
}

func TestSeveralKeysPerChannel(t *testing.T) {
	t.Parallel()
	const k1, k2 = "sk-rotate-one-7d3e1f9a2b4c", "sk-rotate-two-5c8b0e6d4a2f"

	t.Run("the upstream sees the keys alternately", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		u := newUpstream(t, answer("K", false))
		te.mustAdmin(t, http.StatusCreated, http.MethodPost, "/api/channels",
			fmt.Sprintf(`{"name":"K","type":"anthropic","base_url":%q,"api_keys":[%q,%q]}`, u.URL, k1, k2))
		for range 4 {
			readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
		}
		var keys []string
		for _, r := range u.requests() {
			keys = append(keys, r.Header.Get("X-Api-Key"))
		}
		if want := []string{k1, k2, k1, k2}; strings.Join(keys, " ") != strings.Join(want, " ") {
			t.Errorf("keys seen %v, want %v", keys, want)
		}
	})

	rateLimitedK1 := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Api-Key") == k1 {
				fail429("30")(w, r)
				return
			}
			answer(name, false)(w, r)
		}
	}

	t.Run("a 429 on one key is retried on the channel's other key", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		u := newUpstream(t, rateLimitedK1("K"))
		te.mustAdmin(t, http.StatusCreated, http.MethodPost, "/api/channels",
			fmt.Sprintf(`{"name":"K","type":"anthropic","base_url":%q,"api_keys":[%q,%q]}`, u.URL, k1, k2))
		for i := range 3 {
			raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
			if got := clientText(t, raw, false); got != answerText("K") {
				t.Fatalf("request %d: client got %q", i, got)
			}
		}
		var keys []string
		for _, r := range u.requests() {
			keys = append(keys, r.Header.Get("X-Api-Key"))
		}
		if want := []string{k1, k2, k2, k2}; strings.Join(keys, " ") != strings.Join(want, " ") {
			t.Errorf("keys seen %v, want %v: the cooling key must be skipped", keys, want)
		}
		if h := te.channelHealth(t, "K"); h.Get("cooldown_until").Exists() {
			t.Errorf("the channel cools down as a whole while a key is free: %s", h.Raw)
		}
	})

	t.Run("a 429 on one key of each channel still gets an answer", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		a := newUpstream(t, rateLimitedK1("A"))
		b := newUpstream(t, answer("B", false))
		te.mustAdmin(t, http.StatusCreated, http.MethodPost, "/api/channels",
			fmt.Sprintf(`{"name":"A","type":"anthropic","base_url":%q,"api_keys":[%q,%q],"priority":1}`, a.URL, k1, k2))
		te.mustAdmin(t, http.StatusCreated, http.MethodPost, "/api/channels",
			fmt.Sprintf(`{"name":"B","type":"anthropic","base_url":%q,"api_key":"sk-b-key-0a9b8c7d","priority":2}`, b.URL))
		raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
		if got := clientText(t, raw, false); got != answerText("A") && got != answerText("B") {
			t.Fatalf("client got %q", got)
		}
	})

	t.Run("every key rate-limited moves the request to the next channel", func(t *testing.T) {
		t.Parallel()
		te := newTestEngine(t)
		a := newUpstream(t, fail429("30"))
		b := newUpstream(t, answer("B", false))
		te.mustAdmin(t, http.StatusCreated, http.MethodPost, "/api/channels",
			fmt.Sprintf(`{"name":"A","type":"anthropic","base_url":%q,"api_keys":[%q,%q],"priority":1}`, a.URL, k1, k2))
		te.mustAdmin(t, http.StatusCreated, http.MethodPost, "/api/channels",
			fmt.Sprintf(`{"name":"B","type":"anthropic","base_url":%q,"api_key":"sk-b-key-0a9b8c7d","priority":2}`, b.URL))
		for range 3 {
			raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
			if got := clientText(t, raw, false); got != answerText("B") {
				t.Fatalf("client got %q, want B's answer", got)
			}
		}
		if n := len(a.requests()); n != 2 {
			t.Errorf("A received %d requests, want 2 (one per key, then it cools down)", n)
		}
		if h := te.channelHealth(t, "A"); !h.Get("cooldown_until").Exists() {
			t.Errorf("A with every key rate-limited shows no cooldown: %s", h.Raw)
		}
	})
}

func TestChannelTransformers(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	u := newUpstream(t, replySSE(anthropicEvents))
	te.mustAdmin(t, http.StatusCreated, http.MethodPost, "/api/channels", fmt.Sprintf(`{"name":"T","type":"anthropic",
		"base_url":%q,"api_key":"sk-transform-3c1d","transformers":["cleancache",["maxtoken",{"max_tokens":100}],
		["headers",{"set":{"X-Extra":"1"}}]]}`, u.URL))
	fx := loadFixture(t, "claude-code-2.1.197-messages.json")
	if !bytes.Contains(fx.Body, []byte("cache_control")) || gjson.GetBytes(fx.Body, "max_tokens").Int() <= 100 {
		t.Fatal("the fixture no longer has cache_control and a large max_tokens")
	}
	hdr := map[string]string{}
	for k, v := range fx.Headers {
		if k != "content-length" && k != "accept-encoding" && k != "connection" {
			hdr[k] = v
		}
	}

	t.Run("the upstream receives max_tokens 100, no cache_control and X-Extra", func(t *testing.T) {
		raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", fx.Body, hdr))
		res := readAnthropicStream(t, raw)
		if len(res.Content) == 0 || res.Content[0].Text != "Hello!" {
			t.Errorf("client got %+v", res.Content)
		}
		got := u.only(t)
		if m := gjson.GetBytes(got.Body, "max_tokens").Int(); m != 100 {
			t.Errorf("max_tokens = %d, want 100", m)
		}
		if bytes.Contains(got.Body, []byte("cache_control")) {
			t.Error("cache_control reached the upstream")
		}
		if v := got.Header.Get("X-Extra"); v != "1" {
			t.Errorf("X-Extra = %q, want 1", v)
		}
		if got.Header.Get("X-Api-Key") != "sk-transform-3c1d" {
			t.Errorf("the channel key did not go upstream")
		}
		if gjson.GetBytes(got.Body, "model").Str != "claude-opus-4-8" || len(gjson.GetBytes(got.Body, "tools").Array()) == 0 {
			t.Errorf("the rest of the request was not kept: model %s", gjson.GetBytes(got.Body, "model").Str)
		}
	})

	t.Run("an invalid transformers value is refused with the path of the mistake", func(t *testing.T) {
		status, res := te.admin(t, http.MethodPost, "/api/channels", fmt.Sprintf(`{"name":"bad","type":"anthropic",
			"base_url":%q,"api_key":"sk-x","transformers":["cleancache",["maxtoken",{"max_tokens":-5}]]}`, u.URL))
		if status != http.StatusBadRequest {
			t.Fatalf("status %d, want 400: %s", status, res.Raw)
		}
		if msg := res.Get("error.fields.transformers.message").Str; !strings.Contains(msg, "transformers[1]") || !strings.Contains(msg, "max_tokens") {
			t.Errorf("fields.transformers = %q, want the path transformers[1]… and max_tokens", msg)
		}
	})
}

func TestExplainUnderRoundRobin(t *testing.T) {
	t.Parallel()
	t.Run("explaining a request does not move the round robin", func(t *testing.T) {
		// Explanations order candidates with balance.Preview, which leaves
		// the rotation where it is: each explanation names the channel the
		// next real request goes to.
		te := newTestEngine(t)
		f := newFleet(t, te, "A", "B")
		te.putRoutes(t, `{"strategy":"round_robin","routes":{"default":["A","B"]}}`)
		for i := range 4 {
			body := msgBody(t, nil)
			said := te.explain(t, body, nil).Get("targets.0.channel").Str
			went, _ := f.served(t, func() { readOK(t, te.postAs(t, "anthropic", "/v1/messages", body, nil)) })
			if said != went {
				t.Errorf("request %d: explain said %s, the request went to %s", i, said, went)
			}
		}
	})
}
