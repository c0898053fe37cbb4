package proxy_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// The Gemini API is served under /v1 as well as /v1beta: the Google GenAI
// SDK (@google/genai) now defaults to v1.
func TestGeminiUnderV1(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, ":countTokens"):
			replyJSON(http.StatusOK, `{"totalTokens":7}`)(w, r)
		case strings.HasSuffix(r.URL.Path, ":streamGenerateContent"):
			replySSE(geminiToolEvents)(w, r)
		default:
			replyJSON(http.StatusOK, geminiToolResponse)(w, r)
		}
	})
	te.addChannel(t, store.Channel{Name: "google", Type: "gemini", BaseURL: up.URL})
	body := []byte(`{"contents":[{"role":"user","parts":[{"text":"list /tmp"}]}]}`)

	cases := []struct{ path, upstreamPath, query, want string }{
		{"/v1/models/gemini-2.5-pro:generateContent", "/v1beta/models/gemini-2.5-pro:generateContent", "", "candidates.0.content.parts.1.functionCall.name"},
		{"/v1/models/gemini-2.5-pro:streamGenerateContent?alt=sse", "/v1beta/models/gemini-2.5-pro:streamGenerateContent", "alt=sse", ""},
		// Routex counts tokens itself for channels other than Anthropic.
		{"/v1/models/gemini-2.5-pro:countTokens", "", "", "totalTokens"},
	}
	for i, c := range cases {
		raw := readOK(t, te.postAs(t, "gemini", c.path, body, nil))
		got := up.requests()
		if c.upstreamPath == "" {
			if len(got) != i {
				t.Errorf("%s reached the upstream", c.path)
			}
		} else if last := got[len(got)-1]; last.Path != c.upstreamPath || last.Query != c.query {
			t.Errorf("%s went upstream to %s?%s, want %s?%s", c.path, last.Path, last.Query, c.upstreamPath, c.query)
		}
		if c.want != "" && !gjson.GetBytes(raw, c.want).Exists() {
			t.Errorf("%s: reply has no %s: %s", c.path, c.want, raw)
		}
		if c.want == "" && !strings.Contains(string(raw), `"functionCall"`) {
			t.Errorf("%s: stream has no function call: %s", c.path, raw)
		}
	}

	// GET /v1/models is still the OpenAI model list.
	req, _ := http.NewRequest(http.MethodGet, te.url+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+testAccessKey)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw := readOK(t, resp)
	if gjson.GetBytes(raw, "object").Str != "list" || !gjson.GetBytes(raw, "data").IsArray() {
		t.Fatalf("GET /v1/models = %s, want the OpenAI model list", raw)
	}
}

// A request to a path Routex does not serve gets a 404 in the caller's
// error format that names every endpoint Routex serves, and leaves a
// client-error record in the request log.
func TestUnknownEndpoints(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	up := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	te.addChannel(t, store.Channel{Name: "A", BaseURL: up.URL})

	cases := []struct {
		method, path, format string
		headers              map[string]string
	}{
		{http.MethodPost, "/v1/embeddings", "openai", map[string]string{"Authorization": "Bearer " + testAccessKey}},
		{http.MethodPost, "/v1/complete", "anthropic", map[string]string{"X-Api-Key": testAccessKey, "Anthropic-Version": "2023-06-01"}},
		{http.MethodPost, "/v1beta/models/gemini-2.5-pro:embedContent", "gemini", map[string]string{"X-Goog-Api-Key": testAccessKey}},
		{http.MethodGet, "/v1/models/gpt-4.1", "openai", map[string]string{"Authorization": "Bearer " + testAccessKey}},
	}
	var served string
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, te.url+c.path, strings.NewReader(`{"model":"m"}`))
		for k, v := range c.headers {
			req.Header.Set(k, v)
		}
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", c.method, c.path, resp.StatusCode)
		}
		env := readError(t, resp, c.format)
		if c.format == "gemini" && env.Error.Status != "NOT_FOUND" {
			t.Errorf("%s: not a Gemini error envelope: %+v", c.path, env)
		}
		msg := env.Error.Message
		if !strings.Contains(msg, c.method+" "+c.path) {
			t.Errorf("message %q does not name the request", msg)
		}
		_, served, _ = strings.Cut(msg, "; it serves ")
	}

	// Every endpoint the message names is served: none of them is a 404.
	endpoints := strings.Split(served, ", ")
	if len(endpoints) < 10 {
		t.Fatalf("the 404 names %d endpoints, want every one: %q", len(endpoints), served)
	}
	for _, e := range endpoints {
		method, path, _ := strings.Cut(e, " ")
		path = strings.ReplaceAll(path, "{model}", "claude-sonnet-4-5")
		format := "openai"
		switch {
		case strings.Contains(path, ":"):
			format = "gemini"
		case strings.HasPrefix(path, "/v1/messages"):
			format = "anthropic"
		}
		var resp *http.Response
		if method == http.MethodGet {
			req, _ := http.NewRequest(method, te.url+path, nil)
			req.Header.Set("Authorization", "Bearer "+testAccessKey)
			var err error
			if resp, err = testClient.Do(req); err != nil {
				t.Fatal(err)
			}
		} else {
			resp = te.postAs(t, format, path, []byte(`{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"contents":[{"parts":[{"text":"hi"}]}]}`), nil)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			t.Errorf("%s is named as served but answers 404", e)
		}
	}

	logs := logsOf(t, te, 50)
	var unknown []store.RequestLog
	for _, l := range logs {
		if l.Status == http.StatusNotFound {
			unknown = append(unknown, l)
		}
	}
	if len(unknown) != len(cases) {
		t.Fatalf("%d 404s in the request log, want %d: %+v", len(unknown), len(cases), unknown)
	}
	for i, c := range cases {
		l := unknown[i]
		if l.Format != c.format || !strings.Contains(l.Error, c.method+" "+c.path) {
			t.Errorf("log %d: format %q error %q; want %s and the method and path", i, l.Format, l.Error, c.format)
		}
	}
}
