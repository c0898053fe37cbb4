package proxy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// readEvent reads one SSE event (up to and including its blank line).
func readEvent(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\n" {
			return b.String(), nil
		}
	}
}

// eventNames lists the "event:" names of an SSE body, in order.
func eventNames(body string) []string {
	var names []string
	for _, line := range strings.Split(body, "\n") {
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			names = append(names, name)
		}
	}
	return names
}

func TestStreamsPassThrough(t *testing.T) {
	t.Parallel()

	t.Run("Anthropic events arrive whole and in order", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSE(anthropicEvents))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "zhipu", BaseURL: up.URL, ModelMap: map[string]string{"claude-opus-4-8": "glm-4.6"}})
		fx := loadFixture(t, "claude-code-2.1.197-messages.json")
		resp := te.post(t, "/v1/messages", fx.Body) // the fixture asks for a stream
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// Byte for byte, but for the model message_start names: the client's.
		if want := strings.Replace(strings.Join(anthropicEvents, ""), `"glm-4.6"`, `"claude-opus-4-8"`, 1); string(body) != want {
			t.Errorf("client got\n%s\nwant\n%s", body, want)
		}
		want := []string{"message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
			"content_block_stop", "message_delta", "message_stop"}
		if got := eventNames(string(body)); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("events = %v", got)
		}
		if m := gjson.GetBytes(up.only(t).Body, "model").Str; m != "glm-4.6" {
			t.Errorf("upstream model = %q", m)
		}
	})

	t.Run("OpenAI chunks and [DONE] arrive in order", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t, replySSE(openAIChunks))
		te := newTestEngine(t)
		te.addChannel(t, store.Channel{Name: "openai", Type: "openai", BaseURL: up.URL + "/v1",
			ModelMap: map[string]string{"gpt-4o": "gpt-4.1-mini"}})
		resp := te.post(t, "/v1/chat/completions",
			[]byte(`{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`))
		defer resp.Body.Close()
		br := bufio.NewReader(resp.Body)
		for i, want := range openAIChunks {
			want = strings.ReplaceAll(want, `"gpt-4.1-mini"`, `"gpt-4o"`) // every chunk names the client's model
			got, err := readEvent(br)
			if err != nil || got != want {
				t.Fatalf("chunk %d = %q (%v), want %q", i, got, err, want)
			}
		}
		if rest, _ := io.ReadAll(br); len(rest) != 0 {
			t.Errorf("bytes after [DONE]: %q", rest)
		}
		in := up.only(t)
		if in.Path != "/v1/chat/completions" || in.Header.Get("Authorization") != "Bearer "+testChannelKey {
			t.Errorf("upstream got %s with Authorization %q", in.Path, in.Header.Get("Authorization"))
		}
		if m := gjson.GetBytes(in.Body, "model").Str; m != "gpt-4.1-mini" {
			t.Errorf("upstream model = %q", m)
		}
	})
}

