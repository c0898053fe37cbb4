package proxy_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/routex-app/routex/backend/store"
)

// balanceMock is a provider's balance endpoint whose answer the test sets:
// the remaining amount, or a failure.
type balanceMock struct {
	*upstream
	remaining atomic.Value // string: a JSON number, or "fail"
}

func newBalanceMock(t *testing.T, remaining string) *balanceMock {
	m := &balanceMock{}
	m.remaining.Store(remaining)
	m.upstream = newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testChannelKey {
			replyJSON(http.StatusUnauthorized, `{"error":{"message":"bad key"}}`)(w, r)
			return
		}
		if v := m.remaining.Load().(string); v == "fail" {
			replyJSON(http.StatusServiceUnavailable, `{"error":{"message":"billing is down"}}`)(w, r)
		} else {
			replyJSON(http.StatusOK, `{"code":0,"data":{"left":`+v+`}}`)(w, r)
		}
	})
	return m
}

func TestAnExhaustedChannelIsSkippedWithTheReasonShown(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	a := newUpstream(t, answer("A", false))
	b := newUpstream(t, answer("B", false))
	bal := newBalanceMock(t, "0")
	ca, _ := twoChannels(t, te, a, b)
	te.putRoutes(t, `{"routes":{"default":["A","B"]}}`)
	query := fmt.Sprintf(`{"balance_query":{"url":%q,"headers":{"Authorization":"Bearer {{key}}"},"remaining":"data.left","unit":"CNY"}}`, bal.URL+"/balance")
	te.mustAdmin(t, http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/channels/%d", ca.ID), query)
	send := func() string {
		t.Helper()
		raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
		return clientText(t, raw, false)
	}

	v := te.mustAdmin(t, http.StatusOK, http.MethodPost, fmt.Sprintf("/api/channels/%d/balance/refresh", ca.ID), "")
	if v.Get("remaining").Num != 0 || v.Get("unit").Str != "CNY" || v.Get("level").Str != "exhausted" || v.Get("error").Str != "" {
		t.Fatalf("balance after refresh: %s", v.Raw)
	}
	if got := send(); got != answerText("B") {
		t.Fatalf("with A's balance exhausted the client got %q, want B's answer", got)
	}
	if n := len(a.requests()); n != 0 {
		t.Fatalf("the exhausted channel A received %d requests", n)
	}
	ex := te.mustAdmin(t, http.StatusOK, http.MethodPost, "/api/routes/explain?format=anthropic",
		string(chatBody("claude-sonnet-4-5", false, "hi")))
	targets := ex.Get("targets").Array()
	if len(targets) != 2 || targets[0].Get("channel").Str != "B" || targets[1].Get("channel").Str != "A" ||
		targets[1].Get("skipped").Str != "exhausted" || targets[1].Get("available").Bool() || !targets[1].Get("serves").Bool() {
		t.Errorf("explain targets: %s", ex.Get("targets").Raw)
	}
	if !strings.Contains(ex.Get("reasons").Raw, "A skipped: balance exhausted (0.00 CNY left)") {
		t.Errorf("explain reasons: %s", ex.Get("reasons").Raw)
	}

	// A failing balance query is unknown, not exhausted: A is tried again.
	bal.remaining.Store("fail")
	v = te.mustAdmin(t, http.StatusOK, http.MethodPost, fmt.Sprintf("/api/channels/%d/balance/refresh", ca.ID), "")
	if v.Get("level").Str != "unknown" || !strings.Contains(v.Get("error").Str, "HTTP 503: billing is down") {
		t.Fatalf("balance after a failed refresh: %s", v.Raw)
	}
	if got := send(); got != answerText("A") {
		t.Fatalf("with A's balance unknown the client got %q, want A's answer", got)
	}

	// Topped up: A serves again.
	bal.remaining.Store("42.5")
	te.mustAdmin(t, http.StatusOK, http.MethodPost, fmt.Sprintf("/api/channels/%d/balance/refresh", ca.ID), "")
	if got := send(); got != answerText("A") {
		t.Fatalf("after a top-up the client got %q, want A's answer", got)
	}

	logs := logsOf(t, te, 10)
	if len(logs) != 3 {
		t.Fatalf("%d request logs, want 3", len(logs))
	}
	first := logs[0]
	if first.ChannelName != "B" || len(first.Attempts) != 1 || first.Attempts[0].ChannelName != "A" ||
		first.Attempts[0].Error != "skipped: balance exhausted (0.00 CNY left)" || first.Attempts[0].Status != 0 {
		t.Errorf("the first request's log: channel %q attempts %+v", first.ChannelName, first.Attempts)
	}
	if len(logs[1].Attempts) != 0 || logs[1].ChannelName != "A" {
		t.Errorf("the second request's log: channel %q attempts %+v", logs[1].ChannelName, logs[1].Attempts)
	}
}

func TestEveryChannelExhaustedIsTriedAnyway(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	a := newUpstream(t, answer("A", false))
	bal := newBalanceMock(t, "-3")
	ca := te.addChannel(t, store.Channel{Name: "A", BaseURL: a.URL})
	query := fmt.Sprintf(`{"balance_query":{"url":%q,"headers":{"Authorization":"Bearer {{key}}"},"remaining":"data.left","unit":"USD"}}`, bal.URL)
	te.mustAdmin(t, http.StatusOK, http.MethodPatch, fmt.Sprintf("/api/channels/%d", ca.ID), query)
	te.mustAdmin(t, http.StatusOK, http.MethodPost, fmt.Sprintf("/api/channels/%d/balance/refresh", ca.ID), "")
	raw := readOK(t, te.postAs(t, "anthropic", "/v1/messages", chatBody("claude-sonnet-4-5", false, fresh()), nil))
	if got := clientText(t, raw, false); got != answerText("A") {
		t.Fatalf("the only channel, exhausted, was not tried: client got %q", got)
	}
}
