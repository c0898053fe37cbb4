package proxy_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/proxy"
	"github.com/routex-app/routex/backend/store"
)

// A key's database check runs beside the upstream attempt; these tests
// hold the check (gatedKeys) and the upstream at chosen points to show
// that the two overlap, that a refusal lets no reply byte through however
// fast the upstream answered, and that the attempt cut for it is not held
// against the channel.

// overlapSecret is the one key the gated checker knows.
const overlapSecret = "rtx-0123456789abcdef0123456789abcdef0123456789abcdef"

// gatedKeys is a KeyChecker whose Admit says it began (started), waits
// for its verdict on verdict, and returns it.
type gatedKeys struct {
	key     store.APIKey
	started chan struct{}
	verdict chan *keys.Refusal
}

func newGatedKeys() *gatedKeys {
	return &gatedKeys{key: store.APIKey{ID: 7, Name: "dana"}, started: make(chan struct{}, 1), verdict: make(chan *keys.Refusal, 1)}
}

func (g *gatedKeys) Lookup(secret string) (*store.APIKey, *keys.Refusal) {
	if secret != overlapSecret {
		return nil, nil
	}
	return &g.key, nil
}

func (g *gatedKeys) Admit(ctx context.Context, k *store.APIKey, model string) *keys.Refusal {
	select {
	case g.started <- struct{}{}:
	default: // nobody waits for this one
	}
	select {
	case ref := <-g.verdict:
		return ref
	case <-ctx.Done():
		return &keys.Refusal{Status: http.StatusServiceUnavailable, Kind: protocol.APIError, Limit: keys.LimitCheck, Message: "client gone"}
	}
}

// spentRefusal is what a spent daily budget answers.
var spentRefusal = &keys.Refusal{Status: http.StatusPaymentRequired, Kind: protocol.Billing, Limit: "budget_daily",
	Message: `Routex key "dana" has spent its daily budget`}

// overlapHandler serves channels named after the upstreams (priority in
// order) with the gated checker, a recorder and a balancer to inspect.
func overlapHandler(t *testing.T, g *gatedKeys, ups ...*upstream) (*httptest.Server, *recorder, *balance.Balancer, []store.Channel) {
	t.Helper()
	st := newStore(t)
	var chans []store.Channel
	for i, up := range ups {
		ch, err := st.CreateChannel(context.Background(), store.Channel{Name: "ch" + string(rune('a'+i)), Type: "anthropic",
			BaseURL: up.URL, APIKey: testChannelKey, Enabled: true, Priority: i + 1, Weight: 1})
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	rec, bal := newRecorder(), balance.New(balance.Options{})
	srv := httptest.NewServer(proxy.New(proxy.Options{AccessKey: testAccessKey, Keys: g, Recorder: rec, Balancer: bal,
		Logger: slog.New(slog.DiscardHandler)}, st))
	t.Cleanup(srv.Close)
	return srv, rec, bal, chans
}

// postKey sends a Messages request with the gated key.
func postKey(t *testing.T, url string, stream bool) *http.Response {
	t.Helper()
	body := `{"model":"m","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`
	if stream {
		body = `{"model":"m","stream":true,"max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`
	}
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/messages", strings.NewReader(body))
	req.Header.Set("X-Api-Key", overlapSecret)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// await fails the test when ch yields nothing in a long while: a guard
// against a deadlock, not a measure of speed.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10 s for %s", what)
	}
	var zero T
	return zero
}

// healthUntouched fails when the attempt left a mark on the channel.
func healthUntouched(t *testing.T, bal *balance.Balancer, ch store.Channel) {
	t.Helper()
	h := bal.Health(ch.ID, time.Now())
	if h.State != balance.StateClosed || h.Failures != 0 || h.Failed != 0 || !h.CooldownUntil.IsZero() || h.LastError != "" {
		t.Errorf("channel %s health after a refused key = %+v, want untouched", ch.Name, h)
	}
}

