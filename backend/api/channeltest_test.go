package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeOpenAI is an OpenAI-compatible upstream that accepts one key and
// knows two models; it records the keys it was sent.
type fakeOpenAI struct {
	mu   sync.Mutex
	keys []string
}

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.keys = append(f.keys, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bearer sk-good-key-1234" {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"message":"Incorrect API key provided"}}`)
		return
	}
	if r.Method == "GET" {
		io.WriteString(w, `{"data":[{"id":"m1"},{"id":"m2"}]}`)
		return
	}
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	if body["model"] != "m1" && body["model"] != "m2" {
		w.WriteHeader(404)
		io.WriteString(w, `{"error":{"message":"The model does not exist","code":"model_not_found"}}`)
		return
	}
	if body["stream"] == true {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"p\"}}]}\n\ndata: [DONE]\n\n")
		return
	}
	io.WriteString(w, `{"choices":[{"message":{"role":"assistant","content":"p"}}]}`)
}

func TestConnectionTestAPI(t *testing.T) {
	t.Parallel()
	up := &fakeOpenAI{}
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)
	a := newConfiguredAPI(t, upstream.Client())
	channel := func(key string) string {
		return `{"name":"up","type":"openai","base_url":"` + upstream.URL + `/v1","api_key":"` + key + `","models":["m1"]}`
	}
	id := a.do("POST", "/api/channels", channel("sk-good-key-1234")).want(t, 201).body["id"].(float64)
	path := "/api/channels/" + strconv.Itoa(int(id)) + "/test"

	cases := []struct {
		name, path, body string
		status           int
		verdict, model   string
	}{
		{"a stored channel is tested with its real key", path, "", 200, "ok", "m1"},
		{"the model can be chosen in the body", path, `{"model":"m2"}`, 200, "ok", "m2"},
		{"or in the query", path + "?model=m2", "", 200, "ok", "m2"},
		{"an unknown model is not_found", path, `{"model":"gpt-9"}`, 200, "not_found", "gpt-9"},
		{"an unsaved channel with a good key is ok", "/api/channels/test", channel("sk-good-key-1234"), 200, "ok", "m1"},
		{"an unsaved channel with a bad key is auth_failed", "/api/channels/test", channel("sk-bad"), 200, "auth_failed", "m1"},
		{"an edited channel without a key uses the stored one", "/api/channels/test",
			`{"id":` + strconv.Itoa(int(id)) + `,"name":"up","type":"openai","base_url":"` + upstream.URL + `/v1","api_key":"","models":["m2"]}`, 200, "ok", "m2"},
		{"an unsaved channel is validated first", "/api/channels/test", `{"name":"x","type":"cohere","base_url":"ftp://x"}`, 400, "", ""},
		{"an unknown channel is 404", "/api/channels/9999/test", "", 404, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := a.do("POST", c.path, c.body).want(t, c.status)
			if c.status != 200 {
				return
			}
			if r.body["verdict"] != c.verdict || r.body["model"] != c.model {
				t.Fatalf("got %s", r.raw)
			}
			for _, k := range []string{"message", "status", "connect_ms", "ttft_ms", "total_ms", "stream_ttft_ms", "models"} {
				if _, ok := r.body[k]; !ok {
					t.Fatalf("result lacks %s: %s", k, r.raw)
				}
			}
			if strings.Contains(r.raw, "sk-good-key-1234") {
				t.Fatal("the result leaks the key")
			}
		})
	}
}
