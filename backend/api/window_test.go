package api_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/api/wire"
	"github.com/routex-app/routex/backend/store"
)

// windowAPI is an API with a fake balancer health per channel and a record
// of the change notices it sent, as the engine wires them.
type windowAPI struct {
	*testAPI
	mu      sync.Mutex
	health  map[int64]wire.ChannelHealth
	changes []string
	resets  []int64
	// upstream is the fake OpenAI provider's URL (fakeOpenAI).
	upstream string
}

func newWindowAPI(t *testing.T) *windowAPI {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "routex.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	up := httptest.NewServer(&fakeOpenAI{})
	t.Cleanup(up.Close)
	w := &windowAPI{health: map[int64]wire.ChannelHealth{}}
	srv := newServer(t, st, api.Deps{
		Info:     api.Info{Version: "test", Listen: "127.0.0.1:18080", Started: time.Now()},
		Upstream: up.Client(),
		Health: func(id int64) wire.ChannelHealth {
			w.mu.Lock()
			defer w.mu.Unlock()
			h, ok := w.health[id]
			if !ok {
				h.State = "closed"
			}
			return h
		},
		Changed: func(what string) {
			w.mu.Lock()
			w.changes = append(w.changes, what)
			w.mu.Unlock()
		},
		ResetHealth: func(id int64) {
			w.mu.Lock()
			w.resets = append(w.resets, id)
			w.mu.Unlock()
		},
	})
	hs := httptest.NewServer(api.WithToken(testToken, srv.Handler()))
	t.Cleanup(hs.Close)
	w.testAPI = &testAPI{t: t, srv: hs, store: st}
	w.upstream = up.URL
	return w
}

func (w *windowAPI) setHealth(id int64, h wire.ChannelHealth) {
	w.mu.Lock()
	w.health[id] = h
	w.mu.Unlock()
}

func (w *windowAPI) takeChanges() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.changes
	w.changes = nil
	return out
}

func (w *windowAPI) status(t *testing.T, id int) string {
	t.Helper()
	r := w.do("GET", "/api/channels/"+strconv.Itoa(id), "").want(t, 200)
	h, _ := r.body["health"].(map[string]any)
	s, _ := h["status"].(string)
	return s
}

func (w *windowAPI) keys(t *testing.T, id int) []string {
	t.Helper()
	c, err := w.store.Channel(context.Background(), int64(id))
	if err != nil {
		t.Fatal(err)
	}
	return c.Keys()
}

func TestHealthStatusTellsTheTruth(t *testing.T) {
	t.Parallel()
	w := newWindowAPI(t)
	id := int(w.do("POST", "/api/channels", `{"name":"up","type":"openai","base_url":"`+w.upstream+`/v1","api_key":"sk-bad-key-00000","models":["m1"]}`).
		want(t, 201).body["id"].(float64))
	if got := w.status(t, id); got != "untested" {
		t.Errorf("a new channel's status = %q, want untested", got)
	}
	if v := w.do("POST", "/api/channels/"+strconv.Itoa(id)+"/test", "").want(t, 200).body["verdict"]; v != "auth_failed" {
		t.Fatalf("test verdict = %v, want auth_failed", v)
	}
	if got := w.status(t, id); got != "test_failed" {
		t.Errorf("after a failed test the status = %q, want test_failed (never healthy next to a red result)", got)
	}
	// Traffic after the test decides again.
	w.setHealth(int64(id), wire.ChannelHealth{State: "closed", Requests: 2})
	if got := w.status(t, id); got != "healthy" {
		t.Errorf("after requests went through, status = %q, want healthy", got)
	}
	w.setHealth(int64(id), wire.ChannelHealth{State: "closed", Requests: 4, Failures: 1})
	if got := w.status(t, id); got != "failing" {
		t.Errorf("after a failure in a row, status = %q, want failing", got)
	}
	until := time.Now().Add(30 * time.Second)
	w.setHealth(int64(id), wire.ChannelHealth{State: "open", Requests: 6, Failures: 3, CooldownUntil: &until})
	if got := w.status(t, id); got != "paused" {
		t.Errorf("with the breaker open, status = %q, want paused", got)
	}
	w.setHealth(int64(id), wire.ChannelHealth{State: "half_open", Requests: 6, Failures: 3})
	if got := w.status(t, id); got != "retrying" {
		t.Errorf("half open, status = %q, want retrying", got)
	}
	w.setHealth(int64(id), wire.ChannelHealth{State: "closed", Requests: 6, CooldownUntil: &until})
	if got := w.status(t, id); got != "rate_limited" {
		t.Errorf("cooling down after a 429, status = %q, want rate_limited", got)
	}
	// A new key forgets the old setup's health and tests.
	w.setHealth(int64(id), wire.ChannelHealth{State: "closed"})
	w.do("PATCH", "/api/channels/"+strconv.Itoa(id), `{"api_key":"sk-good-key-1234"}`).want(t, 200)
	if got := w.status(t, id); got != "untested" {
		t.Errorf("after the key changed, status = %q, want untested", got)
	}
	if !slices.Contains(w.resets, int64(id)) {
		t.Errorf("changing the key did not reset the balancer's health (resets %v)", w.resets)
	}
}

