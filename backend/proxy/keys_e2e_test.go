package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// Keys per person on /v1, end to end through a real engine: accepted
// wherever the access key is, refused with the limit named in the client's
// own format, counted, and logged with the key.

// createKey makes a key over the admin API and returns its id and secret.
func (te *testEngine) createKey(t testing.TB, body string) (int64, string) {
	t.Helper()
	code, out := te.admin(t, http.MethodPost, "/api/keys", body)
	if code != http.StatusCreated || out.Get("key").String() == "" {
		t.Fatalf("create key: %d %s", code, out.Raw)
	}
	return out.Get("id").Int(), out.Get("key").String()
}

// send posts body to path with the credential set by auth.
func (te *testEngine) send(t testing.TB, path, body string, auth func(*http.Request)) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, te.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	auth(req)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func bearer(k string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+k) }
}

const keyMessage = `{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`

func TestKeysPerPersonAreAcceptedWhereTheAccessKeyIs(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	anth := newUpstream(t, replyJSON(200, anthropicMessage))
	te.addChannel(t, store.Channel{Name: "anthropic", BaseURL: anth.URL, Models: []string{"claude-sonnet-4-5"}})
	gem := newUpstream(t, replyJSON(200, `{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}],`+
		`"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4}}`))
	te.addChannel(t, store.Channel{Name: "gemini", Type: "gemini", BaseURL: gem.URL, Models: []string{"gemini-2.5-pro"}, Priority: 2})
	id, secret := te.createKey(t, `{"name":"dana"}`)

	ways := []struct {
		name, path, body string
		auth             func(*http.Request)
	}{
		{"x-api-key", "/v1/messages", keyMessage, func(r *http.Request) { r.Header.Set("X-Api-Key", secret) }},
		{"bearer", "/v1/messages", keyMessage, bearer(secret)},
		{"x-goog-api-key", "/v1beta/models/gemini-2.5-pro:generateContent", `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`,
			func(r *http.Request) { r.Header.Set("X-Goog-Api-Key", secret) }},
		{"?key=", "/v1beta/models/gemini-2.5-pro:generateContent?key=" + secret, `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`,
			func(*http.Request) {}},
	}
	for _, w := range ways {
		resp := te.send(t, w.path, w.body, w.auth)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", w.name, resp.StatusCode, raw)
		}
	}
	// Nothing of the key goes upstream.
	for _, got := range append(anth.requests(), gem.requests()...) {
		if strings.Contains(got.Query, secret) || strings.Contains(string(got.Body), secret) {
			t.Errorf("the key reached the upstream: %+v", got)
		}
		for _, vs := range got.Header {
			for _, v := range vs {
				if strings.Contains(v, secret) {
					t.Errorf("the key reached the upstream in a header")
				}
			}
		}
	}
	// A secret of the right form that no key has is a plain 401 (its last
	// digit changed: to "1" when it was "0", so it is never the key's own).
	other := "0"
	if strings.HasSuffix(secret, "0") {
		other = "1"
	}
	resp := te.send(t, "/v1/messages", keyMessage, bearer(secret[:len(secret)-1]+other))
	if env := readError(t, resp, "anthropic"); resp.StatusCode != http.StatusUnauthorized || env.Error.Type != "authentication_error" {
		t.Errorf("an unknown key: %d %+v", resp.StatusCode, env)
	}

	// The log rows name the key and the instance; the counters have the
	// requests, tokens and cost.
	te.stopNow(t)
	st, err := store.Open(te.e.Config().Database())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs, _, err := st.ListRequestLogs(context.Background(), store.LogFilter{KeyID: id})
	if err != nil || len(logs) != 4 {
		t.Fatalf("%d log rows for the key (%v), want 4", len(logs), err)
	}
	for _, l := range logs {
		if l.KeyName != "dana" || l.Instance == "" || l.Status != 200 {
			t.Errorf("log row %+v", l)
		}
	}
	u, err := st.KeyUsageAt(context.Background(), time.Now())
	if err != nil || u[id].Day.Requests != 4 || u[id].Day.Tokens != 2*(2095+9)+2*(3+1) || u[id].Minute.Requests < 1 {
		t.Errorf("usage of the key: %+v %v", u[id], err)
	}
}

