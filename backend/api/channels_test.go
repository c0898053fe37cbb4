package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestChannelsCRUD(t *testing.T) {
	t.Parallel()

	t.Run("POST creates a channel with defaults and shows only a key preview", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		r := a.do("POST", "/api/channels", `{"name":"deepseek","type":"openai",
			"base_url":"https://api.deepseek.com/v1","api_key":"sk-0123456789abcd","models":["deepseek-chat"]}`).
			want(t, http.StatusCreated)
		if strings.Contains(r.raw, "sk-0123456789abcd") || strings.Contains(r.raw, `"api_key"`) {
			t.Fatalf("create response leaks the key: %s", r.raw)
		}
		for k, want := range map[string]any{
			"name": "deepseek", "type": "openai", "priority": 1.0, "weight": 1.0, "enabled": true,
			"api_key_preview": "sk-…abcd", "timeout_ms": 0.0,
		} {
			if r.body[k] != want {
				t.Errorf("%s = %v, want %v", k, r.body[k], want)
			}
		}
		if tr, ok := r.body["transformers"].([]any); !ok || len(tr) != 0 {
			t.Errorf("transformers = %v, want []", r.body["transformers"])
		}
		id := int64(r.body["id"].(float64))
		if id <= 0 {
			t.Fatalf("id = %d", id)
		}
		got := a.do("GET", fmt.Sprintf("/api/channels/%d", id), "").want(t, http.StatusOK)
		if strings.Contains(got.raw, "sk-0123456789abcd") || got.body["api_key_preview"] != "sk-…abcd" {
			t.Fatalf("GET shows the key or no preview: %s", got.raw)
		}
		list := a.do("GET", "/api/channels", "").want(t, http.StatusOK)
		if strings.Contains(list.raw, "sk-0123456789abcd") || strings.Contains(list.raw, `"api_key"`) {
			t.Fatalf("list leaks the key: %s", list.raw)
		}
		stored, err := a.store.Channel(context.Background(), id)
		if err != nil || stored.APIKey != "sk-0123456789abcd" {
			t.Fatalf("stored key = %q, %v; want the key as sent", stored.APIKey, err)
		}
	})

	t.Run("every header value is redacted on read", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := a.createChannel("hdr", `,"headers":{"X-Api-Key":"secret-value-1234","Authorization":"Bearer abcdefgh5678",
			"X-Session-Token":"tok-zzzzzzzzzz9999","X-Title":"routex"}`)
		r := a.do("GET", fmt.Sprintf("/api/channels/%d", id), "").want(t, http.StatusOK)
		for _, secret := range []string{"secret-value-1234", "abcdefgh5678", "tok-zzzzzzzzzz9999"} {
			if strings.Contains(r.raw, secret) {
				t.Errorf("GET shows header secret %q: %s", secret, r.raw)
			}
		}
		h := r.body["headers"].(map[string]any)
		if h["X-Title"] != "…" {
			t.Errorf("header X-Title = %v, want it hidden: Routex cannot tell which values are secret", h["X-Title"])
		}
		if h["X-Api-Key"] != "…1234" {
			t.Errorf("X-Api-Key = %v, want a preview", h["X-Api-Key"])
		}
		list := a.do("GET", "/api/channels", "").want(t, http.StatusOK)
		if strings.Contains(list.raw, "secret-value-1234") {
			t.Errorf("list shows header secret: %s", list.raw)
		}
	})

	t.Run("GET /api/channels lists channels ordered by priority", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.createChannel("c", `,"priority":5`)
		a.createChannel("a", `,"priority":0`)
		a.createChannel("b", `,"priority":2`)
		r := a.do("GET", "/api/channels", "").want(t, http.StatusOK)
		chs, ok := r.body["channels"].([]any)
		if !ok {
			t.Fatalf(`body has no "channels" array: %s`, r.raw)
		}
		var names []string
		for _, c := range chs {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		if strings.Join(names, " ") != "a b c" {
			t.Fatalf("order = %v, want [a b c]", names)
		}
	})

	t.Run("an empty list is an empty array, not null", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		r := a.do("GET", "/api/channels", "").want(t, http.StatusOK)
		if chs, ok := r.body["channels"].([]any); !ok || len(chs) != 0 {
			t.Fatalf("channels = %v, want []", r.body["channels"])
		}
	})

	t.Run("PATCH changes only the fields sent and keeps the key", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := a.createChannel("p", `,"priority":7,"weight":3,"timeout_ms":1500`)
		path := fmt.Sprintf("/api/channels/%d", id)
		for _, body := range []string{`{"weight":9}`, `{"weight":9,"api_key":""}`, `{"weight":9,"api_key":"  "}`} {
			r := a.do("PATCH", path, body).want(t, http.StatusOK)
			if r.body["weight"] != 9.0 || r.body["priority"] != 7.0 || r.body["timeout_ms"] != 1500.0 ||
				r.body["name"] != "p" || r.body["enabled"] != true {
				t.Fatalf("PATCH %s changed more than weight: %s", body, r.raw)
			}
			if r.body["api_key_preview"] != "sk-…wxyz" {
				t.Fatalf("PATCH %s lost the key: preview %v", body, r.body["api_key_preview"])
			}
		}
		r := a.do("PATCH", path, `{"api_key":"sk-new-key-0000","enabled":false}`).want(t, http.StatusOK)
		if r.body["api_key_preview"] != "sk-…0000" || r.body["enabled"] != false {
			t.Fatalf("PATCH did not set the new key and enabled: %s", r.raw)
		}
		stored, err := a.store.Channel(context.Background(), id)
		if err != nil || stored.APIKey != "sk-new-key-0000" {
			t.Fatalf("stored key = %q, %v", stored.APIKey, err)
		}
	})

	t.Run("PUT replaces the channel: unsent fields go back to defaults, the key stays", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := a.createChannel("r", `,"priority":7,"weight":3,"enabled":false,"timeout_ms":1500,"headers":{"X-A":"b"}`)
		r := a.do("PUT", fmt.Sprintf("/api/channels/%d", id),
			`{"name":"r2","type":"anthropic","base_url":"https://api.anthropic.com"}`).want(t, http.StatusOK)
		for k, want := range map[string]any{
			"name": "r2", "type": "anthropic", "priority": 1.0, "weight": 1.0, "enabled": true,
			"timeout_ms": 0.0, "api_key_preview": "sk-…wxyz",
		} {
			if r.body[k] != want {
				t.Errorf("%s = %v, want %v", k, r.body[k], want)
			}
		}
		if m := r.body["models"].([]any); len(m) != 0 {
			t.Errorf("models = %v, want [] after PUT without models", m)
		}
		if h := r.body["headers"].(map[string]any); len(h) != 0 {
			t.Errorf("headers = %v, want {} after PUT without headers", h)
		}
	})

	t.Run("PUT without required fields is rejected", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := a.createChannel("r", "")
		r := a.do("PUT", fmt.Sprintf("/api/channels/%d", id), `{"weight":2}`).want(t, http.StatusBadRequest)
		for _, f := range []string{"name", "type", "base_url"} {
			if r.field(f)["code"] != "required" {
				t.Errorf("fields.%s = %v, want code required", f, r.field(f))
			}
		}
	})

	t.Run("DELETE answers 204, then the channel is gone", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := a.createChannel("d", "")
		path := fmt.Sprintf("/api/channels/%d", id)
		r := a.do("DELETE", path, "").want(t, http.StatusNoContent)
		if r.raw != "" {
			t.Errorf("204 with a body: %q", r.raw)
		}
		for _, m := range []string{"GET", "DELETE"} {
			if got := a.do(m, path, ""); got.status != http.StatusNotFound || got.errorType() != "not_found" {
				t.Errorf("%s after delete: %d %s, want 404 not_found", m, got.status, got.raw)
			}
		}
		a.do("PATCH", path, `{"weight":2}`).want(t, http.StatusNotFound)
		a.do("PUT", path, `{"name":"d","type":"openai","base_url":"https://x.example"}`).want(t, http.StatusNotFound)
	})

	t.Run("bad ids are 400 with fields.id", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		for _, id := range []string{"abc", "0", "-1", "1.5"} {
			for _, m := range []string{"GET", "PUT", "PATCH", "DELETE"} {
				body := ""
				if m == "PUT" || m == "PATCH" {
					body = `{"weight":2}`
				}
				r := a.do(m, "/api/channels/"+id, body)
				if r.status != http.StatusBadRequest || r.field("id") == nil || r.errorType() != "validation_error" {
					t.Errorf("%s /api/channels/%s: %d %s, want 400 with fields.id", m, id, r.status, r.raw)
				}
			}
		}
	})
}

