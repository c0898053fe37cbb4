package api_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// newWiredAPI is newTestAPI with a chance to connect the hooks the engine
// connects (health, explain) before serving.
func newWiredAPI(t *testing.T, wire func(*api.Deps)) *testAPI {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "routex.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	d := api.Deps{Info: api.Info{Version: "test", Listen: "127.0.0.1:18080", Started: time.Now()}}
	if wire != nil {
		wire(&d)
	}
	s := newServer(t, st, d)
	srv := httptest.NewServer(api.WithToken(testToken, s.Handler()))
	t.Cleanup(srv.Close)
	return &testAPI{t: t, srv: srv, store: st}
}

// fieldMessage returns fields[name].message of a 400, failing the test when
// the reply is not a validation error on that field.
func fieldMessage(t *testing.T, r response, name string) string {
	t.Helper()
	if r.status != http.StatusBadRequest || r.errorType() != "validation_error" {
		t.Fatalf("status %d, want 400 validation_error: %s", r.status, r.raw)
	}
	f := r.field(name)
	if f == nil {
		t.Fatalf("no fields.%s in %s", name, r.raw)
	}
	msg, _ := f["message"].(string)
	if msg == "" || f["code"] == nil {
		t.Fatalf("fields.%s has no code or message: %v", name, f)
	}
	return msg
}

func TestRoutingRulesValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		rules string
		field string
		hints []string // each must appear in the message
	}{
		{"an expr that does not parse", `[{"name":"ok","keyword":"x","targets":["A"]},{"name":"bad","expr":"Tokens >> 5","targets":["A"]}]`,
			"rules[1].expr", []string{"column"}},
		{"an expr over a misspelt field suggests the field", `[{"name":"typo","expr":"Tokenz > 5","targets":["A"]}]`,
			"rules[0].expr", []string{"Tokenz", "Tokens"}},
		{"an expr that does not give a bool", `[{"name":"num","expr":"Tokens + 1","targets":["A"]}]`,
			"rules[0].expr", []string{"bool"}},
		{"a model pattern that is not a regular expression", `[{"name":"re","model":"claude-(opus","targets":["A"]}]`,
			"rules[0].model", []string{"regular expression", "claude-(opus"}},
		{"a rule without targets", `[{"name":"none","keyword":"x","targets":[]}]`,
			"rules[0].targets", []string{"target"}},
		{"a misspelt rule field suggests the field", `[{"name":"kw","keywrod":"x","targets":["A"]}]`,
			"rules[0]", []string{"keywrod", "keyword"}},
		{"min_tokens above max_tokens", `[{"name":"range","min_tokens":500,"max_tokens":100,"targets":["A"]}]`,
			"rules[0].min_tokens", []string{"max_tokens"}},
		{"a header condition without =", `[{"name":"team","header":"x-team","targets":["A"]}]`,
			"rules[0].header", []string{"name=value"}},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is refused with 400 on its field", func(t *testing.T) {
			t.Parallel()
			a := newTestAPI(t)
			a.createChannel("A", "")
			r := a.do("PUT", "/api/routes", `{"routes":{"default":["A"]},"rules":`+tc.rules+`}`)
			msg := fieldMessage(t, r, tc.field)
			for _, h := range tc.hints {
				if !strings.Contains(msg, h) {
					t.Errorf("fields.%s = %q, want it to mention %q", tc.field, msg, h)
				}
			}
			if got := a.do("GET", "/api/routes", "").want(t, http.StatusOK); len(got.body["rules"].([]any)) != 0 {
				t.Errorf("a refused PUT stored rules: %s", got.raw)
			}
		})
	}

	t.Run("every bad rule is reported at once", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.createChannel("A", "")
		r := a.do("PUT", "/api/routes", `{"rules":[{"name":"a","expr":"Nope","targets":["A"]},
			{"name":"b","keyword":"fine","targets":["A"]},{"name":"c","model":"(","targets":["A"]}]}`)
		fieldMessage(t, r, "rules[0].expr")
		fieldMessage(t, r, "rules[2].model")
		if r.field("rules[1]") != nil {
			t.Errorf("the good rule was reported: %s", r.raw)
		}
	})

	t.Run("good rules of every kind round-trip", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.createChannel("A", "")
		a.createChannel("C", "")
		rules := `[{"name":"kw","keyword":"ultrathink","targets":["C"]},` +
			`{"name":"big","expr":"Tokens > 500 && HasTools","targets":["A,m1"]},` +
			`{"name":"opus","model":"^claude-opus","has_tools":true,"has_image":false,"min_tokens":10,"max_tokens":90000,` +
			`"header":"x-team=back*","targets":["A"],"strategy":"round_robin","enabled":false}]`
		a.do("PUT", "/api/routes", `{"routes":{"default":["A"]},"rules":`+rules+`}`).want(t, http.StatusOK)
		got := a.do("GET", "/api/routes", "").want(t, http.StatusOK)
		list := got.body["rules"].([]any)
		if len(list) != 3 || list[1].(map[string]any)["expr"] != "Tokens > 500 && HasTools" ||
			list[2].(map[string]any)["header"] != "x-team=back*" {
			t.Fatalf("rules after a round trip: %s", got.raw)
		}
	})
}

