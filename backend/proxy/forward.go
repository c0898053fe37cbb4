package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/route"
	"github.com/routex-app/routex/backend/store"
)

// Causes of a cancelled upstream call, told apart with context.Cause.
var (
	errFirstByteTimeout = errors.New("upstream sent no response in time")
	errIdleTimeout      = errors.New("upstream went silent in the middle of the response")
	errDeadline         = errors.New("the request's total time limit passed")
)

// maxErrorBody caps how much of an upstream error body is read.
const maxErrorBody = 64 << 10

// request is one client request on its way through the proxy: what the
// client sent, where routing lets it go, and the request-log row each step
// fills in. forward makes one per request, and the steps that serve it
// (attempt, send, respondConverted, relayPassthrough, failAll, …) are its
// methods, so each takes only what is its own: the context first when it
// needs one, then the candidate, upstream request or reply it works on.
// Only the request's own goroutine uses it, so it needs no lock.
type request struct {
	h *Handler
	w http.ResponseWriter
	r *http.Request
	// in is the request as parsed; routing may strip a model tag from its
	// body and sets its estimate.
	in   inbound
	plan plan
	// rec is the request's log row; forward records it when the request
	// is done, whatever happened.
	rec store.RequestLog
	// capt keeps the start of the response body for the log; nil (which
	// ignores writes) unless capture is on.
	capt *capture
	// adm is the check of the request's key per person, running beside
	// the upstream attempt; nil for the access key (see admitKey).
	adm *admission
}

// forward routes in, tries its candidates in the balancer's order until one
// answers, and streams that answer back, recording the request once it is
// done.
func (h *Handler) forward(w http.ResponseWriter, r *http.Request, in inbound) {
	// Registered first, so it runs last: the engine's shutdown waits for
	// the request-log row recorded below.
	live, done := h.drain.enter(r.Context())
	defer done()
	start := time.Now()
	q := &request{h: h, w: w, r: r, in: in, rec: store.RequestLog{
		Time: start, Format: string(in.format), ClientModel: in.model, Stream: in.stream,
		UserAgent: r.UserAgent(),
	}}
	defer func() {
		// Both are truncated to milliseconds; keep latency >= TTFT.
		q.rec.LatencyMS = max(time.Since(start).Milliseconds(), q.rec.TTFTMS)
		h.finish(q.rec)
	}()
	q.serve(live)
}

// serve routes the request and tries its candidates. Failures before the
// first byte reaches the client move on to the next candidate; after it,
// they are reported in the client's format. ctx ends when the engine shuts
// down or the client goes.
func (q *request) serve(ctx context.Context) {
	h, w, rec := q.h, q.w, &q.rec
	// Only input_tokens may leave the model out (parseInbound refused a
	// blank one there); every other request names one.
	if msg := badModel(q.in.model); msg != "" && !(q.in.model == "" && q.in.isCountTokens() && q.in.format == protocol.Responses) {
		rec.Status, rec.Error = http.StatusBadRequest, msg
		writeError(w, q.in.format, rec.Status, protocol.InvalidRequest, msg)
		return
	}
	q.plan = h.plan(q.in, q.r.Header, false)
	plan := &q.plan
	rec.Scenario, rec.Rule, rec.SessionKey = plan.decision.Scenario, plan.decision.Rule, plan.session
	if plan.stripped != nil {
		q.in.body = plan.stripped
	}
	q.in.estimate = plan.summary.Tokens
	rec.RequestBytes = int64(len(q.in.body))
	if !q.admitKey() {
		return
	}
	// Whatever ends the request, the key's verdict is in its log row.
	defer q.verdict()
	if h.opts.CaptureBodies != nil && h.opts.CaptureBodies() {
		reqCapture := &capture{}
		reqCapture.Write(q.in.body)
		q.capt = &capture{}
		defer func() {
			if q.keyRefused() {
				return // answered as if nothing had been sent
			}
			secrets := []string{h.accessKey()}
			if ch := plan.channelByID(rec.ChannelID); ch != nil {
				secrets = append(secrets, ch.Secrets()...)
			}
			rec.RequestBody, rec.ResponseBody = reqCapture.String(secrets...), q.capt.String(secrets...)
		}()
	}
	// Routex's own answers wait for the key's verdict: a refused key gets
	// its refusal, as when the check came first.
	if f := plan.refused; f != nil {
		if !q.admitted() {
			return
		}
		rec.Status, rec.Error = f.status, f.msg
		writeError(w, q.in.format, f.status, f.kind, f.msg)
		return
	}
	if len(plan.order) == 0 {
		if !q.admitted() {
			return
		}
		err := errNoChannel{}
		rec.Status, rec.Error = http.StatusServiceUnavailable, err.Error()
		writeError(w, q.in.format, rec.Status, protocol.APIError, err.Error())
		return
	}

	ctx, cancel := context.WithTimeoutCause(ctx, h.opts.Timeouts.Total(), errDeadline)
	defer cancel()
	var failed []failure
	tried := 0 // how many of plan.order were tried
candidates:
	for _, c := range plan.order {
		tried++
		ch := plan.channel(c)
		for keysLeft := len(ch.Keys()) - 1; ; keysLeft-- {
			if ctx.Err() != nil {
				break candidates
			}
			res := q.attempt(ctx, c, ch)
			if q.keyRefused() {
				return
			}
			if res.done {
				if res.ok && plan.session != "" {
					h.bal.Bind(plan.session, c.ChannelID)
				}
				rec.Attempts = q.attempts(tried, failed)
				return
			}
			failed = append(failed, res.failure)
			// A refused key's request tries no other channel.
			if !q.admitted() {
				return
			}
			h.log.Warn("channel failed, trying the next", "channel", ch.Name, "status", res.status, "error", res.message)
			// A 429 on one of several keys cools only that key: while the
			// channel has another key free, it may answer at once.
			if res.status != http.StatusTooManyRequests || keysLeft <= 0 || !h.bal.Available(c, time.Now()) {
				break
			}
		}
	}
	rec.Attempts = q.attempts(tried, failed)
	if q.r.Context().Err() == nil && !q.admitted() {
		return
	}
	if shuttingDown(ctx) {
		rec.Status, rec.Error = http.StatusServiceUnavailable, errShutdown.Error()
		writeShutdown(w, q.in.format)
		return
	}
	if q.r.Context().Err() != nil {
		rec.Status, rec.Error = 499, "client disconnected"
		return
	}
	q.failAll(failed)
}