func TestChannelValidation(t *testing.T) {
	t.Parallel()
	valid := map[string]string{
		"name": `"ok"`, "type": `"openai"`, "base_url": `"https://api.example.com/v1"`, "api_key": `"sk-abcdefghijkl"`,
	}
	// body builds a JSON object from valid with the given fields replaced
	// (a value of "" removes the field).
	body := func(over map[string]string) string {
		m := map[string]string{}
		for k, v := range valid {
			m[k] = v
		}
		for k, v := range over {
			m[k] = v
		}
		var parts []string
		for k, v := range m {
			if v != "" {
				parts = append(parts, fmt.Sprintf("%q:%s", k, v))
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	tests := []struct {
		name  string
		body  string
		field string
		code  string
	}{
		{"a missing name is required", body(map[string]string{"name": ""}), "name", "required"},
		{"a blank name is required", body(map[string]string{"name": `"   "`}), "name", "required"},
		{"a name with a comma is invalid", body(map[string]string{"name": `"a,b"`}), "name", "invalid"},
		{"a name of 65 characters is too long", body(map[string]string{"name": `"` + strings.Repeat("n", 65) + `"`}), "name", "too_long"},
		{"an unknown type is not one of the formats", body(map[string]string{"type": `"cohere"`}), "type", "one_of"},
		{"an ftp base_url is not a URL we accept", body(map[string]string{"base_url": `"ftp://example.com"`}), "base_url", "url"},
		{"a base_url without a host is not a URL we accept", body(map[string]string{"base_url": `"https://"`}), "base_url", "url"},
		{"priority -1 is out of range", body(map[string]string{"priority": "-1"}), "priority", "range"},
		{"priority 1001 is out of range", body(map[string]string{"priority": "1001"}), "priority", "range"},
		{"weight 0 is out of range", body(map[string]string{"weight": "0"}), "weight", "range"},
		{"timeout_ms -5 is out of range", body(map[string]string{"timeout_ms": "-5"}), "timeout_ms", "range"},
		{"transformers that are not an array are invalid JSON", body(map[string]string{"transformers": `{"a":1}`}), "transformers", "invalid_json"},
		{"an unknown JSON field is reported on body", body(map[string]string{"nmae": `"x"`}), "body", "invalid_json"},
		{"a wrong JSON type is reported on its field", body(map[string]string{"priority": `"high"`}), "priority", "invalid_json"},
		{"a body that is not JSON is reported on body", `name=ok&type=openai`, "body", "invalid_json"},
		{"an empty body is reported on body", ``, "body", "invalid_json"},
		{"an empty model_map entry is invalid", body(map[string]string{"model_map": `{"a":""}`}), "model_map", "invalid"},
		{"a header name with a colon is invalid", body(map[string]string{"headers": `{"X:A":"b"}`}), "headers", "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newTestAPI(t)
			check := func(r response, what string) {
				t.Helper()
				if r.status != http.StatusBadRequest || r.errorType() != "validation_error" {
					t.Fatalf("%s: %d %s, want 400 validation_error", what, r.status, r.raw)
				}
				e := r.body["error"].(map[string]any)
				if msg, _ := e["message"].(string); msg == "" {
					t.Errorf("%s: no error message: %s", what, r.raw)
				}
				f := r.field(tc.field)
				if f == nil || f["code"] != tc.code || f["message"] == "" || f["message"] == nil {
					t.Fatalf("%s: fields.%s = %v, want code %q with a message; body %s", what, tc.field, f, tc.code, r.raw)
				}
			}
			check(a.do("POST", "/api/channels", tc.body), "POST")
			id := a.createChannel("existing", "")
			check(a.do("PUT", fmt.Sprintf("/api/channels/%d", id), tc.body), "PUT")
			if list := a.do("GET", "/api/channels", ""); len(list.body["channels"].([]any)) != 1 {
				t.Fatalf("a rejected write created a channel: %s", list.raw)
			}
		})
	}

	t.Run("several bad fields are all reported at once", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		r := a.do("POST", "/api/channels", `{"name":"a,b","type":"x","base_url":"ftp://h","priority":-1,"weight":0,
			"timeout_ms":-5,"transformers":"no"}`).want(t, http.StatusBadRequest)
		for field, code := range map[string]string{
			"name": "invalid", "type": "one_of", "base_url": "url", "priority": "range", "weight": "range",
			"timeout_ms": "range", "transformers": "invalid_json",
		} {
			if f := r.field(field); f["code"] != code {
				t.Errorf("fields.%s = %v, want code %s", field, f, code)
			}
		}
	})

	t.Run("PATCH is validated against the merged channel", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := a.createChannel("v", "")
		r := a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), `{"weight":0,"name":""}`).want(t, http.StatusBadRequest)
		if r.field("weight")["code"] != "range" || r.field("name")["code"] != "required" {
			t.Fatalf("fields = %s", r.raw)
		}
		got := a.do("GET", fmt.Sprintf("/api/channels/%d", id), "").want(t, http.StatusOK)
		if got.body["weight"] != 1.0 || got.body["name"] != "v" {
			t.Fatalf("a rejected PATCH changed the channel: %s", got.raw)
		}
	})

	t.Run("boundary values are accepted", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.do("POST", "/api/channels", body(map[string]string{
			"name": `"` + strings.Repeat("n", 64) + `"`, "priority": "1000", "weight": "1000", "timeout_ms": "3600000",
			"base_url": `"http://localhost:8080"`, "transformers": `["cleancache",["maxtoken",{"max_tokens":8192}]]`,
		})).want(t, http.StatusCreated)
		a.do("POST", "/api/channels", body(map[string]string{"name": `"zero"`, "priority": "0"})).want(t, http.StatusCreated)
	})
}

