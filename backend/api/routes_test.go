package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/store"
)

// defaultTargets returns routes.default from a GET /api/routes.
func defaultTargets(t *testing.T, a *testAPI) []string {
	t.Helper()
	r := a.do("GET", "/api/routes", "").want(t, http.StatusOK)
	var out []string
	for _, v := range r.body["routes"].(map[string]any)["default"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

func TestRoutes(t *testing.T) {
	t.Parallel()

	t.Run("a fresh install has the priority strategy and every scenario empty", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		r := a.do("GET", "/api/routes", "").want(t, http.StatusOK)
		if r.body["strategy"] != "priority" || r.body["long_context_threshold"] != 60000.0 {
			t.Fatalf("defaults wrong: %s", r.raw)
		}
		if rules, ok := r.body["rules"].([]any); !ok || len(rules) != 0 {
			t.Fatalf("rules = %v, want []", r.body["rules"])
		}
		routes := r.body["routes"].(map[string]any)
		for _, sc := range []string{"default", "background", "think", "long_context", "web_search", "image"} {
			if v, ok := routes[sc].([]any); !ok || len(v) != 0 {
				t.Errorf("routes.%s = %v, want []", sc, routes[sc])
			}
		}
		if len(routes) != 6 {
			t.Errorf("routes has %d scenarios, want 6: %v", len(routes), routes)
		}
	})

	t.Run("a good PUT round-trips", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.createChannel("deepseek", "")
		a.createChannel("kimi", "")
		in := `{"strategy":"round_robin","routes":{"default":["deepseek,deepseek-chat","kimi"],
			"think":[" kimi , k2 "]},"long_context_threshold":100000,"rules":[{"name":"big","min_tokens":50000,"targets":["kimi,k2"]}]}`
		put := a.do("PUT", "/api/routes", in).want(t, http.StatusOK)
		get := a.do("GET", "/api/routes", "").want(t, http.StatusOK)
		if !reflect.DeepEqual(put.body, get.body) {
			t.Fatalf("PUT answered %s but GET reads %s", put.raw, get.raw)
		}
		routes := get.body["routes"].(map[string]any)
		if fmt.Sprint(routes["default"]) != "[deepseek,deepseek-chat kimi]" || fmt.Sprint(routes["think"]) != "[kimi,k2]" {
			t.Fatalf("targets = %v", routes)
		}
		if v := routes["background"].([]any); len(v) != 0 {
			t.Fatalf("background = %v, want []", v)
		}
		if get.body["strategy"] != "round_robin" || get.body["long_context_threshold"] != 100000.0 {
			t.Fatalf("strategy or threshold lost: %s", get.raw)
		}
		if rules := get.body["rules"].([]any); len(rules) != 1 {
			t.Fatalf("rules = %v", rules)
		}
	})

	t.Run("an unknown channel in a target is reported at its index", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.createChannel("known", "")
		r := a.do("PUT", "/api/routes", `{"routes":{"default":["ghost,m","known"],"think":["known","ghost"]}}`).
			want(t, http.StatusBadRequest)
		if r.field("routes.default[0]")["code"] != "invalid" || r.field("routes.think[1]") == nil {
			t.Fatalf("fields = %s", r.raw)
		}
		if r.field("routes.default[1]") != nil {
			t.Fatalf("a good target was reported: %s", r.raw)
		}
		if got := defaultTargets(t, a); len(got) != 0 {
			t.Fatalf("a rejected PUT changed the routes: %v", got)
		}
	})

	bad := []struct {
		name, body, field string
	}{
		{"an unknown scenario is rejected", `{"routes":{"coding":[]}}`, "routes.coding"},
		{"an unknown strategy is rejected", `{"strategy":"random"}`, "strategy"},
		{"a threshold below 1000 is rejected", `{"long_context_threshold":10}`, "long_context_threshold"},
		{"rules that are not an array are rejected", `{"rules":{"a":1}}`, "rules"},
		{"an unknown field is rejected", `{"stratgy":"priority"}`, "body"},
		{"targets that are not strings are rejected", `{"routes":{"default":[1]}}`, "routes"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newTestAPI(t)
			r := a.do("PUT", "/api/routes", tc.body).want(t, http.StatusBadRequest)
			if r.errorType() != "validation_error" || r.field(tc.field) == nil {
				t.Fatalf("want fields.%s: %s", tc.field, r.raw)
			}
		})
	}
}

