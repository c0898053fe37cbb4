package proxy_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/pricing"
	"github.com/routex-app/routex/backend/store"
)

// Observability end to end: a whole engine, mock upstreams that report
// usage as the real APIs do, and checks on what the request log, the admin
// API and /metrics say afterwards.

// fakeProviderKey is shaped like an Anthropic key but belongs to nobody; a
// prompt that carries one must not leave it in a captured body.
const fakeProviderKey = "sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUVWX"

// usageEvents is an Anthropic stream reporting 1200 input tokens, 300 read
// from the cache and 42 output tokens, split as the real API splits them.
var usageEvents = []string{
	"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_u\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1200,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":300,\"output_tokens\":1}}}\n\n",
	anthropicEvents[1], anthropicEvents[3], anthropicEvents[5],
	"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":42}}\n\n",
	anthropicEvents[7],
}

// usageMessage is the non-streamed twin of usageEvents.
const usageMessage = `{"id":"msg_u","type":"message","role":"assistant","model":"claude-sonnet-4-5",` +
	`"content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","stop_sequence":null,` +
	`"usage":{"input_tokens":1200,"cache_creation_input_tokens":0,"cache_read_input_tokens":300,"output_tokens":42}}`

// usageChunks is an OpenAI stream whose final chunk (include_usage) reports
// 1500 prompt tokens of which 300 cached, and 42 completion tokens.
func usageChunks() []string {
	c := append([]string(nil), openAIChunks...)
	c[4] = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4.1-mini","choices":[],` +
		`"usage":{"prompt_tokens":1500,"completion_tokens":42,"total_tokens":1542,"prompt_tokens_details":{"cached_tokens":300}}}` + "\n\n"
	return c
}

// usageResponse is a Responses reply reporting 1500 input tokens of which
// 300 cached, and 42 output tokens; usageRespEvents streams it.
func usageResponse() map[string]any {
	msg := inProgress(respMessage, map[string]any{"content": []any{map[string]any{"type": "output_text", "text": "Hello", "annotations": []any{}}}})
	return respObject("resp_u", "completed", []any{msg}, map[string]any{"input_tokens": 1500,
		"input_tokens_details": map[string]any{"cached_tokens": 300}, "output_tokens": 42, "total_tokens": 1542})
}

func usageRespEvents() []string {
	r := usageResponse()
	return respSSE(
		map[string]any{"type": "response.created", "response": respObject("resp_u", "in_progress", []any{}, nil)},
		map[string]any{"type": "response.output_item.added", "output_index": 0, "item": map[string]any{"id": "msg_up1", "type": "message", "status": "in_progress", "role": "assistant", "content": []any{}}},
		map[string]any{"type": "response.output_text.delta", "item_id": "msg_up1", "output_index": 0, "content_index": 0, "delta": "Hello"},
		map[string]any{"type": "response.output_item.done", "output_index": 0, "item": r["output"].([]any)[0]},
		map[string]any{"type": "response.completed", "response": r},
	)
}

// chunksWithoutUsage is an OpenAI stream for a client that did not ask for
// usage: no usage chunk at all.
func chunksWithoutUsage() []string {
	return append(append([]string(nil), openAIChunks[:4]...), openAIChunks[5])
}

// defaultPrice finds the shipped price whose pattern is exactly pattern,
// so a test states which row of pricing.Defaults its arithmetic uses.
func defaultPrice(t testing.TB, pattern string) pricing.Price {
	t.Helper()
	for _, p := range pricing.Defaults() {
		if p.Model == pattern {
			return p
		}
	}
	t.Fatalf("no default price %q", pattern)
	return pricing.Price{}
}

// storedLogs stops the engine (draining the writer), reopens its database
// and lists every request log, newest first.
func storedLogs(t testing.TB, te *testEngine) []store.RequestLog {
	t.Helper()
	path := te.e.Store().Path()
	te.stopNow(t)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs, _, err := st.ListRequestLogs(context.Background(), store.LogFilter{Limit: store.MaxLogLimit})
	if err != nil {
		t.Fatal(err)
	}
	return logs
}