func TestDuplicateNames(t *testing.T) {
	t.Parallel()

	t.Run("creating a second channel with a taken name is a 409 on name", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.createChannel("dup", "")
		r := a.do("POST", "/api/channels", `{"name":"dup","type":"gemini","base_url":"https://g.example"}`).
			want(t, http.StatusConflict)
		if r.field("name")["code"] != "unique" {
			t.Fatalf("fields.name = %v, want code unique", r.field("name"))
		}
	})

	t.Run("renaming a channel to a taken name is a 409 on name", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		a.createChannel("one", "")
		id := a.createChannel("two", "")
		for _, m := range []string{"PATCH", "PUT"} {
			r := a.do(m, fmt.Sprintf("/api/channels/%d", id),
				`{"name":"one","type":"openai","base_url":"https://x.example"}`).want(t, http.StatusConflict)
			if r.field("name")["code"] != "unique" {
				t.Fatalf("%s: fields.name = %v, want code unique", m, r.field("name"))
			}
		}
	})

	t.Run("saving a channel under its own name is not a conflict", func(t *testing.T) {
		t.Parallel()
		a := newTestAPI(t)
		id := a.createChannel("self", "")
		a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), `{"name":"self","weight":4}`).want(t, http.StatusOK)
	})
}

func TestSeveralKeysAreWriteOnlyAndPreviewed(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	r := a.do("POST", "/api/channels", `{"name":"multi","type":"openai","base_url":"https://x.example/v1",
		"api_keys":["sk-first-key-00001111","sk-second-key-0002222"," "]}`).want(t, http.StatusCreated)
	if strings.Contains(r.raw, "sk-first-key") || strings.Contains(r.raw, "sk-second-key") {
		t.Fatalf("a key leaked: %s", r.raw)
	}
	if r.body["key_count"].(float64) != 2 {
		t.Fatalf("key_count = %v, want 2 (blank keys dropped)", r.body["key_count"])
	}
	id := int64(r.body["id"].(float64))
	c, err := a.store.Channel(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Keys(), ",") != "sk-first-key-00001111,sk-second-key-0002222" || c.APIKey != "sk-first-key-00001111" {
		t.Fatalf("stored keys %v (api_key %q)", c.Keys(), c.APIKey)
	}
	a.do("PATCH", fmt.Sprintf("/api/channels/%d", id), `{"api_key":"sk-single-key-333333"}`).want(t, http.StatusOK)
	c, _ = a.store.Channel(context.Background(), id)
	if strings.Join(c.Keys(), ",") != "sk-single-key-333333" {
		t.Fatalf("a single api_key must replace the set, got %v", c.Keys())
	}
}
