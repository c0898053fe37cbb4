package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// attemptResult says how one try on one channel ended: done means the
// client has its answer (a success, or an error that another channel would
// repeat); otherwise failure says why the next candidate should be tried.
type attemptResult struct {
	done bool
	ok   bool
	failure
}

// attempt tries the request on one candidate, whose channel is ch.
func (q *request) attempt(ctx context.Context, c balance.Candidate, ch *store.Channel) attemptResult {
	h, in, rec := q.h, &q.in, &q.rec
	began := time.Now()
	end := h.bal.Begin(c, began)
	rec.ChannelID, rec.ChannelName, rec.UpstreamModel, rec.UpstreamFormat = ch.ID, ch.Name, c.Model, ch.Type
	keyIndex := 0
	var actx context.Context // the upstream call's, once it is made
	fail := func(status int, kind protocol.ErrorKind, bk balance.FailureKind, msg string, cool time.Time) attemptResult {
		if actx != nil && errors.Is(context.Cause(actx), errKeyRefused) {
			// Routex cut it for the key: nothing to hold against the
			// channel, and the client gets the key's refusal.
			end(balance.Outcome{Kind: balance.Client, KeyIndex: keyIndex, Now: time.Now()})
			q.admitted()
			return attemptResult{done: true}
		}
		if shuttingDown(ctx) {
			// Routex cut it, not the channel: nothing to hold against it.
			status, kind, bk, msg = http.StatusServiceUnavailable, protocol.Overloaded, balance.Client, h2s(ch.Name, errShutdown)
		}
		msg = logging.RedactSecrets(msg, ch.Secrets()...)
		end(balance.Outcome{Status: status, Kind: bk, CoolUntil: cool, KeyIndex: keyIndex, Now: time.Now(), Err: msg})
		return attemptResult{failure: failure{channel: ch, model: c.Model, status: status, kind: kind,
			message: msg, coolUntil: cool, latency: time.Since(began)}}
	}

	if in.isCountTokens() && !countsUpstream(in.format, ch.Type) {
		q.countLocally()
		end(balance.Outcome{OK: true, Status: rec.Status, Now: time.Now()})
		return attemptResult{done: true, ok: rec.Status == http.StatusOK}
	}
	up, err := q.prepare(ch, c.Model)
	if err != nil {
		// This channel cannot take the request as written (a PDF for a
		// provider without documents, say); another one may.
		return fail(http.StatusBadRequest, protocol.InvalidRequest, balance.Client, err.Error(), time.Time{})
	}

	up.key, keyIndex = h.bal.Key(ch.ID, ch.Keys(), began)
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if q.adm != nil {
		defer q.adm.cancelOnRefusal(cancel)()
	}
	resp, err := q.send(actx, cancel, up)
	if err != nil {
		if q.r.Context().Err() != nil {
			end(balance.Outcome{Kind: balance.Client, Now: time.Now()})
			rec.Status, rec.Error = 499, "client disconnected"
			return attemptResult{done: true}
		}
		status, kind, bk, msg := describeSendError(actx, ch, err)
		return fail(status, kind, bk, msg, time.Time{})
	}
	defer resp.Body.Close()

	if resp.StatusCode >= 400 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		// The provider's own words, prefixed only by the channel: clients
		// match on them (Claude Code's "prompt is too long" recovery).
		msg := protocol.UpstreamMessage(raw)
		if msg == "" {
			msg = fmt.Sprintf("upstream answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		return q.upstreamError(ch, upstreamErr{status: resp.StatusCode, header: resp.Header, body: raw, msg: msg}, fail, end)
	}

	body := &idleReader{r: resp.Body, d: h.opts.Timeouts.Idle(), cancel: cancel}
	defer body.stop()
	// Until the start of the reply has been judged nothing has reached the
	// client and another channel can still answer: a 200 that is an HTML
	// page, empty, or a stream whose first event is an error is a failed
	// attempt. The first-byte limit covers that wait too, for upstreams
	// that send headers at once and then stall.
	timer := time.AfterFunc(max(h.firstByte(ch)-time.Since(began), 0), func() { cancel(errFirstByteTimeout) })
	rest, head, sse, problem, err := peekReply(body, up.to, up.stream && isEventStream(resp.Header))
	timer.Stop()
	if errors.Is(context.Cause(actx), errFirstByteTimeout) {
		return fail(http.StatusGatewayTimeout, protocol.Timeout, balance.Timeout, firstByteMessage(ch), time.Time{})
	}
	if err != nil {
		cause := readCause(actx, err)
		return fail(0, protocol.APIError, balance.Stream, fmt.Sprintf("channel %s: %v", ch.Name, cause), time.Time{})
	}
	var said *protocol.UpstreamError
	if errors.As(problem, &said) {
		// The upstream's own error inside a 200: what it would have meant
		// with the status its kind stands for, in its own words.
		return q.upstreamError(ch, upstreamErr{status: protocol.StatusForKind(said.Kind), kind: said.Kind,
			in200: true, header: resp.Header, body: head, msg: said.Message}, fail, end)
	}
	if problem != nil {
		bk := balance.Server
		if sse {
			bk = balance.Stream
		}
		return fail(0, protocol.APIError, bk, fmt.Sprintf("channel %s: the upstream answered %d with %v", ch.Name, resp.StatusCode, problem), time.Time{})
	}
	// The reply is good: the next byte commits it to the client, so the
	// key's verdict is needed now.
	if !q.admitted() {
		cancel(errKeyRefused)
		end(balance.Outcome{Kind: balance.Client, KeyIndex: keyIndex, Now: time.Now()})
		return attemptResult{done: true}
	}
	resp.Body = readCloser{rest, resp.Body}
	ttft := time.Since(began)
	rec.Status = resp.StatusCode
	if up.decoded() {
		q.respondConverted(actx, resp, up)
	} else {
		q.relayPassthrough(actx, resp, up)
	}
	end(balance.Outcome{OK: true, Status: resp.StatusCode, TTFT: ttft, Now: time.Now()})
	return attemptResult{done: true, ok: true}
}

// upstreamErr is an error the upstream answered: a 4xx or 5xx, or its own
// error inside a 200 (with the status its kind stands for).
type upstreamErr struct {
	status int
	kind   protocol.ErrorKind // "" for the status's
	in200  bool               // the error came inside a 200
	header http.Header
	body   []byte
	msg    string // the provider's words
}

// failFunc ends an attempt as failed (attempt's fail).
type failFunc func(status int, kind protocol.ErrorKind, bk balance.FailureKind, msg string, cool time.Time) attemptResult

// upstreamError decides what an upstream's error means: a rate limit
// cools the key and fails over; a server error, a missing endpoint or
// model, or a refused key fails over; an error about the request itself,
// which every channel would repeat, is the client's answer now. Either way
// the message is the provider's words behind the channel name.
func (q *request) upstreamError(ch *store.Channel, e upstreamErr, fail failFunc, end func(balance.Outcome)) attemptResult {
	rec := &q.rec
	bk := classify(e.status, e.msg)
	if bk == balance.NotFound && q.in.isCountTokens() {
		// A provider without the count endpoint: count here, and do
		// not hold it against the model.
		end(balance.Outcome{Kind: balance.Client, Status: e.status, Now: time.Now()})
		q.countLocally()
		return attemptResult{done: true, ok: rec.Status == http.StatusOK}
	}
	// A provider's error may quote what it was sent (a header, the key).
	msg := logging.RedactSecrets(fmt.Sprintf("channel %s: %s", ch.Name, e.msg), ch.Secrets()...)
	kind := e.kind
	if kind == "" {
		kind = protocol.KindForStatus(e.status)
	}
	// The channel's health shows what the upstream answered: the words
	// alone do not always say (Anthropic's 404 is "model: <name>"). The
	// client and the request log's attempt (which has the status) get
	// the words alone.
	seen := fmt.Sprintf("%s (HTTP %d)", msg, e.status)
	if e.in200 {
		seen = msg + " (an error inside an HTTP 200)"
	}
	failed := func(cool time.Time) attemptResult {
		res := fail(e.status, kind, bk, seen, cool)
		if res.message == seen { // not replaced by the shutdown's
			res.message = msg
		}
		return res
	}
	switch bk {
	case balance.RateLimit:
		cool, ok := balance.CooldownFromHeaders(e.header, time.Now())
		if !ok {
			cool, _ = balance.CooldownFromBody(e.body, time.Now())
		}
		// With several keys the balancer cools only the key used
		// (Outcome.KeyIndex); the channel's other keys go on.
		res := failed(cool)
		if res.coolUntil.IsZero() {
			// The upstream did not say how long; the balancer applied
			// its default cooldown, which is the client's Retry-After
			// should every channel be rate-limited.
			res.coolUntil = q.h.bal.Health(ch.ID, time.Now()).CooldownUntil
		}
		return res
	case balance.Server, balance.NotFound:
		return failed(time.Time{})
	}
	// The request itself is wrong (400, 413, 422): every channel would
	// say so. Tell the client now, in its format, unless its key is
	// refused: then that is the answer.
	end(balance.Outcome{Status: e.status, Kind: balance.Client, Now: time.Now(), Err: msg})
	if !q.admitted() {
		return attemptResult{done: true}
	}
	rec.Status, rec.Error = e.status, msg
	copyRetryHeaders(q.w.Header(), e.header)
	writeError(q.w, q.in.format, e.status, kind, msg)
	return attemptResult{done: true}
}

// send posts the prepared request, retrying the same channel once, after a
// short jittered pause, when the connection failed before any response in a
// way that is safe to repeat (a reused keep-alive connection the server had
// closed). Everything else is the next candidate's business.
func (q *request) send(ctx context.Context, cancel context.CancelCauseFunc, up *upstream) (*http.Response, error) {
	ch := up.ch
	firstByte := q.h.firstByte(ch)
	var resp *http.Response
	var err error
	for try := 0; try < 2; try++ {
		req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, up.url, bytes.NewReader(up.body))
		if rerr != nil {
			return nil, fmt.Errorf("base_url %q does not make a valid URL: %w", logging.RedactURL(ch.BaseURL), rerr)
		}
		if up.from != up.to {
			convertedRequestHeaders(req.Header, q.r.Header)
		} else {
			copyRequestHeaders(req.Header, q.r.Header)
		}
		setChannelAuth(req.Header, ch, up.key)
		up.chain.Headers(req.Header)
		timer := time.AfterFunc(firstByte, func() { cancel(errFirstByteTimeout) })
		resp, err = q.h.client.Do(req)
		timer.Stop()
		if err == nil || !repeatable(err) || ctx.Err() != nil {
			return resp, err
		}
		select {
		case <-time.After(time.Duration(50+rand.IntN(100)) * time.Millisecond):
		case <-ctx.Done():
			return nil, err
		}
	}
	return resp, err
}