// waitLogs polls GET /api/logs until it lists n logs (the writer flushes
// in batches), newest first.
func (te *testEngine) waitLogs(t testing.TB, n int) []gjson.Result {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		logs := te.mustAdmin(t, http.StatusOK, http.MethodGet, "/api/logs", "").Get("logs").Array()
		if len(logs) >= n || time.Now().After(deadline) {
			if len(logs) != n {
				t.Fatalf("GET /api/logs lists %d logs, want %d", len(logs), n)
			}
			return logs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEveryExchangeLeavesOneRow(t *testing.T) {
	t.Parallel()
	const anthropicReq = `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":%t,"messages":[{"role":"user","content":"Say hello"}]}`
	cases := []struct {
		name        string
		channelType string
		modelMap    map[string]string
		path, body  string
		reply       http.HandlerFunc
		stream      bool
		upstream    string // the model the channel was asked for
		price       string // the pattern of pricing.Defaults that bills it
		estimated   bool
	}{
		{name: "a non-streamed Anthropic passthrough", path: "/v1/messages", body: fmt.Sprintf(anthropicReq, false),
			reply: replyJSON(http.StatusOK, usageMessage), upstream: "claude-sonnet-4-5", price: "claude-sonnet-4*"},
		{name: "a streamed Anthropic passthrough", path: "/v1/messages", body: fmt.Sprintf(anthropicReq, true),
			reply: replySSE(usageEvents), stream: true, upstream: "claude-sonnet-4-5", price: "claude-sonnet-4*"},
		{name: "a streamed OpenAI passthrough with include_usage", channelType: "openai", path: "/v1/chat/completions",
			body:  `{"model":"gpt-4.1-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello"}]}`,
			reply: replySSE(usageChunks()), stream: true, upstream: "gpt-4.1-mini", price: "gpt-4.1-mini"},
		{name: "a streamed exchange converted from Anthropic to OpenAI", channelType: "openai",
			modelMap: map[string]string{"claude-sonnet-4-5": "gpt-4.1-mini"}, path: "/v1/messages", body: fmt.Sprintf(anthropicReq, true),
			reply: replySSE(usageChunks()), stream: true, upstream: "gpt-4.1-mini", price: "gpt-4.1-mini"},
		{name: "a streamed Responses passthrough", channelType: "openai-responses", path: "/v1/responses",
			body:  `{"model":"gpt-4.1-mini","stream":true,"input":"Say hello"}`,
			reply: strictResponses(replySSE(usageRespEvents())), stream: true, upstream: "gpt-4.1-mini", price: "gpt-4.1-mini"},
		{name: "a non-streamed Responses passthrough", channelType: "openai-responses", path: "/v1/responses",
			body:  `{"model":"gpt-4.1-mini","input":"Say hello"}`,
			reply: strictResponses(replyJSON(http.StatusOK, mustJSON(usageResponse()))), upstream: "gpt-4.1-mini", price: "gpt-4.1-mini"},
		{name: "a streamed exchange converted from Responses to OpenAI", channelType: "openai", path: "/v1/responses",
			body:  `{"model":"gpt-4.1-mini","stream":true,"input":"Say hello"}`,
			reply: replySSE(usageChunks()), stream: true, upstream: "gpt-4.1-mini", price: "gpt-4.1-mini"},
		{name: "a streamed exchange converted from Anthropic to Responses", channelType: "openai-responses",
			modelMap: map[string]string{"claude-sonnet-4-5": "gpt-4.1-mini"}, path: "/v1/messages", body: fmt.Sprintf(anthropicReq, true),
			reply: strictResponses(replySSE(usageRespEvents())), stream: true, upstream: "gpt-4.1-mini", price: "gpt-4.1-mini"},
		{name: "a streamed OpenAI passthrough without usage is estimated", channelType: "openai", path: "/v1/chat/completions",
			body:  `{"model":"gpt-4.1-mini","stream":true,"messages":[{"role":"user","content":"Say hello to the whole wide world, please"}]}`,
			reply: replySSE(chunksWithoutUsage()), stream: true, upstream: "gpt-4.1-mini", price: "gpt-4.1-mini", estimated: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, tc.reply)
			te := newTestEngine(t)
			base := up.URL
			if tc.channelType == "openai" || tc.channelType == "openai-responses" {
				base += "/v1"
			}
			ch := te.addChannel(t, store.Channel{Name: "metered", Type: tc.channelType, BaseURL: base, ModelMap: tc.modelMap})
			got := readOK(t, te.post(t, tc.path, []byte(tc.body)))

			logs := storedLogs(t, te)
			if len(logs) != 1 {
				t.Fatalf("%d request logs, want exactly 1: %+v", len(logs), logs)
			}
			l := logs[0]
			if l.ChannelID != ch.ID || l.ChannelName != "metered" || l.Status != http.StatusOK || l.Stream != tc.stream ||
				l.UpstreamModel != tc.upstream || l.Error != "" {
				t.Errorf("row = %+v, want channel metered (%d), status 200, stream %v, upstream model %s", l, ch.ID, tc.stream, tc.upstream)
			}
			if l.TTFTMS <= 0 || l.LatencyMS < l.TTFTMS {
				t.Errorf("ttft %d ms, latency %d ms: want 0 < ttft <= latency", l.TTFTMS, l.LatencyMS)
			}
			if l.ResponseBytes != int64(len(got)) || l.RequestBytes <= 0 {
				t.Errorf("response bytes %d (client read %d), request bytes %d", l.ResponseBytes, len(got), l.RequestBytes)
			}
			p := defaultPrice(t, tc.price)
			if tc.estimated {
				if !l.UsageEstimated || l.InputTokens <= 0 {
					t.Errorf("usage_estimated %v, input %d: want an estimate, marked as one", l.UsageEstimated, l.InputTokens)
				}
			} else if l.UsageEstimated || l.InputTokens != 1200 || l.CacheReadTokens != 300 || l.OutputTokens != 42 || l.CacheWriteTokens != 0 {
				t.Errorf("tokens in %d, cache read %d, cache write %d, out %d (estimated %v); want 1200, 300, 0, 42 as reported",
					l.InputTokens, l.CacheReadTokens, l.CacheWriteTokens, l.OutputTokens, l.UsageEstimated)
			}
			// USD per million tokens, input excluding cache reads.
			want := (float64(l.InputTokens)*p.Input + float64(l.OutputTokens)*p.Output +
				float64(l.CacheReadTokens)*p.CacheRead + float64(l.CacheWriteTokens)*p.CacheWrite) / 1e6
			if l.CostUSD <= 0 || math.Abs(l.CostUSD-want) > 1e-12 {
				t.Errorf("cost %v USD, want %v at the default price of %s %+v", l.CostUSD, want, tc.price, p)
			}
		})
	}
	t.Run("the default prices make the arithmetic above concrete", func(t *testing.T) {
		t.Parallel()
		// Sonnet: $3 in, $15 out, $0.30 cache read per million.
		sonnet := defaultPrice(t, "claude-sonnet-4*").Cost(1200, 42, 300, 0)
		// GPT-4.1 mini: $0.40 in, $1.60 out, $0.10 cached per million.
		mini := defaultPrice(t, "gpt-4.1-mini").Cost(1200, 42, 300, 0)
		if math.Abs(sonnet-0.00432) > 1e-12 || math.Abs(mini-0.0005772) > 1e-12 {
			t.Errorf("sonnet %v (want 0.00432), gpt-4.1-mini %v (want 0.0005772)", sonnet, mini)
		}
	})
}

