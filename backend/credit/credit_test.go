package credit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 18, 15, 4, 5, 0, time.UTC) // a Wednesday

func ok(body string) Answer { return Answer{Status: 200, Body: []byte(body)} }

func f(v float64) *float64 { return &v }

// fmtNum prints a *float64 for messages.
func fmtNum(v *float64) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprint(*v)
}

func TestBuiltinQueriesReadEachProvidersDocumentedAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, base     string
		answers        []Answer
		wantURLs       []string
		remaining      *float64
		used           *float64
		unit           string
		available      *bool
		resetAt        time.Time
		wantProviderID string
	}{
		{name: "DeepSeek, amounts as strings", base: "https://api.deepseek.com/v1",
			answers:  []Answer{ok(`{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"}]}`)},
			wantURLs: []string{"https://api.deepseek.com/user/balance"}, remaining: f(110), unit: "CNY", available: ptr(true), wantProviderID: "deepseek"},
		{name: "DeepSeek's Anthropic endpoint is the same account", base: "https://api.deepseek.com/anthropic",
			answers:  []Answer{ok(`{"is_available":false,"balance_infos":[{"currency":"USD","total_balance":"0.00"}]}`)},
			wantURLs: []string{"https://api.deepseek.com/user/balance"}, remaining: f(0), unit: "USD", available: ptr(false), wantProviderID: "deepseek"},
		{name: "DeepSeek with two currencies takes the one with money", base: "https://api.deepseek.com",
			answers:  []Answer{ok(`{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"0.00"},{"currency":"USD","total_balance":"3.50"}]}`)},
			wantURLs: []string{"https://api.deepseek.com/user/balance"}, remaining: f(3.5), unit: "USD", available: ptr(true), wantProviderID: "deepseek"},
		{name: "OpenRouter key with a monthly limit", base: "https://openrouter.ai/api/v1",
			answers:   []Answer{ok(`{"data":{"limit":100,"limit_remaining":74.5,"limit_reset":"monthly","usage":25.5}}`), {Status: 403, Body: []byte(`{"error":{"message":"management key required"}}`)}},
			wantURLs:  []string{"https://openrouter.ai/api/v1/key", "https://openrouter.ai/api/v1/credits"},
			remaining: f(74.5), used: f(25.5), unit: "USD", resetAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), wantProviderID: "openrouter"},
		{name: "OpenRouter key without a limit reads the account's credits", base: "https://openrouter.ai/api/v1",
			answers:   []Answer{ok(`{"data":{"limit":null,"limit_remaining":null,"limit_reset":null,"usage":3}}`), ok(`{"data":{"total_credits":100.5,"total_usage":25.75}}`)},
			wantURLs:  []string{"https://openrouter.ai/api/v1/key", "https://openrouter.ai/api/v1/credits"},
			remaining: f(74.75), used: f(25.75), unit: "USD", wantProviderID: "openrouter"},
		{name: "OpenRouter key without a limit and no right to the credits: used only", base: "https://openrouter.ai/api/v1",
			answers:  []Answer{ok(`{"data":{"limit":null,"limit_remaining":null,"usage":3.25}}`), {Status: 403, Body: []byte(`{}`)}},
			wantURLs: []string{"https://openrouter.ai/api/v1/key", "https://openrouter.ai/api/v1/credits"},
			used:     f(3.25), unit: "USD", wantProviderID: "openrouter"},
		{name: "OpenRouter weekly limit resets next Monday", base: "https://openrouter.ai/api/v1",
			answers:   []Answer{ok(`{"data":{"limit":5,"limit_remaining":1,"limit_reset":"weekly","usage":4}}`), {Err: errors.New("refused")}},
			wantURLs:  []string{"https://openrouter.ai/api/v1/key", "https://openrouter.ai/api/v1/credits"},
			remaining: f(1), used: f(4), unit: "USD", resetAt: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), wantProviderID: "openrouter"},
		{name: "Kimi in China bills in yuan", base: "https://api.moonshot.cn/v1",
			answers:  []Answer{ok(`{"code":0,"data":{"available_balance":49.58894,"voucher_balance":46.58893,"cash_balance":3.00001},"scode":"0x0","status":true}`)},
			wantURLs: []string{"https://api.moonshot.cn/v1/users/me/balance"}, remaining: f(49.58894), unit: "CNY", wantProviderID: "moonshot"},
		{name: "Kimi international bills in dollars", base: "https://api.moonshot.ai/anthropic",
			answers:  []Answer{ok(`{"code":0,"data":{"available_balance":-1.5,"voucher_balance":0,"cash_balance":-1.5},"status":true}`)},
			wantURLs: []string{"https://api.moonshot.ai/v1/users/me/balance"}, remaining: f(-1.5), unit: "USD", wantProviderID: "moonshot"},
		{name: "SiliconFlow", base: "https://api.siliconflow.cn/v1",
			answers:  []Answer{ok(`{"code":20000,"message":"OK","status":true,"data":{"balance":"0.88","chargeBalance":"88.00","totalBalance":"88.88","status":"normal"}}`)},
			wantURLs: []string{"https://api.siliconflow.cn/v1/user/info"}, remaining: f(88.88), unit: "CNY", wantProviderID: "siliconflow"},
		{name: "Novita counts in ten-thousandths of a dollar", base: "https://api.novita.ai/openai",
			answers:  []Answer{ok(`{"availableBalance":"1000000","cashBalance":"800000","creditLimit":"200000","pendingCharges":"0","outstandingInvoices":"0"}`)},
			wantURLs: []string{"https://api.novita.ai/openapi/v1/billing/balance/detail"}, remaining: f(100), unit: "USD", wantProviderID: "novita"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec, err := Plan(Account{BaseURL: tc.base, Key: "sk-secret"})
			if err != nil {
				t.Fatal(err)
			}
			if spec.Provider != tc.wantProviderID || !strings.HasPrefix(spec.Docs, "https://") {
				t.Errorf("provider %q docs %q", spec.Provider, spec.Docs)
			}
			var urls []string
			for _, r := range spec.Requests {
				urls = append(urls, r.URL)
				if r.Header["Authorization"] != "Bearer sk-secret" || r.Method != "GET" {
					t.Errorf("%s: %s with headers %v", r.URL, r.Method, r.Header)
				}
			}
			if strings.Join(urls, " ") != strings.Join(tc.wantURLs, " ") {
				t.Errorf("requests %v, want %v", urls, tc.wantURLs)
			}
			r, err := spec.Parse(tc.answers, now)
			if err != nil {
				t.Fatal(err)
			}
			if fmtNum(r.Remaining) != fmtNum(tc.remaining) || fmtNum(r.Used) != fmtNum(tc.used) || r.Unit != tc.unit ||
				fmt.Sprint(deref(r.Available)) != fmt.Sprint(deref(tc.available)) || !r.ResetAt.Equal(tc.resetAt) {
				t.Errorf("result remaining=%s used=%s unit=%q available=%v reset=%v", fmtNum(r.Remaining), fmtNum(r.Used), r.Unit, r.Available, r.ResetAt)
			}
		})
	}
}

