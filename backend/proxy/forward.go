package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/provider"
	"github.com/routex-app/routex/backend/store"
)

// Causes of a cancelled upstream call, told apart with context.Cause.
var (
	errFirstByteTimeout = errors.New("upstream sent no response in time")
	errIdleTimeout      = errors.New("upstream went silent in the middle of the response")
)

// maxErrorBody caps how much of an upstream error body is read.
const maxErrorBody = 64 << 10

// forward sends in to the chosen channel and streams the answer back.
func (h *Handler) forward(w http.ResponseWriter, r *http.Request, in inbound) {
	start := time.Now()
	rec := store.RequestLog{
		Time: start, Format: string(in.format), ClientModel: in.model, Stream: in.stream,
		UserAgent: r.UserAgent(),
	}
	defer func() {
		rec.LatencyMS = time.Since(start).Milliseconds()
		h.finish(rec)
	}()

	c, err := pick(h.catalog.Catalog(), in.format, in.model)
	if err != nil {
		rec.Status, rec.Error = http.StatusServiceUnavailable, err.Error()
		writeError(w, in.format, rec.Status, protocol.APIError, err.Error())
		return
	}
	ch := c.channel
	rec.ChannelID, rec.ChannelName, rec.UpstreamModel, rec.UpstreamFormat = ch.ID, ch.Name, c.model, ch.Type

	if in.op == provider.OpCountTokens && protocol.Format(ch.Type) != protocol.Anthropic {
		h.countLocally(w, in, &rec)
		return
	}
	up, err := h.prepare(in, c)
	if err != nil {
		rec.Status, rec.Error = http.StatusBadRequest, err.Error()
		writeError(w, in.format, rec.Status, protocol.InvalidRequest, err.Error())
		return
	}

	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, up.url, bytes.NewReader(up.body))
	if err != nil {
		rec.Status, rec.Error = http.StatusBadGateway, err.Error()
		writeError(w, in.format, rec.Status, protocol.APIError,
			fmt.Sprintf("channel %s: base_url %q does not make a valid URL: %v", ch.Name, ch.BaseURL, err))
		return
	}
	if up.converted() {
		convertedRequestHeaders(req.Header, r.Header)
	} else {
		copyRequestHeaders(req.Header, r.Header)
	}
	setChannelAuth(req.Header, ch)

	firstByte := h.opts.Timeouts.FirstByte()
	if ch.TimeoutMS > 0 {
		firstByte = time.Duration(ch.TimeoutMS) * time.Millisecond
	}
	timer := time.AfterFunc(firstByte, func() { cancel(errFirstByteTimeout) })
	resp, err := h.client.Do(req)
	timer.Stop()
	if err != nil {
		h.failBeforeResponse(w, r, in, ch, ctx, err, &rec)
		return
	}
	defer resp.Body.Close()
	rec.Status = resp.StatusCode

	if resp.StatusCode >= 400 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		msg := protocol.UpstreamMessage(raw)
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		rec.Error = msg
		copyRetryHeaders(w.Header(), resp.Header)
		writeError(w, in.format, resp.StatusCode, protocol.KindForStatus(resp.StatusCode),
			fmt.Sprintf("channel %s (upstream %d): %s", ch.Name, resp.StatusCode, msg))
		return
	}

	if up.converted() {
		h.respondConverted(w, r, resp, ctx, cancel, up, start, &rec)
		return
	}
	copyResponseHeaders(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	res := relay(w, resp, cancel, h.opts.Timeouts.Idle(), start)
	rec.TTFTMS = res.firstByte.Milliseconds()
	if res.err == nil {
		return
	}
	if r.Context().Err() != nil {
		rec.Error = "client disconnected"
		return
	}
	cause := context.Cause(ctx)
	if cause == nil || errors.Is(cause, context.Canceled) {
		cause = res.err
	}
	rec.Error = cause.Error()
	h.log.Warn("upstream failed mid-response", "channel", ch.Name, "error", cause)
	if !res.sse {
		// Headers and part of a body are out; the only honest signal left
		// is to abort the connection, so the client sees a truncated reply
		// rather than a complete-looking one.
		panic(http.ErrAbortHandler)
	}
	writeStreamError(w, in.format, res.atBoundary,
		fmt.Sprintf("channel %s: %v", ch.Name, cause))
}

// failBeforeResponse answers when no upstream response arrived at all.
func (h *Handler) failBeforeResponse(w http.ResponseWriter, r *http.Request, in inbound, ch *store.Channel,
	ctx context.Context, err error, rec *store.RequestLog) {
	if r.Context().Err() != nil {
		rec.Status, rec.Error = 499, "client disconnected"
		return
	}
	status, kind := http.StatusBadGateway, protocol.APIError
	var msg string
	var netErr net.Error
	switch {
	case errors.Is(context.Cause(ctx), errFirstByteTimeout):
		status, kind = http.StatusGatewayTimeout, protocol.Timeout
		msg = fmt.Sprintf("channel %s: %v; raise the channel's timeout_ms if the model is slow", ch.Name, errFirstByteTimeout)
	case errors.As(err, &netErr) && netErr.Timeout():
		status, kind = http.StatusGatewayTimeout, protocol.Timeout
		msg = fmt.Sprintf("channel %s: connecting to %s timed out; check base_url and your network", ch.Name, ch.BaseURL)
	default:
		msg = fmt.Sprintf("channel %s: cannot reach %s: %v; check base_url and your network", ch.Name, ch.BaseURL, unwrapURLError(err))
	}
	rec.Status, rec.Error = status, msg
	h.log.Warn("upstream unreachable", "channel", ch.Name, "error", err)
	writeError(w, in.format, status, kind, msg)
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

func (h *Handler) finish(rec store.RequestLog) {
	h.log.Info("request done", "format", rec.Format, "channel", rec.ChannelName, "model", rec.ClientModel,
		"upstream_model", rec.UpstreamModel, "status", rec.Status, "stream", rec.Stream,
		"latency_ms", rec.LatencyMS, "ttft_ms", rec.TTFTMS, "error", rec.Error)
	if h.opts.Recorder != nil {
		h.opts.Recorder.Record(rec)
	}
}