func TestFailoverLeavesOneRowWithItsAttempts(t *testing.T) {
	t.Parallel()
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream %v: A's 500 is an attempt, B serves", stream), func(t *testing.T) {
			t.Parallel()
			a, b := newUpstream(t, fail500), newUpstream(t, answer("B", stream))
			te := newTestEngine(t)
			ca, cb := twoChannels(t, te, a, b)
			raw := readOK(t, te.post(t, "/v1/messages", chatBody("claude-sonnet-4-5", stream, fresh())))
			if got := clientText(t, raw, stream); got != answerText("B") {
				t.Fatalf("client got %q", got)
			}

			id := te.waitLogs(t, 1)[0].Get("id").Int()
			detail := te.mustAdmin(t, http.StatusOK, http.MethodGet, fmt.Sprintf("/api/logs/%d", id), "")
			att := detail.Get("attempts").Array()
			if len(att) != 1 || att[0].Get("channel").Str != "A" || att[0].Get("status").Int() != 500 ||
				!strings.Contains(att[0].Get("error").Str, "boom in A") || detail.Get("channel").Str != "B" {
				t.Errorf("GET /api/logs/%d = %s, want one attempt on A (500, boom in A) and channel B", id, detail.Raw)
			}

			logs := storedLogs(t, te)
			if len(logs) != 1 {
				t.Fatalf("%d rows for one request, want 1: %+v", len(logs), logs)
			}
			l := logs[0]
			if l.ChannelID != cb.ID || l.ChannelName != "B" || l.Status != http.StatusOK || len(l.Attempts) != 1 {
				t.Fatalf("row = %+v, want B serving after one failed attempt", l)
			}
			if at := l.Attempts[0]; at.ChannelID != ca.ID || at.ChannelName != "A" || at.Status != 500 || !strings.Contains(at.Error, "boom in A") {
				t.Errorf("attempt = %+v, want A's 500 with its message", at)
			}
		})
	}
}

