package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
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
	for path, body := range map[string]string{"/v1/messages": `{"model":"client-model","stream":true}`, "/v1/models/x:generateContent": `{}`} {
		resp, err := http.Post(f.url+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// The proxy notes an exchange when its handler returns, which can be
	// a moment after the client has read the whole reply.
	var seen []exchangeSeen
	for deadline := time.Now().Add(2 * time.Second); len(seen) < 2 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		seen = f.exchanges()
	}
	slices.SortFunc(seen, func(a, b exchangeSeen) int { return strings.Compare(a.Path, b.Path) })
	if len(seen) != 2 || seen[0].Path != "/v1/messages" || seen[0].Status != http.StatusOK || seen[1].Status != http.StatusNotFound {
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