func TestKeyRefusalsNameTheLimitInTheClientsFormat(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	anth := newUpstream(t, replyJSON(200, anthropicMessage))
	te.addChannel(t, store.Channel{Name: "anthropic", BaseURL: anth.URL, Models: []string{"claude-sonnet-4-5"}})
	openai := newUpstream(t, replyJSON(200, openAICompletion))
	te.addChannel(t, store.Channel{Name: "openai", Type: "openai", BaseURL: openai.URL, Models: []string{"gpt-4.1-mini"}, Priority: 2})

	t.Run("requests per minute: 429 with Retry-After", func(t *testing.T) {
		// Minutes are fixed UTC windows: should one end between the
		// requests, try again with a fresh key in the next.
		for try := 0; ; try++ {
			minute := time.Now().UTC().Truncate(time.Minute)
			_, secret := te.createKey(t, `{"name":"rpm-two-`+strconv.Itoa(try)+`","rpm":2}`)
			for i := range 2 {
				resp := te.send(t, "/v1/messages", keyMessage, bearer(secret))
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("request %d: %d", i+1, resp.StatusCode)
				}
			}
			resp := te.send(t, "/v1/chat/completions", `{"model":"gpt-4.1-mini","messages":[{"role":"user","content":"hi"}]}`, bearer(secret))
			if resp.StatusCode == http.StatusOK && try == 0 && !time.Now().UTC().Truncate(time.Minute).Equal(minute) {
				resp.Body.Close()
				continue
			}
			env := readError(t, resp, "openai")
			retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			if resp.StatusCode != http.StatusTooManyRequests || env.Error.Type != "rate_limit_error" ||
				!strings.Contains(env.Error.Message, "limit of 2 requests per minute") || !strings.Contains(env.Error.Message, "resets at") ||
				retry < 1 || retry > 60 || resp.Header.Get("X-Routex-Limit") != "rpm" || resp.Header.Get("X-Should-Retry") != "true" {
				t.Errorf("third request: %d %v %+v", resp.StatusCode, resp.Header, env)
			}
			return
		}
	})

	t.Run("a spent budget: 402 billing_error, not to be retried", func(t *testing.T) {
		// Every answer costs 2095 input and 9 output tokens at $100 per million: $0.21.
		if code, _ := te.admin(t, "PUT", "/api/prices", `{"model":"claude-sonnet-4-5","input":100,"output":100}`); code != http.StatusOK {
			t.Fatalf("set a price: %d", code)
		}
		_, secret := te.createKey(t, `{"name":"budget","budget_daily_usd":0.1}`)
		resp := te.send(t, "/v1/messages", keyMessage, bearer(secret))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("first request: %d", resp.StatusCode)
		}
		// The cost ($0.21) is added when the request finishes, a moment later.
		var env errorEnvelope
		deadline := time.Now().Add(5 * time.Second)
		for {
			resp = te.send(t, "/v1/messages", keyMessage, bearer(secret))
			if resp.StatusCode != http.StatusOK {
				env = readError(t, resp, "anthropic")
				break
			}
			resp.Body.Close()
			if time.Now().After(deadline) {
				t.Fatal("the budget was never enforced")
			}
			time.Sleep(5 * time.Millisecond)
		}
		if resp.StatusCode != http.StatusPaymentRequired || env.Error.Type != "billing_error" ||
			!strings.Contains(env.Error.Message, "spent its daily budget of $0.10") ||
			resp.Header.Get("X-Should-Retry") != "false" || resp.Header.Get("X-Routex-Limit") != "daily_usd" ||
			resp.Header.Get("X-Routex-Limit-Reset") == "" {
			t.Errorf("over budget: %d %v %+v", resp.StatusCode, resp.Header, env)
		}
		gresp := te.send(t, "/v1beta/models/claude-sonnet-4-5:generateContent", `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`,
			func(r *http.Request) { r.Header.Set("X-Goog-Api-Key", secret) })
		defer gresp.Body.Close()
		var g struct {
			Error struct {
				Code   int    `json:"code"`
				Status string `json:"status"`
			} `json:"error"`
		}
		json.NewDecoder(gresp.Body).Decode(&g)
		if gresp.StatusCode != http.StatusPaymentRequired || g.Error.Code != 402 || g.Error.Status != "RESOURCE_EXHAUSTED" {
			t.Errorf("over budget in Gemini's format: %d %+v", gresp.StatusCode, g)
		}
	})

	t.Run("models and channels the key may not use: 403", func(t *testing.T) {
		_, secret := te.createKey(t, `{"name":"gpt-only","models":["gpt-*"],"channels":["openai"]}`)
		resp := te.send(t, "/v1/messages", keyMessage, bearer(secret))
		env := readError(t, resp, "anthropic")
		if resp.StatusCode != http.StatusForbidden || env.Error.Type != "permission_error" ||
			!strings.Contains(env.Error.Message, `may not use model "claude-sonnet-4-5"`) || resp.Header.Get("X-Should-Retry") != "false" {
			t.Errorf("a model not allowed: %d %+v", resp.StatusCode, env)
		}
		// Routed to anthropic explicitly: a channel the key may not use.
		resp = te.send(t, "/v1/chat/completions", `{"model":"anthropic,gpt-4.1-mini","messages":[{"role":"user","content":"hi"}]}`, bearer(secret))
		env = readError(t, resp, "openai")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(env.Error.Message, "may only be served by channel openai") {
			t.Errorf("a channel not allowed: %d %+v", resp.StatusCode, env)
		}
		// With no route, every channel may serve: the key's go first and only.
		before := len(anth.requests())
		resp = te.send(t, "/v1/chat/completions", `{"model":"gpt-4.1-mini","messages":[{"role":"user","content":"hi"}]}`, bearer(secret))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(anth.requests()) != before {
			t.Errorf("an allowed model: %d, anthropic got %d more requests", resp.StatusCode, len(anth.requests())-before)
		}
		// The model list shows what the key may use.
		req, _ := http.NewRequest(http.MethodGet, te.url+"/v1/models", nil)
		bearer(secret)(req)
		mresp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(mresp.Body)
		mresp.Body.Close()
		if !bytes.Contains(raw, []byte(`"gpt-4.1-mini"`)) || bytes.Contains(raw, []byte("claude")) {
			t.Errorf("models for a gpt-only key: %s", raw)
		}
	})

	t.Run("revoked: 403 from the next request on", func(t *testing.T) {
		id, secret := te.createKey(t, `{"name":"leaver"}`)
		resp := te.send(t, "/v1/messages", keyMessage, bearer(secret))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("before revoking: %d", resp.StatusCode)
		}
		if code, _ := te.admin(t, "DELETE", "/api/keys/"+strconv.FormatInt(id, 10), ""); code != http.StatusOK {
			t.Fatalf("revoke: %d", code)
		}
		resp = te.send(t, "/v1/messages", keyMessage, bearer(secret))
		env := readError(t, resp, "anthropic")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(env.Error.Message, "was revoked") {
			t.Errorf("after revoking: %d %+v", resp.StatusCode, env)
		}
		// The access key is untouched by any of it.
		resp = te.send(t, "/v1/messages", keyMessage, bearer(testAccessKey))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("the access key: %d", resp.StatusCode)
		}
	})
}

