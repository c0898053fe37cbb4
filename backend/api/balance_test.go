package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// providerMock stands in for every provider's balance endpoint: the test
// client dials it whatever host a request names, so the built-in queries
// run with their real URLs (https://api.deepseek.com/user/balance …) and
// the mock sees exactly what a provider would. It is as strict as the real
// endpoints: the wrong key gets 401, an unknown path 404.
type providerMock struct {
	srv *httptest.Server
	mu  sync.Mutex
	// answers by "host/path": status and body; a negative status hangs.
	answers map[string]struct {
		status int
		body   string
	}
	seen []string // "host path authorization"
}

func newProviderMock(t *testing.T) (*providerMock, *http.Client) {
	m := &providerMock{answers: map[string]struct {
		status int
		body   string
	}{}}
	m.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.seen = append(m.seen, r.Host+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		a, ok := m.answers[r.Host+r.URL.Path]
		m.mu.Unlock()
		switch {
		case !ok:
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		case r.Header.Get("Authorization") != "Bearer sk-good-key":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"Authentication Fails, Your api key: ****-key is invalid"}}`)
			return
		case a.status < 0:
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		if strings.HasPrefix(a.body, "<") {
			w.Header().Set("Content-Type", "text/html")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(a.status)
		fmt.Fprint(w, a.body)
	}))
	t.Cleanup(m.srv.Close)
	tr := m.srv.Client().Transport.(*http.Transport).Clone()
	addr := m.srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.DialTLSContext = nil
	tr.TLSClientConfig.InsecureSkipVerify = true
	client := &http.Client{Transport: tr, Timeout: 500 * time.Millisecond,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return m, client
}

func (m *providerMock) answer(hostPath string, status int, body string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers[hostPath] = struct {
		status int
		body   string
	}{status, body}
}

func (m *providerMock) requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.seen...)
}

// addChannel creates a channel on a provider's base URL with a key.
func addProviderChannel(a *testAPI, name, baseURL, key, extra string) int64 {
	a.t.Helper()
	r := a.do("POST", "/api/channels", `{"name":"`+name+`","type":"openai","base_url":"`+baseURL+`","api_key":"`+key+`"`+extra+`}`)
	r.want(a.t, http.StatusCreated)
	return int64(r.body["id"].(float64))
}

func num(v any) float64 { f, _ := v.(float64); return f }

func TestDeepSeekBalanceThroughTheAPI(t *testing.T) {
	t.Parallel()
	mock, client := newProviderMock(t)
	a := newConfiguredAPI(t, client)
	mock.answer("api.deepseek.com/user/balance", 200,
		`{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"}]}`)
	id := addProviderChannel(a.testAPI, "deepseek", "https://api.deepseek.com/v1", "sk-good-key", "")

	// Never asked: the first GET asks.
	b := a.do("GET", fmt.Sprintf("/api/channels/%d/balance", id), "").want(t, http.StatusOK).body
	if num(b["remaining"]) != 110 || b["unit"] != "CNY" || b["error"] != "" || b["level"] != "ok" ||
		b["provider"] != "deepseek" || b["used"] != nil || b["reset_at"] != nil || b["updated_at"] == nil {
		t.Fatalf("balance = %v", b)
	}
	if got := mock.requests(); len(got) != 1 || got[0] != "api.deepseek.com /user/balance Bearer sk-good-key" {
		t.Fatalf("the provider saw %v", got)
	}
	// The second GET reads the cache.
	a.do("GET", fmt.Sprintf("/api/channels/%d/balance", id), "").want(t, http.StatusOK)
	if n := len(mock.requests()); n != 1 {
		t.Errorf("a cached GET asked the provider again (%d requests)", n)
	}

	// Low: below the user's threshold.
	a.do("PUT", "/api/settings", `{"balance_warn":{"CNY":200,"USD":1}}`).want(t, http.StatusOK)
	if lvl := a.do("GET", fmt.Sprintf("/api/channels/%d/balance", id), "").body["level"]; lvl != "low" {
		t.Errorf("level with a CNY 200 warning = %v, want low", lvl)
	}
	s := a.do("GET", "/api/settings", "").want(t, http.StatusOK).body
	if w, _ := s["balance_warn"].(map[string]any); num(w["CNY"]) != 200 || s["balance_floor"] == nil {
		t.Errorf("settings = %v", s)
	}

	// Spent: exhausted.
	mock.answer("api.deepseek.com/user/balance", 200, `{"is_available":false,"balance_infos":[{"currency":"CNY","total_balance":"0.00"}]}`)
	b = a.do("POST", fmt.Sprintf("/api/channels/%d/balance/refresh", id), "").want(t, http.StatusOK).body
	if num(b["remaining"]) != 0 || b["level"] != "exhausted" || b["available"] != false {
		t.Errorf("after spending = %v", b)
	}

	list := a.do("GET", "/api/balances", "").want(t, http.StatusOK).body
	bals, _ := list["balances"].([]any)
	th, _ := list["thresholds"].(map[string]any)
	if len(bals) != 1 || bals[0].(map[string]any)["level"] != "exhausted" || th["warn"] == nil {
		t.Errorf("GET /api/balances = %v", list)
	}
}

func TestBalanceFailuresAreErrorsNeverExhausted(t *testing.T) {
	t.Parallel()
	mock, client := newProviderMock(t)
	a := newConfiguredAPI(t, client)
	id := addProviderChannel(a.testAPI, "kimi", "https://api.moonshot.cn/v1", "sk-good-key", "")
	path := fmt.Sprintf("/api/channels/%d/balance/refresh", id)
	refresh := func() map[string]any { return a.do("POST", path, "").want(t, http.StatusOK).body }

	mock.answer("api.moonshot.cn/v1/users/me/balance", 200, `{"code":0,"data":{"available_balance":0,"voucher_balance":0,"cash_balance":0},"status":true}`)
	if b := refresh(); b["level"] != "exhausted" || b["unit"] != "CNY" {
		t.Fatalf("an empty Kimi account = %v", b)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"an HTML page", "<html><body>Please sign in</body></html>", 200, "answered with an HTML page, not JSON"},
		{"an absurd number", `{"code":0,"data":{"available_balance":1e300},"status":true}`, 200, "is not believable"},
		{"a string instead of a number", `{"code":0,"data":{"available_balance":"plenty"},"status":true}`, 200, `available_balance is "plenty", not a number`},
		{"a provider error code", `{"code":5,"error":{"message":"account frozen"},"status":false}`, 200, "answered code 5: account frozen"},
		{"a 500", `{"error":{"message":"internal"}}`, 500, "api.moonshot.cn answered HTTP 500: internal"},
		{"a redirect", ``, 302, "answered with a redirect"},
		{"a timeout", ``, -1, "api.moonshot.cn did not answer in time"},
	} {
		mock.answer("api.moonshot.cn/v1/users/me/balance", tc.status, tc.body)
		b := refresh()
		if b["level"] != "unknown" || !strings.Contains(fmt.Sprint(b["error"]), tc.want) || num(b["remaining"]) != 0 || b["remaining"] == nil {
			t.Errorf("%s: balance = %v, want level unknown, error %q, the last remaining (0) kept", tc.name, b, tc.want)
		}
	}

	// A wrong key says so, and never shows the key.
	a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), `{"api_key":"sk-wrong-key-1234"}`).want(t, http.StatusOK)
	mock.answer("api.moonshot.cn/v1/users/me/balance", 200, `{"code":0,"data":{"available_balance":5},"status":true}`)
	r := a.do("POST", path, "").want(t, http.StatusOK)
	if !strings.Contains(fmt.Sprint(r.body["error"]), "refused the key (HTTP 401): check the channel's API key") || strings.Contains(r.raw, "sk-wrong-key") {
		t.Errorf("a refused key: %s", r.raw)
	}
}