func TestBodiesAreCapturedOnlyWhenOnAndRedacted(t *testing.T) {
	t.Parallel()
	secretText := "my keys are " + fakeProviderKey + " and " + testChannelKey
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		// Echo the secrets back, as a model quoting its prompt would.
		replyJSON(http.StatusOK, strings.Replace(usageMessage, `"Hello"`, fmt.Sprintf("%q", "you said: "+secretText), 1))(w, r)
	})
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "capt", BaseURL: up.URL})
	send := func() {
		readOK(t, te.post(t, "/v1/messages", chatBody("claude-sonnet-4-5", false, secretText)))
	}

	send()
	off := te.mustAdmin(t, http.StatusOK, http.MethodGet, fmt.Sprintf("/api/logs/%d", te.waitLogs(t, 1)[0].Get("id").Int()), "")
	if off.Get("request_body").Str != "" || off.Get("response_body").Str != "" {
		t.Errorf("capture is off by default, yet bodies were kept: %s", off.Raw)
	}

	te.mustAdmin(t, http.StatusOK, http.MethodPut, "/api/settings", `{"capture_bodies":true}`)
	time.Sleep(2100 * time.Millisecond) // the engine re-reads the setting every 2 s
	send()
	on := te.mustAdmin(t, http.StatusOK, http.MethodGet, fmt.Sprintf("/api/logs/%d", te.waitLogs(t, 2)[0].Get("id").Int()), "")
	for _, field := range []string{"request_body", "response_body"} {
		body := on.Get(field).Str
		if !strings.Contains(body, "[redacted]") || !strings.Contains(body, "my keys are") {
			t.Errorf("%s = %q, want the body with its keys redacted", field, body)
		}
		for name, secret := range map[string]string{"fake provider key": fakeProviderKey, "channel key": testChannelKey,
			"access key": testAccessKey} {
			if strings.Contains(body, secret) {
				t.Errorf("%s keeps the %s", field, name)
			}
		}
	}
	if logs := storedLogs(t, te); len(logs) != 2 || logs[0].RequestBody != "" {
		t.Errorf("a list must not carry bodies: %d rows, first body %q", len(logs), logs[0].RequestBody)
	}
}