func TestKeyAdmissionOverlapsTheUpstream(t *testing.T) {
	t.Parallel()

	t.Run("the check and the upstream run at once", func(t *testing.T) {
		t.Parallel()
		// Each side waits for the other to have begun: were the check
		// done before the upstream call (or after), neither would end.
		g := newGatedKeys()
		reached := make(chan struct{}, 1)
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			reached <- struct{}{}
			select {
			case <-g.started:
			case <-r.Context().Done():
				return
			}
			replyJSON(200, anthropicMessage)(w, r)
		})
		srv, rec, _, _ := overlapHandler(t, g, up)
		go func() {
			select {
			case <-reached:
				g.verdict <- nil
			case <-time.After(10 * time.Second):
				g.verdict <- spentRefusal // not overlapped: fail the request
			}
		}()
		resp := postKey(t, srv.URL, false)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != anthropicMessage {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		await(t, rec.got, "the request to be recorded")
		if l := rec.last(); !l.KeyAdmitted || l.KeyID != 7 || l.Status != 200 || l.ChannelName != "cha" {
			t.Errorf("record = %+v", l)
		}
	})

	for _, stream := range []bool{false, true} {
		name := "a refused key gets no byte of a reply the upstream already sent"
		if stream {
			name += " (stream)"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := newGatedKeys()
			answered := make(chan struct{}, 1)
			up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				if stream {
					replySSE(anthropicEvents)(w, r)
				} else {
					// Whole and flushed: Routex has it all before the
					// handler returns.
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("Content-Length", strconv.Itoa(len(anthropicMessage)))
					io.WriteString(w, anthropicMessage)
					http.NewResponseController(w).Flush()
				}
				answered <- struct{}{}
			})
			second := newUpstream(t, replyJSON(200, anthropicMessage))
			srv, rec, bal, chans := overlapHandler(t, g, up, second)
			go refuseAfter(g, answered)
			resp := postKey(t, srv.URL, stream)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusPaymentRequired || resp.Header.Get("X-Routex-Limit") != "budget_daily" ||
				!strings.Contains(string(body), "daily budget") || strings.Contains(string(body), "Hi!") || strings.Contains(string(body), "Hello") {
				t.Fatalf("got %d %v %s", resp.StatusCode, resp.Header, body)
			}
			await(t, rec.got, "the request to be recorded")
			l := rec.last()
			if l.Status != http.StatusPaymentRequired || l.KeyAdmitted || l.ChannelID != 0 || l.ChannelName != "" ||
				len(l.Attempts) != 0 || l.TTFTMS != 0 || l.OutputTokens != 0 {
				t.Errorf("record = %+v, want the refusal as if nothing was sent", l)
			}
			if n := len(up.requests()); n != 1 {
				t.Errorf("the first channel got %d requests, want 1 (the reply was there before the verdict)", n)
			}
			if n := len(second.requests()); n != 0 {
				t.Errorf("the second channel got %d requests; a refused key tries no other", n)
			}
			healthUntouched(t, bal, chans[0])
		})
	}

	t.Run("a refusal cuts the attempt under way and the channel keeps its health", func(t *testing.T) {
		t.Parallel()
		g := newGatedKeys()
		reached, cut := make(chan struct{}, 1), make(chan struct{}, 1)
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			reached <- struct{}{}
			<-r.Context().Done() // answers only when Routex hangs up
			cut <- struct{}{}
		})
		second := newUpstream(t, replyJSON(200, anthropicMessage))
		srv, rec, bal, chans := overlapHandler(t, g, up, second)
		go refuseAfter(g, reached)
		resp := postKey(t, srv.URL, true)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPaymentRequired || !strings.Contains(string(body), "daily budget") {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		await(t, cut, "the upstream call to be cut")
		await(t, rec.got, "the request to be recorded")
		if l := rec.last(); l.Status != http.StatusPaymentRequired || l.ChannelName != "" || len(l.Attempts) != 0 {
			t.Errorf("record = %+v", l)
		}
		if n := len(second.requests()); n != 0 {
			t.Errorf("the second channel got %d requests; a refused key tries no other", n)
		}
		healthUntouched(t, bal, chans[0])
	})

	t.Run("a failed first channel waits for the verdict before the next", func(t *testing.T) {
		t.Parallel()
		g := newGatedKeys()
		failed := make(chan struct{}, 1)
		up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			replyJSON(500, `{"type":"error","error":{"type":"api_error","message":"boom"}}`)(w, r)
			failed <- struct{}{}
		})
		second := newUpstream(t, replyJSON(200, anthropicMessage))
		srv, rec, _, _ := overlapHandler(t, g, up, second)
		go refuseAfter(g, failed)
		resp := postKey(t, srv.URL, false)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPaymentRequired {
			t.Fatalf("got %d %s", resp.StatusCode, body)
		}
		await(t, rec.got, "the request to be recorded")
		if l := rec.last(); l.Status != http.StatusPaymentRequired || len(l.Attempts) != 0 {
			t.Errorf("record = %+v", l)
		}
		if n := len(up.requests()); n != 1 {
			t.Errorf("the first channel got %d requests, want 1", n)
		}
		if n := len(second.requests()); n != 0 {
			t.Errorf("the second channel got %d requests; a refused key tries no other", n)
		}
	})
}

// refuseAfter refuses the key once event happens (or after a long while,
// when it does not: the test then fails on what it sees).
func refuseAfter(g *gatedKeys, event <-chan struct{}) {
	select {
	case <-event:
	case <-time.After(10 * time.Second):
	}
	g.verdict <- spentRefusal
}

func TestARefusedKeysNextRequestIsJudgedBeforeItIsSent(t *testing.T) {
	t.Parallel()
	g := newGatedKeys()
	reached := make(chan struct{}, 4)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		reached <- struct{}{}
		replyJSON(200, anthropicMessage)(w, r)
	})
	srv, _, _, _ := overlapHandler(t, g, up)

	// The first request goes out beside its check, which refuses it.
	go refuseAfter(g, reached)
	resp := postKey(t, srv.URL, false)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPaymentRequired || len(up.requests()) != 1 {
		t.Fatalf("first request: %d, upstream got %d", resp.StatusCode, len(up.requests()))
	}

	// The next one waits for its verdict before it is sent: the upstream
	// is not reached while the check is held (a second, then refused).
	go func() {
		select {
		case <-reached:
		case <-time.After(time.Second):
		}
		g.verdict <- spentRefusal
	}()
	resp = postKey(t, srv.URL, false)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPaymentRequired {
		t.Fatalf("second request: %d", resp.StatusCode)
	}
	if n := len(up.requests()); n != 1 {
		t.Errorf("the upstream got %d requests; a key refused a moment ago was sent before its verdict", n)
	}

	// Admitted again, the key goes back to the overlapped check.
	g.verdict <- nil
	resp = postKey(t, srv.URL, false)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("third request: %d", resp.StatusCode)
	}
	<-reached // the third request's, answered: not the fourth's
	go refuseAfter(g, reached)
	resp = postKey(t, srv.URL, false)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPaymentRequired || len(up.requests()) != 3 {
		t.Errorf("fourth request: %d, upstream got %d, want 3 (sent beside its check again)", resp.StatusCode, len(up.requests()))
	}
}