func TestTransformersValidation(t *testing.T) {
	t.Parallel()
	channel := func(tr string) string {
		return `{"name":"t","type":"anthropic","base_url":"https://api.example.com","api_key":"sk-abcdefghijkl","transformers":` + tr + `}`
	}
	cases := []struct {
		name, transformers string
		hints              []string
	}{
		{"a negative max_tokens", `["cleancache",["maxtoken",{"max_tokens":-5}]]`, []string{"transformers[1][1].max_tokens"}},
		{"an unknown transformer", `["cleancache","maxtokens"]`, []string{"transformers[1]", "maxtokens"}},
		{"a header Routex manages", `[["headers",{"set":{"Host":"evil"}}]]`, []string{"transformers[0][1].set", "Host"}},
		{"an entry of the wrong shape", `[42]`, []string{"transformers[0]"}},
		{"a maxtoken without its option", `["maxtoken"]`, []string{"transformers[0]", "max_tokens"}},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is refused with the path of the mistake", func(t *testing.T) {
			t.Parallel()
			a := newTestAPI(t)
			msg := fieldMessage(t, a.do("POST", "/api/channels", channel(tc.transformers)), "transformers")
			for _, h := range tc.hints {
				if !strings.Contains(msg, h) {
					t.Errorf("fields.transformers = %q, want it to mention %q", msg, h)
				}
			}
			id := a.createChannel("existing", "")
			fieldMessage(t, a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), `{"transformers":`+tc.transformers+`}`), "transformers")
		})
	}

	t.Run("a valid pipeline is stored as written", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		tr := `["cleancache",["maxtoken",{"max_tokens":100}],["headers",{"set":{"X-Extra":"1"}}]]`
		r := a.do("POST", "/api/channels", channel(tr)).want(t, http.StatusCreated)
		got := r.body["transformers"].([]any)
		if len(got) != 3 || got[0] != "cleancache" {
			t.Fatalf("transformers = %v", r.body["transformers"])
		}
	})
}