// scrapeMetrics reads GET /metrics with the admin token, as a scraper
// configured with a bearer token does, and parses it with Prometheus's own
// text parser.
func (te *testEngine) scrapeMetrics(t testing.TB) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, te.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sumSeries adds the values of family name's series whose labels include
// want (histograms count their samples); ok is false without such a series.
func sumSeries(fams map[string]*dto.MetricFamily, name string, want map[string]string) (sum float64, ok bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		for _, l := range m.Label {
			if v, in := want[l.GetName()]; in && v != l.GetValue() {
				continue next
			}
		}
		ok = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum, ok
}

// byPrompt answers with the handler named by the first word of the user's
// prompt, or with usageMessage. (newUpstream's handlers cannot read the
// body: the recorder has drained it.)
func byPrompt(handlers map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		word, _, _ := strings.Cut(gjson.GetBytes(body, "messages.0.content").Str, " ")
		if h, ok := handlers[word]; ok {
			h(w, r)
			return
		}
		replyJSON(http.StatusOK, usageMessage)(w, r)
	}
}

func TestMetricsAfterRealTraffic(t *testing.T) {
	t.Parallel()
	// A answers plain requests, fails with 500 on "fail" and 429 on "limit";
	// B answers everything but "limit".
	a := &upstream{Server: httptest.NewServer(byPrompt(map[string]http.HandlerFunc{"fail": fail500, "limit": fail429("")}))}
	b := &upstream{Server: httptest.NewServer(byPrompt(map[string]http.HandlerFunc{"limit": fail429("")}))}
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	te := newTestEngine(t)
	twoChannels(t, te, a, b)
	for _, tc := range []struct {
		text string
		want int
	}{{"plain " + fresh(), 200}, {"fail " + fresh(), 200}, {"limit " + fresh(), 429}} {
		resp := te.post(t, "/v1/messages", chatBody("claude-sonnet-4-5", false, tc.text))
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("%q: status %d, want %d", tc.text, resp.StatusCode, tc.want)
		}
	}

	// The recorder counts a request as its handler returns, which may be
	// just after the client has read the reply.
	var fams map[string]*dto.MetricFamily
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		fams = te.scrapeMetrics(t)
		if n, _ := sumSeries(fams, "routex_requests_total", nil); n >= 3 || time.Now().After(deadline) {
			break
		}
	}
	series := []struct {
		name   string
		labels map[string]string
		min    float64
	}{
		{"routex_requests_total", map[string]string{"channel": "A", "model": "claude-sonnet-4-5", "status": "200", "route": "default"}, 1},
		{"routex_requests_total", map[string]string{"channel": "B", "model": "claude-sonnet-4-5", "status": "200"}, 1},
		{"routex_requests_total", map[string]string{"channel": "B", "status": "429"}, 1},
		{"routex_tokens_total", map[string]string{"channel": "A", "direction": "input"}, 1200},
		{"routex_tokens_total", map[string]string{"channel": "B", "direction": "output"}, 42},
		{"routex_tokens_total", map[string]string{"direction": "cache_read"}, 600},
		{"routex_failovers_total", nil, 1},
		{"routex_upstream_errors_total", map[string]string{"channel": "A", "kind": "server_error"}, 1},
		{"routex_upstream_errors_total", map[string]string{"kind": "rate_limit"}, 2},
		{"routex_request_duration_seconds", nil, 3},
		{"routex_ttft_seconds", nil, 2},
		{"routex_cost_usd_total", nil, 0.0086},
		{"routex_log_queue_depth", nil, 0},
		{"routex_log_dropped_total", nil, 0},
		{"routex_channel_up", map[string]string{"channel": "A"}, 0},
		{"go_goroutines", nil, 1},
	}
	for _, s := range series {
		got, ok := sumSeries(fams, s.name, s.labels)
		if !ok || got < s.min {
			t.Errorf("%s%v = %v (present %v), want at least %v", s.name, s.labels, got, ok, s.min)
		}
	}
}
