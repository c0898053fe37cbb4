package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestProviderModelListThroughTheAPI(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var fail atomic.Bool
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer sk-secret-glm-wxyz" || r.URL.Path != "/v1/models" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"message":"bad key"}}`)
			return
		}
		if fail.Load() {
			w.WriteHeader(503)
			fmt.Fprint(w, `{"error":{"message":"maintenance"}}`)
			return
		}
		fmt.Fprint(w, `{"object":"list","data":[{"id":"glm-5.2","object":"model"},{"id":"glm-4.5-air","object":"model"}]}`)
	}))
	t.Cleanup(up.Close)
	a := newTestAPI(t)
	r := a.do("POST", "/api/channels", `{"name":"glm","type":"openai","base_url":"`+up.URL+`/v1","api_key":"sk-secret-glm-wxyz"}`).want(t, http.StatusCreated)
	id := int64(r.body["id"].(float64))
	path := fmt.Sprintf("/api/channels/%d/models", id)

	m := a.do("GET", path, "").want(t, http.StatusOK).body
	if fmt.Sprint(m["models"]) != "[glm-5.2 glm-4.5-air]" || m["error"] != "" || m["updated_at"] == nil {
		t.Fatalf("first GET = %v", m)
	}
	a.do("GET", path, "").want(t, http.StatusOK)
	if calls.Load() != 1 {
		t.Errorf("a cached GET asked the provider (%d calls)", calls.Load())
	}
	fail.Store(true)
	m = a.do("GET", path+"?refresh=1", "").want(t, http.StatusOK).body
	if fmt.Sprint(m["models"]) != "[glm-5.2 glm-4.5-air]" || !strings.Contains(fmt.Sprint(m["error"]), "HTTP 503") {
		t.Errorf("a failed refresh = %v, want the last list kept and the error", m)
	}

	// A draft in the editor: nothing stored; with the id, the stored key.
	fail.Store(false)
	d := a.do("POST", "/api/channels/models", fmt.Sprintf(`{"id":%d,"type":"openai","base_url":"%s/v1"}`, id, up.URL)).want(t, http.StatusOK).body
	if fmt.Sprint(d["models"]) != "[glm-5.2 glm-4.5-air]" || d["error"] != "" {
		t.Errorf("draft with the stored key = %v", d)
	}
	d = a.do("POST", "/api/channels/models", fmt.Sprintf(`{"type":"openai","base_url":"%s/v1","api_key":"sk-nope"}`, up.URL)).want(t, http.StatusOK).body
	if fmt.Sprint(d["models"]) != "[]" || !strings.Contains(fmt.Sprint(d["error"]), "the key was refused (HTTP 401)") {
		t.Errorf("draft with a wrong key = %v", d)
	}
	a.do("POST", "/api/channels/models", `{"type":"openai","base_url":"not a url"}`).want(t, http.StatusBadRequest)
	a.do("GET", "/api/channels/999/models", "").want(t, http.StatusNotFound)
}

// The editor sends back the masks it was shown; listing a draft's models
// uses the stored secrets behind them, as testing the draft does: here the
// password of a base URL, which reaches the provider as basic auth.
func TestDraftModelsRestoresMaskedSecrets(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if _, pw, _ := r.BasicAuth(); pw != "pw-secret-abcdefgh" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"type":"error","error":{"type":"authentication_error","message":"bad password"}}`)
			return
		}
		fmt.Fprint(w, `{"data":[{"id":"m1","type":"model"}],"has_more":false}`)
	}))
	t.Cleanup(up.Close)
	a := newTestAPI(t)
	base := strings.Replace(up.URL, "http://", "http://team:pw-secret-abcdefgh@", 1)
	r := a.do("POST", "/api/channels", `{"name":"team","type":"anthropic","base_url":"`+base+`","api_key":"sk-ant-secret-wxyz"}`).want(t, http.StatusCreated)
	id := int64(r.body["id"].(float64))
	shown := a.do("GET", fmt.Sprintf("/api/channels/%d", id), "").want(t, http.StatusOK).body["base_url"].(string)
	if strings.Contains(shown, "pw-secret") {
		t.Fatalf("GET shows the base URL's password: %s", shown)
	}
	d := a.do("POST", "/api/channels/models", fmt.Sprintf(`{"id":%d,"type":"anthropic","base_url":%q}`, id, shown)).
		want(t, http.StatusOK).body
	if fmt.Sprint(d["models"]) != "[m1]" || d["error"] != "" {
		t.Errorf("draft with the masked base URL = %v, want the stored password used", d)
	}
}