func TestChannelReadsShowHealth(t *testing.T) {
	t.Parallel()
	until := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	a := newWiredAPI(t, func(d *api.Deps) {
		d.Health = func(id int64) wire.ChannelHealth {
			if id == 1 {
				return wire.ChannelHealth{State: "open", CooldownUntil: &until}
			}
			return wire.ChannelHealth{State: "closed"}
		}
	})
	a.createChannel("first", "")
	second := a.createChannel("second", "")

	t.Run("the list shows each channel's own health", func(t *testing.T) {
		r := a.do("GET", "/api/channels", "").want(t, http.StatusOK)
		chs := r.body["channels"].([]any)
		if len(chs) != 2 {
			t.Fatalf("channels: %s", r.raw)
		}
		h0 := chs[0].(map[string]any)["health"].(map[string]any)
		h1 := chs[1].(map[string]any)["health"].(map[string]any)
		if h0["state"] != "open" || h0["cooldown_until"] != until.Format(time.RFC3339) || h1["state"] != "closed" {
			t.Errorf("health = %v and %v", h0, h1)
		}
	})

	t.Run("one channel's read and its update show health too", func(t *testing.T) {
		for _, r := range []response{
			a.do("GET", fmt.Sprintf("/api/channels/%d", second), ""),
			a.do("PATCH", fmt.Sprintf("/api/channels/%d", second), `{"enabled":false}`),
		} {
			r.want(t, http.StatusOK)
			if h, _ := r.body["health"].(map[string]any); h["state"] != "closed" {
				t.Errorf("health missing: %s", r.raw)
			}
		}
	})

	t.Run("without the engine's balancer there is no health field", func(t *testing.T) {
		b := newTestAPI(t)
		b.createChannel("x", "")
		r := b.do("GET", "/api/channels", "").want(t, http.StatusOK)
		if _, ok := r.body["channels"].([]any)[0].(map[string]any)["health"]; ok {
			t.Errorf("health shown without a source: %s", r.raw)
		}
	})
}

func TestExplainEndpoint(t *testing.T) {
	t.Parallel()
	type call struct {
		format protocol.Format
		model  string
		body   string
		hdr    http.Header
	}
	var mu sync.Mutex
	var calls []call
	a := newWiredAPI(t, func(d *api.Deps) {
		d.Explain = func(f protocol.Format, model string, body []byte, hdr http.Header) (any, error) {
			mu.Lock()
			calls = append(calls, call{f, model, string(body), hdr})
			mu.Unlock()
			if string(body) == "not json" {
				return nil, errors.New("the request body must be a JSON object, as a client would send it")
			}
			return map[string]any{"scenario": "default", "targets": []any{}}, nil
		}
	})
	last := func() call {
		mu.Lock()
		defer mu.Unlock()
		return calls[len(calls)-1]
	}

	t.Run("the format, model and headers of the query reach the explainer", func(t *testing.T) {
		r := a.do("POST", "/api/routes/explain?format=gemini&model=gemini-2.5-pro&header=x-team:backend&header=X-Session-Id:s1",
			`{"contents":[]}`).want(t, http.StatusOK)
		if r.body["scenario"] != "default" {
			t.Errorf("reply %s", r.raw)
		}
		c := last()
		if c.format != protocol.Gemini || c.model != "gemini-2.5-pro" || c.body != `{"contents":[]}` ||
			c.hdr.Get("X-Team") != "backend" || c.hdr.Get("X-Session-Id") != "s1" {
			t.Errorf("explainer got %+v", c)
		}
	})

	t.Run("the format defaults to anthropic", func(t *testing.T) {
		a.do("POST", "/api/routes/explain", `{"model":"m"}`).want(t, http.StatusOK)
		if c := last(); c.format != protocol.Anthropic {
			t.Errorf("format %q", c.format)
		}
	})

	t.Run("an unknown format is 400 on format", func(t *testing.T) {
		msg := fieldMessage(t, a.do("POST", "/api/routes/explain?format=cohere", `{}`), "format")
		if !strings.Contains(msg, "anthropic") {
			t.Errorf("message %q does not list the formats", msg)
		}
	})

	t.Run("a body the explainer refuses is 400 on body with its message", func(t *testing.T) {
		msg := fieldMessage(t, a.do("POST", "/api/routes/explain", "not json"), "body")
		if !strings.Contains(msg, "JSON object") {
			t.Errorf("message %q", msg)
		}
	})

	t.Run("without the proxy the endpoint says routing is not running", func(t *testing.T) {
		b := newTestAPI(t)
		r := b.do("POST", "/api/routes/explain", `{"model":"m"}`).want(t, http.StatusServiceUnavailable)
		if r.errorType() == "" {
			t.Errorf("reply %s", r.raw)
		}
	})

	t.Run("explain needs the admin token", func(t *testing.T) {
		r := a.doAuth("POST", "/api/routes/explain", `{"model":"m"}`, "")
		if r.status != http.StatusUnauthorized {
			t.Errorf("status %d without a token", r.status)
		}
	})
}
