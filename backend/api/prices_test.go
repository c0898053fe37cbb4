package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/api"
)

func findPrice(r response, model string) map[string]any {
	for _, p := range r.body["prices"].([]any) {
		if m := p.(map[string]any); m["model"] == model {
			return m
		}
	}
	return nil
}

func TestPrices(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	r := a.do("GET", "/api/prices", "").want(t, http.StatusOK)
	if len(r.body["prices"].([]any)) == 0 {
		t.Fatal("no default prices listed")
	}

	r = a.do("PUT", "/api/prices", `{"model":"my-model*","input":1.5,"output":6,"cache_read":0.15,"cache_write":1.875}`).
		want(t, http.StatusOK)
	if r.body["source"] != "user" || r.body["output"] != 6.0 {
		t.Fatalf("put = %s", r.raw)
	}
	p := findPrice(a.do("GET", "/api/prices", "").want(t, http.StatusOK), "my-model*")
	if p == nil || p["input"] != 1.5 || p["cache_write"] != 1.875 || p["source"] != "user" {
		t.Fatalf("listed price = %v", p)
	}

	for name, body := range map[string]string{
		"model":  `{"input":1,"output":2}`,
		"input":  `{"model":"x","output":2}`,
		"output": `{"model":"x","input":-1,"output":-2}`,
		"body":   `{"model":"x","input":1,"output":2,"currency":"EUR"}`,
	} {
		r := a.do("PUT", "/api/prices", body).want(t, http.StatusBadRequest)
		if r.field(name) == nil {
			t.Errorf("%s: no error for field %s: %s", body, name, r.raw)
		}
	}

	a.do("DELETE", "/api/prices?model=my-model*", "").want(t, http.StatusNoContent)
	if findPrice(a.do("GET", "/api/prices", "").want(t, http.StatusOK), "my-model*") != nil {
		t.Fatal("deleted price still listed")
	}
	a.do("DELETE", "/api/prices/my-model*", "").want(t, http.StatusNotFound)
	a.do("DELETE", "/api/prices", "").want(t, http.StatusBadRequest)
}

func TestPricesChangedHook(t *testing.T) {
	t.Parallel()
	st := newTestAPI(t).store
	calls := 0
	srv := newServer(t, st, api.Deps{PricesChanged: func(context.Context) { calls++ }})
	h := srv.Handler()
	for _, req := range []*http.Request{
		httptest.NewRequest("PUT", "/api/prices", strings.NewReader(`{"model":"m","input":1,"output":2}`)),
		httptest.NewRequest("DELETE", "/api/prices?model=m", nil),
		httptest.NewRequest("DELETE", "/api/prices?model=m", nil), // 404: nothing changed
	} {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if calls != 2 {
		t.Fatalf("hook called %d times, want 2 (one per change)", calls)
	}
}
