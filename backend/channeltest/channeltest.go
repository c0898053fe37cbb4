// Package channeltest checks a channel the way the proxy would use it: it
// lists the upstream's models, sends a minimal real request in the channel's
// format and a streamed one, times them, and answers a verdict with a message
// that says what to fix. It does HTTP through the caller's client and reads
// time from the caller's clock; it never touches the store.
package channeltest

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/store"
)

// Verdict is a test's outcome, stable for the dashboard to translate.
type Verdict string

// Verdicts, from best to worst.
const (
	OK          Verdict = "ok"
	Slow        Verdict = "slow"
	AuthFailed  Verdict = "auth_failed"
	NotFound    Verdict = "not_found"
	Unreachable Verdict = "unreachable"
	Failed      Verdict = "error"
)

// Defaults of Options.
const (
	DefaultTimeout   = 15 * time.Second
	DefaultSlowAfter = 5 * time.Second
)

// Default models, used when neither the caller, the channel nor the
// upstream's model list names one: the cheapest current model of each API.
var defaultModels = map[string]string{
	"anthropic": "claude-haiku-4-5",
	"openai":    "gpt-4.1-mini",
	"gemini":    "gemini-2.5-flash",
	// gpt-4.1-mini takes the Responses API too and, not reasoning, answers
	// within the 16 tokens of the test.
	"openai-responses": "gpt-4.1-mini",
}

// Options tunes a test. Zero fields take defaults.
type Options struct {
	// Model to test; "" takes the channel's first model, else one from the
	// upstream's list, else the provider's default.
	Model string
	// Timeout bounds the whole test (default 15 s).
	Timeout time.Duration
	// SlowAfter is the time to first token above which a working channel is
	// reported slow (default 5 s).
	SlowAfter time.Duration
	// SkipStream leaves out the streamed request.
	SkipStream bool
	// Now is the clock (default time.Now); tests pass a fake one.
	Now func() time.Time
}

// Result is what a test found. Durations are milliseconds, 0 when not
// measured (a reused connection has no connect time).
type Result struct {
	Verdict Verdict `json:"verdict"`
	// Message says in English what Note says in codes.
	Message string `json:"message"`
	// Note is the message as a code with parameters, for the dashboard to
	// translate; StreamFailed says it is about the streamed request after
	// the plain one worked.
	Note         Note     `json:"note"`
	StreamFailed bool     `json:"stream_failed,omitempty"`
	Status       int      `json:"status"`
	Model        string   `json:"model"`
	ConnectMS    float64  `json:"connect_ms"`
	TTFTMS       float64  `json:"ttft_ms"`
	TotalMS      float64  `json:"total_ms"`
	StreamTTFTMS float64  `json:"stream_ttft_ms"`
	Models       []string `json:"models"`
}

// Test runs the connection test of ch with its first key. It never returns
// an error: every failure is a verdict with a message. Safe for concurrent
// use when client is.
func Test(ctx context.Context, client *http.Client, ch store.Channel, opts Options) Result {
	res := test(ctx, client, ch, opts)
	// A provider's error may quote what it was sent: a header, the key.
	secrets := ch.Secrets()
	res.Message = logging.RedactSecrets(res.Message, secrets...)
	for k, v := range res.Note.Params {
		res.Note.Params[k] = logging.RedactSecrets(v, secrets...)
	}
	return res
}

func test(ctx context.Context, client *http.Client, ch store.Channel, opts Options) Result {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.SlowAfter <= 0 {
		opts.SlowAfter = DefaultSlowAfter
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if client == nil {
		client = http.DefaultClient
	}
	res := Result{Models: []string{}}
	p := provider.For(ch.Type)
	if p == nil {
		res.Verdict = Failed
		res.setNote(note("unknown_type", "type", ch.Type))
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	t := &tester{client: client, ch: ch, p: p, opts: opts, key: ch.Keys()[0]}

	listed, list := t.listModels(ctx)
	if list.err != nil && !list.httpAnswered() {
		// The host cannot be reached: the chat request would fail the same way.
		return t.unreachable(res, list)
	}
	res.Models = listed
	res.Model = t.pickModel(listed)
	if res.ConnectMS = ms(list.connect); list.err == nil && (list.status == 401 || list.status == 403) {
		res.Status = list.status
		res.Verdict = AuthFailed
		res.setNote(authNote(list))
		return res
	}

	chat := t.send(ctx, res.Model, false)
	if res.ConnectMS == 0 {
		res.ConnectMS = ms(chat.connect)
	}
	res.Status, res.TTFTMS, res.TotalMS = chat.status, ms(chat.firstByte), ms(chat.total)
	if chat.err != nil && !chat.httpAnswered() {
		return t.unreachable(res, chat)
	}
	if v, n := t.judge(chat, res.Model, listed); v != OK {
		res.Verdict = v
		res.setNote(n)
		return res
	}
	ttft := chat.firstByte
	if !opts.SkipStream {
		st := t.send(ctx, res.Model, true)
		if st.err != nil && !st.httpAnswered() {
			return t.unreachable(res, st)
		}
		if v, n := t.judge(st, res.Model, listed); v != OK {
			res.Status = st.status
			res.Verdict, res.StreamFailed = v, true
			res.setNote(n)
			return res
		}
		res.StreamTTFTMS = ms(st.firstEvent)
		ttft = st.firstEvent
	}
	res.Verdict = OK
	res.setNote(note("ok", "model", res.Model, "total", human(chat.total)))
	if ttft > opts.SlowAfter {
		res.Verdict = Slow
		res.setNote(note("slow", "ttft", human(ttft), "limit", human(opts.SlowAfter)))
	}
	return res
}

// setNote sets the note and its English message.
func (r *Result) setNote(n Note) {
	r.Note = n
	r.Message = n.English()
	if r.StreamFailed {
		r.Message = english["stream_failed"] + r.Message
	}
}

// ms converts a duration to milliseconds with one decimal.
func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*10) / 10
}

// human writes a duration for a message: "850ms", "6.2s".
func human(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