func TestKeyTokenCountsAreCheckedButNotCounted(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	anth := newUpstream(t, replyJSON(200, `{"input_tokens":12}`))
	te.addChannel(t, store.Channel{Name: "anthropic", BaseURL: anth.URL, Models: []string{"claude-sonnet-4-5"}})
	id, secret := te.createKey(t, `{"name":"counter","models":["claude-*"],"rpm":1}`)
	for i := range 3 { // more than the rpm: a count is not a request
		resp := te.send(t, "/v1/messages/count_tokens", `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}`, bearer(secret))
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("count %d: %d %s", i+1, resp.StatusCode, raw)
		}
	}
	resp := te.send(t, "/v1/messages/count_tokens", `{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}`, bearer(secret))
	if env := readError(t, resp, "anthropic"); resp.StatusCode != http.StatusForbidden || !strings.Contains(env.Error.Message, `may not use model "gpt-4.1"`) {
		t.Errorf("a count for a model the key may not use: %d %+v", resp.StatusCode, env)
	}
	te.stopNow(t)
	st, err := store.Open(te.e.Config().Database())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if u, err := st.KeyUsageAt(context.Background(), time.Now()); err != nil || u[id].Minute.Requests != 0 || u[id].Day.Requests != 0 {
		t.Errorf("token counts were counted: %+v %v", u[id], err)
	}
}