func TestBalanceQueriesOnTheChannel(t *testing.T) {
	t.Parallel()
	mock, client := newProviderMock(t)
	a := newConfiguredAPI(t, client)

	// A provider without a balance endpoint has no query: 422 says what to do.
	glm := addProviderChannel(a.testAPI, "glm", "https://open.bigmodel.cn/api/paas/v4", "sk-good-key", "")
	r := a.do("POST", fmt.Sprintf("/api/channels/%d/balance/refresh", glm), "").want(t, http.StatusUnprocessableEntity)
	if !strings.Contains(r.raw, "add a custom query in the channel editor") {
		t.Errorf("no query: %s", r.raw)
	}
	if b := a.do("GET", fmt.Sprintf("/api/channels/%d/balance", glm), "").want(t, http.StatusOK).body; b["provider"] != "" || b["level"] != "unknown" {
		t.Errorf("GET balance of a channel without a query = %v", b)
	}
	a.do("GET", "/api/channels/999/balance", "").want(t, http.StatusNotFound)

	// A custom query with literal header values: every one is shown as a
	// preview, as the channel's own headers are (a project id and a
	// credential look alike), and kept when the editor sends the preview
	// back; one that only names the channel's key is shown as it is.
	mock.answer("relay.example/api/user/self", 200, `{"data":{"quota":2500000,"used_quota":500000}}`)
	q := `,"balance_query":{"url":"{{origin}}/api/user/self","headers":{"Authorization":"Bearer sk-good-key","X-Workspace":"ws-0123456789abcdef","X-Key":"Bearer {{key}}"},"remaining":"data.quota","used":"data.used_quota","unit":"credits","scale":500000}`
	id := addProviderChannel(a.testAPI, "relay", "https://relay.example/v1", "sk-other", q)
	ch := a.do("GET", fmt.Sprintf("/api/channels/%d", id), "").want(t, http.StatusOK)
	if strings.Contains(ch.raw, "sk-good-key") || strings.Contains(ch.raw, "ws-0123456789abcdef") || !strings.Contains(ch.raw, `"X-Key": "Bearer {{key}}"`) {
		t.Fatalf("the channel shows its query's header values: %s", ch.raw)
	}
	bq := ch.body["balance_query"].(map[string]any)
	bq["unit"] = "tokens"
	patch := fmt.Sprintf(`{"balance_query":%s}`, mustJSON(t, bq))
	a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), patch).want(t, http.StatusOK)
	b := a.do("POST", fmt.Sprintf("/api/channels/%d/balance/refresh", id), "").want(t, http.StatusOK).body
	if num(b["remaining"]) != 5 || num(b["used"]) != 1 || b["unit"] != "tokens" || b["error"] != "" || b["provider"] != "custom" {
		t.Errorf("custom query balance = %v (the secret header must survive the round trip)", b)
	}
	stored, err := a.store.Channel(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(stored.BalanceQuery), `"X-Workspace":"ws-0123456789abcdef"`) {
		t.Errorf("stored query after the round trip = %s, want X-Workspace kept", stored.BalanceQuery)
	}

	// A provider's error that quotes a header value it was sent never
	// shows it.
	mock.answer("relay.example/api/user/self", 403, `{"error":{"message":"workspace ws-0123456789abcdef is not allowed"}}`)
	r = a.do("POST", fmt.Sprintf("/api/channels/%d/balance/refresh", id), "").want(t, http.StatusOK)
	if msg := fmt.Sprint(r.body["error"]); strings.Contains(r.raw, "ws-0123456789abcdef") || !strings.Contains(msg, "workspace [redacted] is not allowed") {
		t.Errorf("a provider error quoting a query header: %s", r.raw)
	}
	mock.answer("relay.example/api/user/self", 200, `{"data":{"quota":2500000,"used_quota":500000}}`)

	// A query that cannot work is refused at save time, by field.
	bad := a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), `{"balance_query":{"url":"ftp://x","remaining":"a"}}`).want(t, http.StatusBadRequest)
	if f := bad.field("balance_query"); f == nil || !strings.Contains(fmt.Sprint(f["message"]), "url must be an http") {
		t.Errorf("a bad query: %s", bad.raw)
	}
	// null leaves the query as it is; {} goes back to the built-in one
	// (none for this host).
	a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), `{"balance_query":null}`).want(t, http.StatusOK)
	a.do("POST", fmt.Sprintf("/api/channels/%d/balance/refresh", id), "").want(t, http.StatusOK)
	a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), `{"balance_query":{}}`).want(t, http.StatusOK)
	a.do("POST", fmt.Sprintf("/api/channels/%d/balance/refresh", id), "").want(t, http.StatusUnprocessableEntity)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
