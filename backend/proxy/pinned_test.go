package proxy_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/store"
)

// A "channel,model" request pins a channel: it is served there, or refused
// with a message naming the channel, and the pinned string never goes
// upstream as a model name.
func TestPinnedChannelIsHonouredOrRefused(t *testing.T) {
	t.Parallel()
	te := newTestEngine(t)
	on := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	off := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	te.addChannel(t, store.Channel{Name: "on", BaseURL: on.URL, Models: []string{"m1"}})
	offCh := te.addChannel(t, store.Channel{Name: "offch", BaseURL: off.URL, Models: []string{"m1"}})
	offCh.Enabled = false
	if _, err := te.e.Store().UpdateChannel(context.Background(), offCh); err != nil {
		t.Fatal(err)
	}
	// A channel that really has a model with a comma in its name.
	commaUp := newUpstream(t, replyJSON(http.StatusOK, anthropicMessage))
	te.addChannel(t, store.Channel{Name: "lab", BaseURL: commaUp.URL, Models: []string{"meta,llama-3"}, Priority: 5})

	body := func(model string) []byte {
		return []byte(`{"model":"` + model + `","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`)
	}
	for _, tc := range []struct {
		model    string
		status   int
		wantText []string
	}{
		{"offch,m1", http.StatusBadRequest, []string{`"offch"`, "disabled"}},
		{"nosuch,m1", http.StatusNotFound, []string{`"nosuch"`, "no channel", "on", "offch"}},
	} {
		resp := te.post(t, "/v1/messages", body(tc.model))
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.model, resp.StatusCode, tc.status)
		}
		env := readError(t, resp, "anthropic")
		for _, w := range tc.wantText {
			if !strings.Contains(env.Error.Message, w) {
				t.Errorf("%s: message %q does not say %q", tc.model, env.Error.Message, w)
			}
		}
	}
	for name, up := range map[string]*upstream{"on": on, "offch": off, "lab": commaUp} {
		if n := len(up.requests()); n != 0 {
			t.Errorf("channel %s received %d requests for a refused pin", name, n)
		}
	}

	// Pinned to an enabled channel: served there with the bare model.
	resp := te.post(t, "/v1/messages", body("on,m1"))
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("on,m1: status %d", resp.StatusCode)
	}
	if m := gjson.GetBytes(on.only(t).Body, "model").Str; m != "m1" {
		t.Errorf("upstream model = %q, want m1", m)
	}
	// A model whose name holds a comma and that a channel declares is a
	// model, not a pin.
	resp = te.post(t, "/v1/messages", body("meta,llama-3"))
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("meta,llama-3: status %d", resp.StatusCode)
	}
	if m := gjson.GetBytes(commaUp.only(t).Body, "model").Str; m != "meta,llama-3" {
		t.Errorf("upstream model = %q, want meta,llama-3", m)
	}

	// Each refusal left a row saying why.
	var refused int
	for _, l := range storedLogs(t, te) {
		if l.Status >= 400 && strings.Contains(l.Error, "channel") {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("%d refused rows in the request log, want 2", refused)
	}
}