func TestDuplicateCopiesTheKeys(t *testing.T) {
	t.Parallel()
	w := newWindowAPI(t)
	id := int(w.do("POST", "/api/channels", `{"name":"up","type":"openai","base_url":"`+w.upstream+`/v1",`+
		`"api_keys":["sk-first-key-0001","sk-second-key-0002"],"models":["m1"],"model_map":{"claude-*":"m1"},"headers":{"X-Api-Token":"secret-header-value"}}`).
		want(t, 201).body["id"].(float64))
	r := w.do("POST", "/api/channels/"+strconv.Itoa(id)+"/duplicate", "").want(t, 201)
	if r.body["name"] != "up-copy" || r.body["key_count"] != float64(2) {
		t.Fatalf("duplicate = %s, want up-copy with 2 keys", r.raw)
	}
	copyID := int(r.body["id"].(float64))
	if got := w.keys(t, copyID); !slices.Equal(got, []string{"sk-first-key-0001", "sk-second-key-0002"}) {
		t.Errorf("the copy's keys = %v, want the original's", got)
	}
	c, _ := w.store.Channel(context.Background(), int64(copyID))
	if c.Headers["X-Api-Token"] != "secret-header-value" || c.ModelMap["claude-*"] != "m1" {
		t.Errorf("the copy lacks the credential header or the model map: %+v", c)
	}
	if got := w.do("POST", "/api/channels/"+strconv.Itoa(id)+"/duplicate", "").want(t, 201).body["name"]; got != "up-copy-2" {
		t.Errorf("a second duplicate is named %v, want up-copy-2", got)
	}
	if got := w.do("POST", "/api/channels/"+strconv.Itoa(id)+"/duplicate", `{"name":"mine"}`).want(t, 201).body["name"]; got != "mine" {
		t.Errorf("a named duplicate is %v, want mine", got)
	}
	w.do("POST", "/api/channels/"+strconv.Itoa(id)+"/duplicate", `{"name":"mine"}`).want(t, 409)
	// As on create, names are compared ignoring case.
	w.do("POST", "/api/channels/"+strconv.Itoa(id)+"/duplicate", `{"name":"MINE"}`).want(t, 409)
	w.do("POST", "/api/channels/999/duplicate", "").want(t, 404)
}

func TestKeepKeysEditsTheKeySet(t *testing.T) {
	t.Parallel()
	w := newWindowAPI(t)
	id := strconv.Itoa(int(w.do("POST", "/api/channels", `{"name":"up","type":"openai","base_url":"https://api.example.com/v1",`+
		`"api_keys":["sk-first-key-0001","sk-second-key-0002"]}`).want(t, 201).body["id"].(float64)))
	w.do("PATCH", "/api/channels/"+id, `{"keep_keys":[1],"api_keys":["sk-third-key-0003"]}`).want(t, 200)
	if got := w.keys(t, atoi(id)); !slices.Equal(got, []string{"sk-second-key-0002", "sk-third-key-0003"}) {
		t.Errorf("keys = %v, want the second kept and the third added", got)
	}
	w.do("PATCH", "/api/channels/"+id, `{"keep_keys":[5]}`).want(t, 400)
	w.do("PATCH", "/api/channels/"+id, `{"keep_keys":[0],"api_key":"sk-fourth-key-0004"}`).want(t, 200)
	if got := w.keys(t, atoi(id)); !slices.Equal(got, []string{"sk-second-key-0002", "sk-fourth-key-0004"}) {
		t.Errorf("keys = %v, want the kept one then the new api_key", got)
	}
	w.do("PATCH", "/api/channels/"+id, `{"keep_keys":[]}`).want(t, 200)
	if got := w.keys(t, atoi(id)); len(got) != 1 || got[0] != "" {
		t.Errorf("keys = %q, want none left", got)
	}
}