// firstByte is how long the channel may take to start answering: its own
// timeout_ms, else the configured first-byte timeout.
func (h *Handler) firstByte(ch *store.Channel) time.Duration {
	if ch.TimeoutMS > 0 {
		return time.Duration(ch.TimeoutMS) * time.Millisecond
	}
	return h.opts.Timeouts.FirstByte()
}

// repeatable reports a transport failure that happened before the upstream
// could have acted on the request.
func repeatable(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE)
}

// failureKind classifies an upstream error status for failover and health.
func failureKind(status int) balance.FailureKind {
	switch {
	case status == http.StatusTooManyRequests:
		return balance.RateLimit
	case status >= 500, status == http.StatusRequestTimeout,
		status == http.StatusUnauthorized, status == http.StatusForbidden:
		// A bad or revoked key is this channel's problem; another channel
		// may answer, and the breaker keeps a broken one out of the way.
		return balance.Server
	}
	return balance.Client
}

// describeSendError turns a failed send into status, kinds and a message
// that says what to fix.
func describeSendError(ctx context.Context, ch *store.Channel, err error) (int, protocol.ErrorKind, balance.FailureKind, string) {
	var netErr net.Error
	switch {
	case errors.Is(context.Cause(ctx), errFirstByteTimeout):
		return http.StatusGatewayTimeout, protocol.Timeout, balance.Timeout, firstByteMessage(ch)
	case errors.Is(context.Cause(ctx), errDeadline):
		return http.StatusGatewayTimeout, protocol.Timeout, balance.Timeout,
			fmt.Sprintf("channel %s: %v", ch.Name, errDeadline)
	case errors.As(err, &netErr) && netErr.Timeout():
		return http.StatusGatewayTimeout, protocol.Timeout, balance.Timeout,
			fmt.Sprintf("channel %s: connecting to %s timed out; check base_url and your network", ch.Name, logging.RedactURL(ch.BaseURL))
	}
	return 0, protocol.APIError, balance.Connect,
		fmt.Sprintf("channel %s: cannot reach %s: %v; check base_url and your network", ch.Name, logging.RedactURL(ch.BaseURL), unwrapURLError(err))
}

func firstByteMessage(ch *store.Channel) string {
	return fmt.Sprintf("channel %s: %v; raise the channel's timeout_ms if the model is slow", ch.Name, errFirstByteTimeout)
}

func unwrapURLError(err error) error {
	var u interface{ Unwrap() error }
	if errors.As(err, &u) {
		if inner := u.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}