// errNoChannel means no channel is enabled at all.
type errNoChannel struct{}

func (errNoChannel) Error() string {
	return "Routex has no enabled channel: add one in the dashboard (or enable one) and try again"
}

// plan is a routing decision and the candidates in the order to try them.
type plan struct {
	// snap is the routing snapshot the plan was made from; it finds the
	// candidates' channels.
	snap     *snapshot
	summary  route.Summary
	decision route.Decision
	session  string
	// cands are the candidates in route order, before balancing.
	cands []balance.Candidate
	order []balance.Candidate
	// skipped are candidates left out because their account has nothing
	// left (see balance.SplitExhausted); the log lists them as attempts.
	skipped  []balance.Candidate
	stripped []byte // the body without its <routex-model> tag, when it had one
	// refused is set when the client pinned a channel that cannot serve:
	// the request is answered with it and sent nowhere.
	refused *refusal
}

// plan routes a request. explain asks for the reasons (the explain API);
// requests leave them out to stay cheap.
func (h *Handler) plan(in inbound, hdr http.Header, explain bool) plan {
	snap := h.routing.get(h.catalog.Catalog())
	// The body was validated by parseInbound (or by Explain). Routing that
	// reads no token counts or last-turn content gets the light summary.
	summarize := route.SummarizeValid
	if !explain && !snap.table.NeedsDetail() {
		summarize = route.SummarizeLight
	}
	p := plan{snap: snap, summary: summarize(in.format, in.model, in.body, hdr)}
	if in.format == protocol.Gemini {
		p.summary.Stream = in.stream // in Gemini's URL, not its body
	}
	p.decision = snap.table.Select(&p.summary, snap.known, explain)
	if p.summary.SystemTag != "" {
		if b, err := route.StripTag(in.format, in.body); err == nil {
			p.stripped = b
		}
	}
	p.session = route.SessionKey(&p.summary)
	if p.refused = snap.pinned(p.decision, in.model); p.refused != nil {
		if explain {
			p.decision.Reasons = append(p.decision.Reasons, "refused: "+p.refused.msg)
		}
		return p
	}
	strategy := p.decision.Strategy
	cands := snap.candidates(p.decision, in.format, in.model)
	p.cands = cands
	if explain {
		p.order = h.bal.Preview(strategy, cands, p.session, time.Now())
	} else {
		p.order = h.bal.Order(strategy, cands, p.session, time.Now())
	}
	p.order, p.skipped = h.bal.SplitExhausted(p.order)
	return p
}

// channel is a candidate's channel.
func (p *plan) channel(c balance.Candidate) *store.Channel { return p.snap.channel(c) }

// channelByID finds a candidate's channel, for redacting its keys.
func (p *plan) channelByID(id int64) *store.Channel {
	for _, c := range p.order {
		if c.ChannelID == id {
			return p.channel(c)
		}
	}
	return nil
}

// failure is what one failed attempt left behind.
type failure struct {
	channel   *store.Channel
	model     string
	status    int
	kind      protocol.ErrorKind
	message   string
	coolUntil time.Time
	latency   time.Duration
}