func TestActive(t *testing.T) {
	t.Parallel()

	t.Run("with no routes there is no active channel", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		r := a.do("GET", "/api/active", "").want(t, http.StatusOK)
		if v, ok := r.body["channel_id"]; !ok || v != nil {
			t.Fatalf("channel_id = %v (present %v), want null", v, ok)
		}
	})

	t.Run("PUT makes the channel the first default target and keeps the others", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.createChannel("a", "")
		b := a.createChannel("b", "")
		a.createChannel("c", "")
		a.do("PUT", "/api/routes", `{"routes":{"default":["a,x","b,old","c","b"],"think":["b,t"]}}`).
			want(t, http.StatusOK)
		r := a.do("PUT", "/api/active", fmt.Sprintf(`{"channel_id":%d,"model":"m"}`, b)).want(t, http.StatusOK)
		if r.body["channel_id"] != float64(b) || r.body["model"] != "m" {
			t.Fatalf("PUT answered %s", r.raw)
		}
		if got := defaultTargets(t, a); !reflect.DeepEqual(got, []string{"b,m", "a,x", "c"}) {
			t.Fatalf("default = %v, want [b,m a,x c]", got)
		}
		routes := a.do("GET", "/api/routes", "").body["routes"].(map[string]any)
		if fmt.Sprint(routes["think"]) != "[b,t]" {
			t.Fatalf("other scenarios changed: think = %v", routes["think"])
		}
		g := a.do("GET", "/api/active", "").want(t, http.StatusOK)
		if g.body["channel_id"] != float64(b) || g.body["model"] != "m" {
			t.Fatalf("GET /api/active = %s", g.raw)
		}
	})

	t.Run("PUT without a model sets a bare target", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := a.createChannel("solo", "")
		a.do("PUT", "/api/active", fmt.Sprintf(`{"channel_id":%d}`, id)).want(t, http.StatusOK)
		if got := defaultTargets(t, a); !reflect.DeepEqual(got, []string{"solo"}) {
			t.Fatalf("default = %v", got)
		}
		g := a.do("GET", "/api/active", "").want(t, http.StatusOK)
		if g.body["channel_id"] != float64(id) || g.body["model"] != "" {
			t.Fatalf("GET /api/active = %s", g.raw)
		}
	})

	t.Run("an unknown channel is 404", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.do("PUT", "/api/active", `{"channel_id":999,"model":"m"}`).want(t, http.StatusNotFound)
	})

	t.Run("a missing channel_id is 400", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		r := a.do("PUT", "/api/active", `{"model":"m"}`).want(t, http.StatusBadRequest)
		if r.field("channel_id")["code"] != "required" {
			t.Fatalf("fields = %s", r.raw)
		}
	})
}

func TestAdminToken(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + testToken + "x", testToken, "Basic " + testToken} {
		t.Run(fmt.Sprintf("authorization %q is refused with a JSON 401", auth), func(t *testing.T) {
			t.Parallel()
			r := a.doAuth("GET", "/api/channels", "", auth).want(t, http.StatusUnauthorized)
			if r.errorType() != "unauthorized" {
				t.Fatalf("body %s", r.raw)
			}
			if msg, _ := r.body["error"].(map[string]any)["message"].(string); msg == "" {
				t.Fatalf("no message: %s", r.raw)
			}
		})
	}

	t.Run("the bearer scheme is case-insensitive", func(t *testing.T) {
		t.Parallel()
		a.doAuth("GET", "/api/info", "", "bearer "+testToken).want(t, http.StatusOK)
	})

	t.Run("an empty configured token refuses everyone", func(t *testing.T) {
		t.Parallel()
		h := api.WithToken("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Error("the guarded handler ran")
		}))
		for _, auth := range []string{"", "Bearer ", "Bearer  "} {
			req := httptest.NewRequest("GET", "/api/info", nil)
			req.Header.Set("Authorization", auth)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("auth %q: %d", auth, rec.Code)
			}
		}
	})

	t.Run("the in-process handler needs no token", func(t *testing.T) {
		t.Parallel()
		st, err := store.Open(filepath.Join(t.TempDir(), "routex.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		h := newServer(t, st, api.Deps{Info: api.Info{Version: "v"}}).Handler()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/channels",
			strings.NewReader(`{"name":"n","type":"gemini","base_url":"https://generativelanguage.googleapis.com"}`)))
		if rec.Code != http.StatusCreated {
			t.Fatalf("POST: %d %s", rec.Code, rec.Body)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/channels", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"name": "n"`) {
			t.Fatalf("GET: %d %s", rec.Code, rec.Body)
		}
	})
}

