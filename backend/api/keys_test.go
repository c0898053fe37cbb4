package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/store"
)

func TestKeysCreateShowsTheSecretOnceAndStoresItsHash(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	a.createChannel("anthropic", "")
	expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	r := a.do("POST", "/api/keys", `{"name":" alice-laptop ","owner":"alice@example.com","expires_at":"`+expires+`",
		"models":["claude-*"," claude-*",""],"channels":["anthropic"],"rpm":60,"tpm":200000,
		"budget_daily_usd":5,"budget_monthly_usd":50}`).want(t, http.StatusCreated)
	secret, _ := r.body["key"].(string)
	if !keys.LooksLikeKey(secret) || r.body["name"] != "alice-laptop" || r.body["prefix"] != secret[:12] ||
		r.body["expires_at"] != expires || r.body["rpm"] != 60.0 || r.body["budget_monthly_usd"] != 50.0 ||
		r.body["revoked"] != false {
		t.Fatalf("created %s", r.raw)
	}
	if models := r.body["models"].([]any); len(models) != 1 || models[0] != "claude-*" {
		t.Errorf("models were not cleaned: %v", models)
	}
	id := int64(r.body["id"].(float64))

	// The secret is never shown again, nor stored: only its hash.
	list := a.do("GET", "/api/keys", "").want(t, http.StatusOK)
	one := a.do("GET", "/api/keys/"+itoa(id), "").want(t, http.StatusOK)
	for _, raw := range []string{list.raw, one.raw} {
		if strings.Contains(raw, secret[12:]) || strings.Contains(raw, `"key":`) {
			t.Errorf("the secret shows again: %s", raw)
		}
	}
	stored, err := a.store.APIKey(context.Background(), id)
	if err != nil || stored.Hash != keys.Hash(secret) {
		t.Errorf("stored %+v %v", stored, err)
	}
	usage := one.body["usage"].(map[string]any)["today"].(map[string]any)
	if usage["requests"] != 0.0 || usage["resets_at"] == "" {
		t.Errorf("usage of a new key: %v", usage)
	}
	// An active name is taken; it is free again once that key is revoked.
	a.do("POST", "/api/keys", `{"name":"alice-laptop"}`).want(t, http.StatusConflict)
	rv := a.do("DELETE", "/api/keys/"+itoa(id), "").want(t, http.StatusOK)
	if rv.body["revoked"] != true || rv.body["revoked_at"] == nil {
		t.Errorf("revoke answered %s", rv.raw)
	}
	a.do("PATCH", "/api/keys/"+itoa(id), `{"rpm":1}`).want(t, http.StatusConflict)
	a.do("POST", "/api/keys", `{"name":"alice-laptop"}`).want(t, http.StatusCreated)
	a.do("DELETE", "/api/keys/999", "").want(t, http.StatusNotFound)
	a.do("GET", "/api/keys/abc", "").want(t, http.StatusNotFound)
}

func TestKeysPatchChangesOnlyWhatIsSent(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	r := a.do("POST", "/api/keys", `{"name":"bob","rpm":10,"models":["gpt-*"],"expires_at":"2099-01-01T00:00:00Z"}`).
		want(t, http.StatusCreated)
	id := itoa(int64(r.body["id"].(float64)))
	p := a.do("PATCH", "/api/keys/"+id, `{"tpm":500,"budget_daily_usd":2.5}`).want(t, http.StatusOK)
	if p.body["rpm"] != 10.0 || p.body["tpm"] != 500.0 || p.body["budget_daily_usd"] != 2.5 ||
		p.body["expires_at"] != "2099-01-01T00:00:00Z" || len(p.body["models"].([]any)) != 1 {
		t.Errorf("patch changed more than it said: %s", p.raw)
	}
	p = a.do("PATCH", "/api/keys/"+id, `{"expires_at":null,"models":[]}`).want(t, http.StatusOK)
	if p.body["expires_at"] != nil || len(p.body["models"].([]any)) != 0 || p.body["rpm"] != 10.0 {
		t.Errorf("clearing expiry and models: %s", p.raw)
	}
}