func TestAnswersThatCannotBeReadAreClearErrors(t *testing.T) {
	t.Parallel()
	deepseek := Account{BaseURL: "https://api.deepseek.com/v1", Key: "sk-x"}
	for _, tc := range []struct {
		name   string
		answer Answer
		want   string
	}{
		{"a refused key", Answer{Status: 401, Body: []byte(`{"error":{"message":"Authentication Fails (no such user)"}}`)},
			"api.deepseek.com refused the key (HTTP 401): check the channel's API key: Authentication Fails"},
		{"a server error", Answer{Status: 503, Body: []byte(`upstream overloaded`)}, "api.deepseek.com answered HTTP 503"},
		{"a redirect to a login page", Answer{Status: 302}, "answered with a redirect (HTTP 302)"},
		{"a timeout", Answer{Err: fmt.Errorf("Get: %w", context.DeadlineExceeded)}, "api.deepseek.com did not answer in time"},
		{"a refused connection", Answer{Err: errors.New("dial tcp: connection refused")}, "could not reach api.deepseek.com: dial tcp: connection refused"},
		{"an HTML page", ok("<!doctype html><html><body>Sign in</body></html>"), "answered with an HTML page, not JSON"},
		{"an empty body", ok(""), "answered with an empty body"},
		{"text that is not JSON", ok("balance: 12"), "did not answer with JSON"},
		{"an amount that is words", ok(`{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"lots"}]}`), `total_balance is "lots", not a number`},
		{"an amount that is an object", ok(`{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":{"v":1}}]}`), `total_balance is {"v":1}, not a number`},
		{"NaN spelt as a string", ok(`{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"NaN"}]}`), "is not a number (NaN)"},
		{"an absurd amount", ok(`{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"1e15"}]}`), "is not believable"},
		{"a different shape", ok(`{"balance":12}`), "the answer has no balance_infos list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec, err := Plan(deepseek)
			if err != nil {
				t.Fatal(err)
			}
			r, err := spec.Parse([]Answer{tc.answer}, now)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse = %+v, %v; want an error containing %q", r, err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "sk-x") {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}

func TestCustomQueries(t *testing.T) {
	t.Parallel()
	q := func(v Query) json.RawMessage { b, _ := json.Marshal(v); return b }
	for _, tc := range []struct {
		name      string
		base      string
		query     Query
		answer    string
		wantReq   string
		remaining *float64
		used      *float64
		unit      string
		available *bool
		reset     time.Time
		wantErr   string
	}{
		{name: "a gjson path with the key in a header", base: "https://relay.example/v1",
			query:  Query{URL: "{{origin}}/api/user/self", Headers: map[string]string{"Authorization": "Bearer {{key}}"}, Remaining: "data.quota", Used: "data.used_quota", Unit: "credits"},
			answer: `{"success":true,"data":{"quota":24997909,"used_quota":10027091}}`, wantReq: "GET https://relay.example/api/user/self Bearer sk-k",
			remaining: f(24997909), used: f(10027091), unit: "credits"},
		{name: "an expression over the answer, scaled", base: "https://api.example.com/v1",
			query:  Query{URL: "{{base_url}}/credits?key={{key}}", Remaining: "data.total - data.spent", Used: "data.spent", Unit: "usd", Scale: 100},
			answer: `{"data":{"total":1050,"spent":50}}`, wantReq: "GET https://api.example.com/v1/credits?key=sk-k ",
			remaining: f(10), used: f(0.5), unit: "USD"},
		{name: "a path into a list, the unit and reset time read from the answer", base: "https://x.example",
			query:  Query{URL: "https://x.example/quota", Method: "post", Body: `{"key":"{{key}}"}`, Remaining: "limits.0.remaining", UnitPath: "limits.0.unit", ResetAt: "limits.0.nextResetTime", Available: "ok"},
			answer: `{"ok":true,"limits":[{"remaining":"7","unit":"requests","nextResetTime":1795000000000}]}`, wantReq: `POST https://x.example/quota `,
			remaining: f(7), unit: "requests", available: ptr(true), reset: time.UnixMilli(1795000000000).UTC()},
		{name: "a path the answer lacks", base: "https://x.example",
			query: Query{URL: "https://x.example/b", Remaining: "data.balance"}, answer: `{"data":{"credit":3}}`, wantErr: "the answer has nothing at data.balance"},
		{name: "a negative amount used is refused", base: "https://x.example",
			query: Query{URL: "https://x.example/b", Remaining: "r", Used: "u"}, answer: `{"r":3,"u":-2}`, wantErr: "negative amount used"},
		{name: "available must be true or false", base: "https://x.example",
			query: Query{URL: "https://x.example/b", Remaining: "r", Available: "status"}, answer: `{"r":3,"status":"normal"}`, wantErr: "available is normal, not true or false"},
		{name: "an expression that fails says which", base: "https://x.example",
			query: Query{URL: "https://x.example/b", Remaining: "data.total - nothing.here"}, answer: `{"data":{"total":3}}`, wantErr: "remaining: data.total - nothing.here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec, err := Plan(Account{BaseURL: tc.base, Key: "sk-k", Query: q(tc.query)})
			if err != nil {
				t.Fatal(err)
			}
			req := spec.Requests[0]
			if got := req.Method + " " + req.URL + " " + strings.TrimPrefix(req.Header["Authorization"], ""); tc.wantReq != "" && got != tc.wantReq {
				t.Errorf("request %q, want %q", got, tc.wantReq)
			}
			if tc.query.Body != "" && req.Body != `{"key":"sk-k"}` {
				t.Errorf("body %q", req.Body)
			}
			r, err := spec.Parse([]Answer{ok(tc.answer)}, now)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Parse = %+v, %v; want %q", r, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmtNum(r.Remaining) != fmtNum(tc.remaining) || fmtNum(r.Used) != fmtNum(tc.used) || r.Unit != tc.unit ||
				fmt.Sprint(deref(r.Available)) != fmt.Sprint(deref(tc.available)) || !r.ResetAt.Equal(tc.reset) {
				t.Errorf("result remaining=%s used=%s unit=%q available=%v reset=%v", fmtNum(r.Remaining), fmtNum(r.Used), r.Unit, deref(r.Available), r.ResetAt)
			}
		})
	}
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func TestPlanWithoutAQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		a     Account
		want  error
		wantS string
	}{
		{"a provider without a balance endpoint", Account{BaseURL: "https://open.bigmodel.cn/api/paas/v4"}, ErrNoQuery, ""},
		{"a local server", Account{BaseURL: "http://localhost:11434/v1"}, ErrNoQuery, ""},
		{"the built-in query turned off", Account{BaseURL: "https://api.deepseek.com", Query: json.RawMessage(`{"off":true}`)}, ErrNoQuery, ""},
		{"a query with an unknown field", Account{BaseURL: "https://x", Query: json.RawMessage(`{"url":"https://x/b","remainin":"a"}`)}, nil, "unknown field"},
		{"a query with a relative URL", Account{BaseURL: "https://x", Query: json.RawMessage(`{"url":"/balance","remaining":"a"}`)}, nil, "url must be an http"},
		{"a query that reads nothing", Account{BaseURL: "https://x", Query: json.RawMessage(`{"url":"https://x/b"}`)}, nil, "say what to read"},
		{"a query with a broken expression", Account{BaseURL: "https://x", Query: json.RawMessage(`{"url":"https://x/b","remaining":"a + (b"}`)}, nil, "neither a JSON path nor an expression"},
		{"a query with a bad method", Account{BaseURL: "https://x", Query: json.RawMessage(`{"url":"https://x/b","remaining":"a","method":"DELETE"}`)}, nil, "must be GET or POST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Plan(tc.a)
			if tc.want != nil && !errors.Is(err, tc.want) || tc.wantS != "" && (err == nil || !strings.Contains(err.Error(), tc.wantS)) {
				t.Errorf("Plan = %v, want %v %q", err, tc.want, tc.wantS)
			}
		})
	}
	if name, docs := Builtin("https://api.deepseek.com/anthropic"); name != "deepseek" || docs == "" {
		t.Errorf("Builtin(deepseek) = %q %q", name, docs)
	}
	if name, _ := Builtin("https://api.openai.com/v1"); name != "" {
		t.Errorf("Builtin(openai) = %q", name)
	}
}