func TestInfoAndUnknownPaths(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)

	t.Run("GET /api/info reports the version", func(t *testing.T) {
		t.Parallel()
		r := a.do("GET", "/api/info", "").want(t, http.StatusOK)
		if r.body["version"] != "1.2.3-test" || r.body["listen"] != "127.0.0.1:18080" {
			t.Fatalf("info = %s", r.raw)
		}
		if _, ok := r.body["uptime_s"].(float64); !ok {
			t.Fatalf("no uptime_s: %s", r.raw)
		}
	})

	for _, p := range []struct{ method, path string }{
		{"GET", "/api/nope"}, {"POST", "/api/info"}, {"GET", "/api/channels/1/extra"}, {"DELETE", "/api/routes"},
	} {
		t.Run(p.method+" "+p.path+" is a JSON 404", func(t *testing.T) {
			t.Parallel()
			r := a.do(p.method, p.path, "").want(t, http.StatusNotFound)
			if r.errorType() != "not_found" {
				t.Fatalf("body %s", r.raw)
			}
		})
	}

	t.Run("responses are not cached", func(t *testing.T) {
		t.Parallel()
		req, _ := http.NewRequest("GET", a.srv.URL+"/api/info", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := a.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("Cache-Control = %q", resp.Header.Get("Cache-Control"))
		}
	})
}

func TestRenamingOrDeletingAChannelKeepsRoutesConsistent(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	alpha := a.createChannel("alpha", "")
	a.createChannel("beta", "")
	a.do("PUT", "/api/routes", `{"routes":{"default":["alpha,m1","beta"],"think":["alpha"]}}`).want(t, http.StatusOK)

	targets := func(scenario string) string {
		r := a.do("GET", "/api/routes", "").want(t, http.StatusOK)
		list, _ := r.body["routes"].(map[string]any)[scenario].([]any)
		parts := make([]string, len(list))
		for i, v := range list {
			parts[i], _ = v.(string)
		}
		return strings.Join(parts, "|")
	}

	a.do("PATCH", fmt.Sprintf("/api/channels/%d", alpha), `{"name":"gamma"}`).want(t, http.StatusOK)
	if got := targets("default"); got != "gamma,m1|beta" {
		t.Fatalf("default after rename = %q, want gamma,m1|beta", got)
	}
	if got := targets("think"); got != "gamma" {
		t.Fatalf("think after rename = %q, want gamma", got)
	}

	a.do("DELETE", fmt.Sprintf("/api/channels/%d", alpha), "").want(t, http.StatusNoContent)
	if got := targets("default"); got != "beta" {
		t.Fatalf("default after delete = %q, want beta", got)
	}
	if got := targets("think"); got != "" {
		t.Fatalf("think after delete = %q, want empty", got)
	}
}

func TestRouteStrategiesAndBackgroundPattern(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	r := a.do("GET", "/api/routes", "").want(t, http.StatusOK)
	if r.body["background_model"] != "(?i)haiku" {
		t.Fatalf("default background_model = %v", r.body["background_model"])
	}
	a.do("PUT", "/api/routes", `{"strategies":{"background":"round_robin"},"background_model":"(?i)(haiku|mini)"}`).want(t, http.StatusOK)
	r = a.do("GET", "/api/routes", "").want(t, http.StatusOK)
	if r.body["strategies"].(map[string]any)["background"] != "round_robin" || r.body["background_model"] != "(?i)(haiku|mini)" {
		t.Fatalf("not kept: %s", r.raw)
	}
	bad := a.do("PUT", "/api/routes", `{"strategies":{"background":"fastest"},"background_model":"(unclosed"}`).want(t, http.StatusBadRequest)
	if bad.field("strategies.background")["code"] != "one_of" || bad.field("background_model")["code"] != "invalid" {
		t.Fatalf("field errors: %s", bad.raw)
	}
}

// Every place a strategy or scenario is named is checked against the lists
// that balance and route own, including a rule's own strategy.
func TestRoutesValidateWithTheOwnersLists(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	a.do("POST", "/api/channels", `{"name":"a","type":"openai","base_url":"https://x/v1","api_key":"k"}`).want(t, http.StatusCreated)
	for _, st := range balance.Strategies {
		a.do("PUT", "/api/routes", `{"strategy":"`+st+`","rules":[{"name":"r","model":"opus","targets":["a"],"strategy":"`+st+`"}]}`).want(t, http.StatusOK)
	}
	for _, sc := range route.Scenarios {
		a.do("PUT", "/api/routes", `{"routes":{"`+sc+`":["a"]},"strategies":{"`+sc+`":"latency"}}`).want(t, http.StatusOK)
	}
	r := a.do("GET", "/api/routes", "").want(t, http.StatusOK)
	if got := len(r.body["routes"].(map[string]any)); got != len(route.Scenarios) {
		t.Fatalf("GET /api/routes has %d scenarios, route.Scenarios %d: %s", got, len(route.Scenarios), r.raw)
	}
	bad := a.do("PUT", "/api/routes", `{"routes":{"thinking":["a"]},"rules":[{"name":"r","model":"opus","targets":["a"],"strategy":"fastest"}]}`).want(t, http.StatusBadRequest)
	if bad.field("rules[0].strategy")["code"] != "one_of" || bad.field("routes.thinking")["code"] != "one_of" {
		t.Fatalf("field errors: %s", bad.raw)
	}
}