func TestStreamEventsLeaveOneAtATime(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	// Never leave the mock blocked, even on failure: deferred, so it runs
	// before the cleanups that wait for the handler to finish.
	defer free()

	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		io.WriteString(w, anthropicEvents[0])
		rc.Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		for _, ev := range anthropicEvents[1:] {
			io.WriteString(w, ev)
			rc.Flush()
		}
	})
	te := newTestEngine(t)
	te.addChannel(t, store.Channel{Name: "a", BaseURL: up.URL})
	resp := te.post(t, "/v1/messages", []byte(`{"model":"claude-opus-4-8","stream":true,"max_tokens":9,"messages":[]}`))
	defer resp.Body.Close()

	br := bufio.NewReader(resp.Body)
	first := make(chan string, 1)
	go func() {
		ev, _ := readEvent(br)
		first <- ev
	}()
	if got := within(t, 5*time.Second, first, "the first event while the upstream holds the second"); got != anthropicEvents[0] {
		t.Fatalf("first event = %q, want %q", got, anthropicEvents[0])
	}
	free()
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(anthropicEvents[1:], ""); string(rest) != want {
		t.Errorf("rest of the stream = %q, want %q", rest, want)
	}
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, typ, path string }{
		{"an Anthropic stream", "anthropic", "/v1/messages"},
		{"an OpenAI stream", "openai", "/v1/chat/completions"},
	} {
		t.Run("closing "+tc.name+" cancels the upstream call", func(t *testing.T) {
			t.Parallel()
			cancelled := make(chan struct{}, 1)
			up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, anthropicEvents[0])
				http.NewResponseController(w).Flush()
				select {
				case <-r.Context().Done():
					cancelled <- struct{}{}
				case <-time.After(10 * time.Second):
				}
			})
			te := newTestEngine(t)
			base := up.URL
			if tc.typ == "openai" {
				base += "/v1"
			}
			te.addChannel(t, store.Channel{Name: "c", Type: tc.typ, BaseURL: base})
			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			req, _ := http.NewRequest(http.MethodPost, te.url+tc.path, strings.NewReader(`{"model":"m","stream":true,"messages":[]}`))
			req.Header.Set("X-Api-Key", testAccessKey)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if ev, err := readEvent(bufio.NewReader(resp.Body)); err != nil || ev != anthropicEvents[0] {
				t.Fatalf("first event = %q (%v)", ev, err)
			}
			resp.Body.Close()
			within(t, 5*time.Second, cancelled, "the upstream to see its request cancelled")
		})
	}
}

func TestSilentStreamEndsWithErrorEvent(t *testing.T) {
	t.Parallel()
	half := "event: content_block_delta\ndata: {\"type\":\"content_block_del"
	for _, tc := range []struct {
		name   string
		typ    string
		sent   string // what the upstream sends before going silent
		prefix string // what the client must see before the error event
	}{
		{"an Anthropic stream silent after whole events gets an error event", "anthropic",
			anthropicEvents[0] + anthropicEvents[1], anthropicEvents[0] + anthropicEvents[1] + "event: error\n"},
		{"an Anthropic stream silent mid-event gets the event closed, then an error event", "anthropic",
			anthropicEvents[0] + half, anthropicEvents[0] + half + "\n\nevent: error\n"},
		{"an OpenAI stream silent after a chunk gets an error chunk", "openai",
			openAIChunks[0], openAIChunks[0] + "data: {\"error\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, tc.sent)
				http.NewResponseController(w).Flush()
				<-r.Context().Done()
			})
			te := newTestEngine(t, withTimeouts(0, 200))
			base, path := up.URL, "/v1/messages"
			if tc.typ == "openai" {
				base, path = up.URL+"/v1", "/v1/chat/completions"
			}
			te.addChannel(t, store.Channel{Name: "mute-channel", Type: tc.typ, BaseURL: base})
			start := time.Now()
			resp := te.post(t, path, []byte(`{"model":"m","stream":true,"messages":[]}`))
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("the stream did not end cleanly: %v (got %q)", err, body)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the stream took %v to end with a 200ms idle timeout", took)
			}
			if !strings.HasPrefix(string(body), tc.prefix) || !strings.HasSuffix(string(body), "\n\n") {
				t.Fatalf("client got %q, want it to start with %q and end with a blank line", body, tc.prefix)
			}
			data := string(bytes.TrimSpace(body[bytes.LastIndex(body, []byte("data: "))+len("data: "):]))
			var env errorEnvelope
			if err := json.Unmarshal([]byte(data), &env); err != nil {
				t.Fatalf("error event data is not JSON: %q", data)
			}
			if tc.typ == "anthropic" && (env.Type != "error" || env.Error.Type != "api_error") {
				t.Errorf("error event = %s", data)
			}
			if !strings.Contains(env.Error.Message, "mute-channel") {
				t.Errorf("error message %q does not name the channel", env.Error.Message)
			}
		})
	}
}