func TestEachKeyIsTestedAlone(t *testing.T) {
	t.Parallel()
	w := newWindowAPI(t)
	id := strconv.Itoa(int(w.do("POST", "/api/channels", `{"name":"up","type":"openai","base_url":"`+w.upstream+`/v1",`+
		`"api_keys":["sk-bad-key-00000","sk-good-key-1234"],"models":["m1"]}`).want(t, 201).body["id"].(float64)))
	if v := w.do("POST", "/api/channels/"+id+"/test", `{"key":1}`).want(t, 200).body["verdict"]; v != "ok" {
		t.Errorf("key 1 alone: verdict %v, want ok", v)
	}
	if v := w.do("POST", "/api/channels/"+id+"/test", `{"key":0}`).want(t, 200).body["verdict"]; v != "auth_failed" {
		t.Errorf("key 0 alone: verdict %v, want auth_failed", v)
	}
	w.do("POST", "/api/channels/"+id+"/test", `{"key":2}`).want(t, 400)
	h := w.do("GET", "/api/channels/"+id, "").want(t, 200).body["health"].(map[string]any)
	keys := h["keys"].([]any)
	v0 := keys[0].(map[string]any)["last_test"].(map[string]any)["verdict"]
	v1 := keys[1].(map[string]any)["last_test"].(map[string]any)["verdict"]
	if len(keys) != 2 || v0 != "auth_failed" || v1 != "ok" {
		t.Errorf("health.keys = %v, want key 0 auth_failed and key 1 ok", keys)
	}
}

func TestWritesAnnounceWhatChanged(t *testing.T) {
	t.Parallel()
	w := newWindowAPI(t)
	id := strconv.Itoa(int(w.do("POST", "/api/channels", `{"name":"up","type":"openai","base_url":"https://api.example.com/v1","api_key":"sk-x-key-000000"}`).
		want(t, 201).body["id"].(float64)))
	w.do("GET", "/api/channels", "").want(t, 200)
	w.do("POST", "/api/routes/explain", `{"model":"m","max_tokens":1,"messages":[]}`)
	w.do("POST", "/api/channels/test", `{"name":"x","type":"openai","base_url":"ftp://x"}`).want(t, 400)
	w.do("PUT", "/api/active", `{"channel_id":`+id+`}`).want(t, 200)
	w.do("PUT", "/api/active", `{"channel_id":999}`).want(t, 404)
	if got := w.takeChanges(); !slices.Equal(got, []string{"channels", "routes"}) {
		t.Errorf("change notices = %v, want [channels routes]: one per successful write, none for reads, explanations or failures", got)
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func TestMaskedHeaderValuesKeepTheStoredOnes(t *testing.T) {
	t.Parallel()
	w := newWindowAPI(t)
	r := w.do("POST", "/api/channels", `{"name":"up","type":"openai","base_url":"https://api.example.com/v1","api_key":"sk-x-key-000000",`+
		`"headers":{"X-Api-Key":"secret-header-value-1234","X-Team":"core"}}`).want(t, 201)
	id := strconv.Itoa(int(r.body["id"].(float64)))
	shown := r.body["headers"].(map[string]any)
	if shown["X-Api-Key"] == "secret-header-value-1234" || shown["X-Team"] == "core" {
		t.Fatalf("headers as read: %v, want every value masked (any may be a credential)", shown)
	}
	// The editor sends back what it was shown, with one header changed.
	w.do("PATCH", "/api/channels/"+id, `{"headers":{"X-Api-Key":"`+shown["X-Api-Key"].(string)+`","X-Team":"infra"}}`).want(t, 200)
	c, _ := w.store.Channel(context.Background(), int64(atoi(id)))
	if c.Headers["X-Api-Key"] != "secret-header-value-1234" || c.Headers["X-Team"] != "infra" {
		t.Errorf("stored headers = %v, want the secret kept and X-Team changed", c.Headers)
	}
}
