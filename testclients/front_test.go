package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReplyModel(t *testing.T) {
	cases := []struct{ name, reply, want string }{
		{"JSON reply", `{"id":"msg_1","type":"message","model":"claude-x","content":[]}`, "claude-x"},
		{"stream", "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-y\"}}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n", "claude-y"},
		{"stream without message_start", "event: ping\ndata: {\"type\":\"ping\"}\n\n", ""},
	}
	for _, tc := range cases {
		if got := replyModel([]byte(tc.reply)); got != tc.want {
			t.Errorf("%s: replyModel = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestFrontSeesRenamedModel runs the counting proxy in front of an
// upstream that names its own model, as Routex's passthrough did.
func TestFrontSeesRenamedModel(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/messages":
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"upstream-model\"}}\n\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer backend.Close()
	f, err := startFront(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	http.Post(f.url+"/v1/messages", "application/json", strings.NewReader(`{"model":"client-model","stream":true}`))
	http.Post(f.url+"/v1/models/x:generateContent", "application/json", strings.NewReader(`{}`))
	seen := f.exchanges()
	if len(seen) != 2 || seen[1].Status != http.StatusNotFound {
		t.Fatalf("seen %+v", seen)
	}
	got := renamedModels(seen)
	if len(got) != 1 || !strings.Contains(got[0], "asked for client-model, the reply names upstream-model") {
		t.Fatalf("renamedModels = %q", got)
	}
	seen[0].Named = "client-model"
	if got := renamedModels(seen); len(got) != 0 {
		t.Fatalf("same model reported as renamed: %q", got)
	}
}