func TestAssess(t *testing.T) {
	t.Parallel()
	checked := now.Add(-10 * time.Minute)
	th := DefaultThresholds()
	th.Floor["USD"] = 0.5
	for _, tc := range []struct {
		name string
		s    State
		want Level
	}{
		{"plenty left", State{Result: Result{Remaining: f(20), Unit: "CNY"}, CheckedAt: checked}, OK},
		{"below the warning", State{Result: Result{Remaining: f(4.99), Unit: "CNY"}, CheckedAt: checked}, Low},
		{"nothing left", State{Result: Result{Remaining: f(0), Unit: "CNY"}, CheckedAt: checked}, Exhausted},
		{"in debt", State{Result: Result{Remaining: f(-3), Unit: "CNY"}, CheckedAt: checked}, Exhausted},
		{"below the user's floor", State{Result: Result{Remaining: f(0.4), Unit: "usd"}, CheckedAt: checked}, Exhausted},
		{"above the floor, below the warning", State{Result: Result{Remaining: f(0.6), Unit: "USD"}, CheckedAt: checked}, Low},
		{"the provider refuses calls", State{Result: Result{Remaining: f(10), Available: ptr(false), Unit: "CNY"}, CheckedAt: checked}, Exhausted},
		{"an error is unknown even with zero left before", State{Result: Result{Remaining: f(0), Unit: "CNY"}, Failed: true, CheckedAt: checked}, Unknown},
		{"an old answer is unknown", State{Result: Result{Remaining: f(0), Unit: "CNY"}, CheckedAt: now.Add(-3 * time.Hour)}, Unknown},
		{"never checked", State{Result: Result{Remaining: f(0)}}, Unknown},
		{"no remaining amount reported", State{Result: Result{Used: f(3), Unit: "USD"}, CheckedAt: checked}, Unknown},
		{"a unit without thresholds", State{Result: Result{Remaining: f(0.01), Unit: "credits"}, CheckedAt: checked}, OK},
	} {
		if got := Assess(tc.s, th, now); got != tc.want {
			t.Errorf("%s: Assess = %s, want %s", tc.name, got, tc.want)
		}
	}
}