func TestKeysRefuseBadInputNamingTheField(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	a.createChannel("openai", "")
	cases := []struct{ body, field, code string }{
		{`{}`, "name", "required"},
		{`{"name":"   "}`, "name", "required"},
		{`{"name":"` + strings.Repeat("x", 65) + `"}`, "name", "too_long"},
		{`{"name":"a","rpm":-1}`, "rpm", "out_of_range"},
		{`{"name":"a","tpm":2000000000}`, "tpm", "out_of_range"},
		{`{"name":"a","budget_daily_usd":-0.5}`, "budget_daily_usd", "out_of_range"},
		{`{"name":"a","expires_at":"tomorrow"}`, "expires_at", "invalid_time"},
		{`{"name":"a","expires_at":"2001-01-01T00:00:00Z"}`, "expires_at", "in_past"},
		{`{"name":"a","channels":["openai","opneai"]}`, "channels", "unknown_channel"},
		{`{"name":"a","rpm":"sixty"}`, "rpm", "invalid_json"},
		{`{"name":"a","secret":"mine"}`, "body", "invalid_json"},
	}
	for _, c := range cases {
		r := a.do("POST", "/api/keys", c.body).want(t, http.StatusBadRequest)
		if f := r.field(c.field); f == nil || f["code"] != c.code {
			t.Errorf("%s: fields %s; want %s %s", c.body, r.raw, c.field, c.code)
		}
	}
	if r := a.do("GET", "/api/keys", "").want(t, http.StatusOK); len(r.body["keys"].([]any)) != 0 {
		t.Errorf("refused keys were stored: %s", r.raw)
	}
}

func TestLogsAndStatsFilterAndGroupByKey(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	now := time.Now()
	if err := a.store.InsertRequestLogs(context.Background(), []store.RequestLog{
		{Time: now, KeyID: 3, KeyName: "carol", Instance: "gw-a", Status: 200, CostUSD: 0.5},
		{Time: now, KeyID: 3, KeyName: "carol", Instance: "gw-b", Status: 402, Error: "budget"},
		{Time: now, Instance: "gw-a", Status: 200, CostUSD: 1},
	}); err != nil {
		t.Fatal(err)
	}
	logs := a.do("GET", "/api/logs?key_id=3", "").want(t, http.StatusOK).body["logs"].([]any)
	if len(logs) != 2 || logs[0].(map[string]any)["key_name"] != "carol" || logs[0].(map[string]any)["instance"] != "gw-b" {
		t.Errorf("logs of key 3: %v", logs)
	}
	if logs := a.do("GET", "/api/logs?instance=gw-a", "").want(t, http.StatusOK).body["logs"].([]any); len(logs) != 2 {
		t.Errorf("logs of gw-a: %v", logs)
	}
	a.do("GET", "/api/logs?key_id=x", "").want(t, http.StatusBadRequest)
	sum := a.do("GET", "/api/stats/summary?key_id=3", "").want(t, http.StatusOK)
	if sum.body["requests"] != 2.0 || sum.body["failed"] != 1.0 || sum.body["cost_usd"] != 0.5 {
		t.Errorf("summary of key 3: %s", sum.raw)
	}
	a.do("GET", "/api/stats/timeline?key_id=-1", "").want(t, http.StatusBadRequest)
	if ch := a.do("GET", "/api/stats/channels?key_id=3", "").want(t, http.StatusOK).body["channels"].([]any); len(ch) != 1 ||
		ch[0].(map[string]any)["requests"] != 2.0 {
		t.Errorf("channels of key 3: %v", ch)
	}
	byKey := a.do("GET", "/api/stats/keys", "").want(t, http.StatusOK).body["keys"].([]any)
	if len(byKey) != 2 || byKey[0].(map[string]any)["key"] != "carol" || byKey[0].(map[string]any)["requests"] != 2.0 ||
		byKey[1].(map[string]any)["key_id"] != 0.0 {
		t.Errorf("stats by key: %v", byKey)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
