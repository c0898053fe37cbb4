package channeltest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/store"
)

// pagedModels is a provider's model list served in pages the way each API
// pages it, refusing what the real API refuses (a missing key, a limit
// above 1000, Gemini without its key header).
func pagedModels(t *testing.T, typ string, ids []string, per int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		switch typ {
		case "anthropic":
			if r.URL.Path != "/v1/models" || r.Header.Get("X-Api-Key") != "sk-list" || r.Header.Get("Anthropic-Version") == "" {
				w.WriteHeader(401)
				fmt.Fprint(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)
				return
			}
			if n, _ := strconv.Atoi(q.Get("limit")); n < 1 || n > 1000 {
				w.WriteHeader(400)
				fmt.Fprint(w, `{"type":"error","error":{"type":"invalid_request_error","message":"limit: must be between 1 and 1000"}}`)
				return
			}
			start := 0
			if after := q.Get("after_id"); after != "" {
				for i, id := range ids {
					if id == after {
						start = i + 1
					}
				}
			}
			end := min(start+per, len(ids))
			var data []map[string]any
			for _, id := range ids[start:end] {
				data = append(data, map[string]any{"type": "model", "id": id, "display_name": id, "created_at": "2026-01-01T00:00:00Z"})
			}
			json.NewEncoder(w).Encode(map[string]any{"data": data, "has_more": end < len(ids),
				"first_id": ids[start], "last_id": ids[end-1]})
		case "gemini":
			if r.URL.Path != "/v1beta/models" || r.Header.Get("X-Goog-Api-Key") != "sk-list" {
				w.WriteHeader(403)
				fmt.Fprint(w, `{"error":{"code":403,"message":"API key not valid","status":"PERMISSION_DENIED"}}`)
				return
			}
			start, _ := strconv.Atoi(q.Get("pageToken"))
			end := min(start+per, len(ids))
			var models []map[string]any
			for _, id := range ids[start:end] {
				methods := []string{"generateContent", "countTokens"}
				if strings.HasPrefix(id, "embedding") {
					methods = []string{"embedContent"}
				}
				models = append(models, map[string]any{"name": "models/" + id, "supportedGenerationMethods": methods})
			}
			out := map[string]any{"models": models}
			if end < len(ids) {
				out["nextPageToken"] = strconv.Itoa(end)
			}
			json.NewEncoder(w).Encode(out)
		default:
			if r.URL.Path != "/v1/models" {
				w.WriteHeader(404)
				fmt.Fprint(w, `{"error":{"message":"Unknown request URL","type":"invalid_request_error"}}`)
				return
			}
			if r.Header.Get("Authorization") != "Bearer sk-list" {
				w.WriteHeader(401)
				fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`)
				return
			}
			var data []map[string]any
			for _, id := range ids {
				data = append(data, map[string]any{"id": id, "object": "model", "owned_by": "x"})
			}
			json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestListModelsFollowsEachAPIsPages(t *testing.T) {
	t.Parallel()
	many := make([]string, 45)
	for i := range many {
		many[i] = fmt.Sprintf("model-%02d", i)
	}
	for _, tc := range []struct {
		typ, path string
		ids       []string
		per       int
		want      []string
	}{
		{"anthropic", "", many, 20, many},
		{"gemini", "", []string{"gemini-2.5-pro", "embedding-001", "gemini-2.5-flash"}, 1, []string{"gemini-2.5-pro", "gemini-2.5-flash"}},
		{"openai", "/v1", []string{"glm-5.2", "glm-4.5-air"}, 0, []string{"glm-5.2", "glm-4.5-air"}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			t.Parallel()
			srv := pagedModels(t, tc.typ, tc.ids, tc.per)
			got, err := ListModels(context.Background(), srv.Client(), store.Channel{Type: tc.typ, BaseURL: srv.URL + tc.path, APIKey: "sk-list"})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %d models %v, want %v", len(got), got, tc.want)
			}
		})
	}
}

func TestListModelsSaysWhatToFix(t *testing.T) {
	t.Parallel()
	srv := pagedModels(t, "openai", []string{"m"}, 0)
	for _, tc := range []struct {
		name string
		ch   store.Channel
		want string
	}{
		{"a refused key", store.Channel{Type: "openai", BaseURL: srv.URL + "/v1", APIKey: "sk-wrong"}, "the key was refused (HTTP 401) (Incorrect API key provided)"},
		{"no list at that path", store.Channel{Type: "openai", BaseURL: srv.URL + "/nope", APIKey: "sk-list"}, "has no model list at " + srv.URL + "/nope/models (HTTP 404): type the models by hand"},
		{"nothing listening", store.Channel{Type: "openai", BaseURL: "http://127.0.0.1:1/v1", APIKey: "sk-list"}, "was refused"},
		{"an unknown type", store.Channel{Type: "cohere", BaseURL: srv.URL, APIKey: "sk-list"}, `unknown channel type "cohere"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ListModels(context.Background(), srv.Client(), tc.ch)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