// skipped lists the candidates the request passed over because they were
// paused or rate-limited: those the route puts before the last one tried
// (the first n of plan.order) that were not tried themselves. A candidate
// the strategy merely ordered later is not listed, nor one after the
// channel that answered: no failover passed it.
func (h *Handler) skipped(p *plan, n int, now time.Time) []store.Attempt {
	if n == 0 || len(p.cands) < 2 {
		return nil
	}
	last := p.order[n-1]
	pos := slices.IndexFunc(p.cands, func(c balance.Candidate) bool { return sameTarget(c, last) })
	var out []store.Attempt
	for _, c := range p.cands[:max(pos, 0)] {
		if slices.ContainsFunc(p.order[:n], func(o balance.Candidate) bool { return sameTarget(o, c) }) {
			continue
		}
		why := h.bal.Why(c, now)
		if why.Reason == "" {
			continue
		}
		name := p.channel(c).Name
		a := store.Attempt{ChannelID: c.ChannelID, ChannelName: name, Model: c.Model, Skipped: why.Reason,
			Failures: why.Failures, Error: skipMessage(name, why)}
		if !why.Until.IsZero() {
			until := why.Until.UTC()
			a.Until = &until
		}
		out = append(out, a)
	}
	return out
}

// sameTarget reports whether two candidates are the same channel and model.
func sameTarget(a, b balance.Candidate) bool { return a.ChannelID == b.ChannelID && a.Model == b.Model }

// skipMessage says in English why a channel was passed over; the dashboard
// words it from the code.
func skipMessage(name string, s balance.Skip) string {
	switch s.Reason {
	case balance.SkipPaused:
		return fmt.Sprintf("channel %s skipped: paused after %d failures, until %s", name, s.Failures, s.Until.UTC().Format(time.TimeOnly))
	case balance.SkipRateLimited:
		return fmt.Sprintf("channel %s skipped: rate-limited until %s", name, s.Until.UTC().Format(time.TimeOnly))
	}
	return fmt.Sprintf("channel %s skipped: a probe request is testing whether it recovered", name)
}

func attemptsOf(fs []failure) []store.Attempt {
	if len(fs) == 0 {
		return nil
	}
	out := make([]store.Attempt, len(fs))
	for i, f := range fs {
		out[i] = store.Attempt{ChannelID: f.channel.ID, ChannelName: f.channel.Name, Model: f.model,
			Status: f.status, Error: f.message, LatencyMS: f.latency.Milliseconds()}
	}
	return out
}

// failAll answers when every candidate failed. The message leads with the
// failure whose status the client gets, in the provider's own words behind
// the channel name, and lists the others after it. Every one rate-limited
// gives 429 with the earliest retry time; otherwise the last status seen
// (502 when none).
func (q *request) failAll(failed []failure) {
	w, rec := q.w, &q.rec
	status, kind := http.StatusBadGateway, protocol.APIError
	allLimited := len(failed) > 0
	var soonest time.Time
	lead := len(failed) - 1
	for i, f := range failed {
		if f.status != http.StatusTooManyRequests {
			allLimited = false
		} else if !f.coolUntil.IsZero() && (soonest.IsZero() || f.coolUntil.Before(soonest)) {
			soonest = f.coolUntil
		}
		if f.status > 0 {
			status, kind, lead = f.status, f.kind, i
		} else if f.kind == protocol.Timeout {
			status, kind, lead = http.StatusGatewayTimeout, protocol.Timeout, i
		}
	}
	if allLimited {
		status, kind = http.StatusTooManyRequests, protocol.RateLimit
		if !soonest.IsZero() {
			secs := int(time.Until(soonest).Seconds() + 0.999)
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		}
	}
	if status < 400 {
		status, kind = http.StatusBadGateway, protocol.APIError
	}
	msg := "no channel could answer"
	if len(failed) > 0 {
		msg = failed[lead].message
	}
	if len(failed) > 1 {
		others := make([]string, 0, len(failed)-1)
		for i, f := range failed {
			if i != lead {
				others = append(others, f.message)
			}
		}
		msg = fmt.Sprintf("%s (all %d attempts failed; the others: %s)", msg, len(failed), strings.Join(others, "; "))
	}
	rec.Status, rec.Error = status, msg
	if last := failed; len(last) > 0 {
		rec.ChannelID, rec.ChannelName = last[len(last)-1].channel.ID, last[len(last)-1].channel.Name
	}
	writeError(w, q.in.format, status, kind, msg)
}

// isCountTokens reports whether the request only counts tokens.
func (in inbound) isCountTokens() bool { return in.op == provider.OpCountTokens }

func (h *Handler) finish(rec store.RequestLog) {
	rec.ClientModel, rec.UpstreamModel = clipModel(rec.ClientModel), clipModel(rec.UpstreamModel)
	h.log.Info("request done", "format", rec.Format, "channel", rec.ChannelName, "model", rec.ClientModel,
		"upstream_model", rec.UpstreamModel, "scenario", rec.Scenario, "status", rec.Status, "stream", rec.Stream,
		"latency_ms", rec.LatencyMS, "ttft_ms", rec.TTFTMS, "attempts", len(rec.Attempts)+1, "error", rec.Error)
	if h.opts.Recorder != nil {
		h.opts.Recorder.Record(rec)
	}
}
