package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/protocol/convert"
	"github.com/routex-app/routex/backend/protocol/tokens"
	"github.com/routex-app/routex/backend/store"
)

// maxReplyBody caps a non-streamed upstream reply that Routex must decode.
const maxReplyBody = 64 << 20

// respondConverted answers a converted request from the upstream's
// successful response: decoded and re-encoded whole when not streamed,
// event by event when streamed.
func (q *request) respondConverted(ctx context.Context, resp *http.Response, up *upstream) {
	w, rec, capt := q.w, &q.rec, q.capt
	start := rec.Time
	opts := protocol.EncodeOptions{Model: up.clientModel, IncludeUsage: up.includeUsage}
	copyRetryHeaders(w.Header(), resp.Header)
	body := resp.Body

	if !up.stream {
		raw, err := io.ReadAll(io.LimitReader(body, maxReplyBody))
		if err != nil {
			q.failReading(ctx, up, err)
			return
		}
		out, usage, err := convert.Response(raw, up.to, up.from, up.req, opts, up.editResponse)
		if err != nil {
			status, kind, msg := replyFailure(rec.ChannelName, err)
			rec.Status, rec.Error = status, msg
			writeError(w, up.from, status, kind, msg)
			return
		}
		recordUsage(rec, usage)
		rec.TTFTMS = max(1, time.Since(start).Milliseconds())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(out)
		capt.Write(out)
		rec.ResponseBytes = int64(len(out))
		return
	}

	opts.EstimatedInputTokens = tokens.RequestQuick(up.req)
	cs, err := convert.NewStream(up.to, up.from, up.req, opts)
	if err != nil {
		rec.Status, rec.Error = http.StatusInternalServerError, err.Error()
		writeError(w, up.from, rec.Status, protocol.APIError, err.Error())
		return
	}
	if !up.chain.Empty() {
		cs.Filter(up.chain.NewStream())
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(b []byte) bool {
		if len(b) == 0 {
			return true
		}
		if rec.TTFTMS == 0 {
			rec.TTFTMS = max(1, time.Since(start).Milliseconds())
		}
		if _, err := w.Write(b); err != nil {
			return false
		}
		capt.Write(b)
		rec.ResponseBytes += int64(len(b))
		return rc.Flush() == nil
	}
	defer func() {
		recordUsage(rec, cs.Usage())
		if kind, msg := cs.Err(); kind != "" && rec.Error == "" {
			rec.Error = string(kind) + ": " + msg
		}
	}()

	if !isEventStream(resp.Header) {
		// Some upstreams ignore stream:true and answer whole; replay the
		// answer as a stream so the client still gets one.
		raw, err := io.ReadAll(io.LimitReader(body, maxReplyBody))
		if err != nil {
			send(cs.Fail(nil, protocol.APIError, h2s(rec.ChannelName, readCause(ctx, err))))
			return
		}
		out, err := cs.Replay(nil, raw)
		if err != nil {
			_, kind, msg := replyFailure(rec.ChannelName, err)
			out = cs.Fail(out, kind, msg)
		}
		send(out)
		return
	}

	events := protocol.NewSSEReader(body)
	buf := make([]byte, 0, 4096)
	for {
		ev, err := events.Next()
		if errors.Is(err, io.EOF) {
			send(cs.Finish(buf[:0]))
			return
		}
		if err != nil {
			if q.r.Context().Err() != nil {
				rec.Error = "client disconnected"
				return
			}
			cause := readCause(ctx, err)
			q.h.log.Warn("upstream failed mid-stream", "channel", rec.ChannelName, "error", cause)
			rec.Error = cause.Error()
			send(cs.Fail(buf[:0], protocol.APIError, h2s(rec.ChannelName, cause)))
			return
		}
		buf, err = cs.Event(buf[:0], ev)
		if err != nil {
			q.h.log.Warn("upstream sent a malformed stream event", "channel", rec.ChannelName, "error", err)
			rec.Error = err.Error()
			send(cs.Fail(buf, protocol.APIError, h2s(rec.ChannelName, err)))
			return
		}
		if !send(buf) {
			rec.Error = "client disconnected"
			return
		}
	}
}

// failReading answers a non-streamed reply that broke while being read.
func (q *request) failReading(ctx context.Context, up *upstream, err error) {
	rec := &q.rec
	if q.r.Context().Err() != nil {
		rec.Error = "client disconnected"
		return
	}
	cause := readCause(ctx, err)
	rec.Status, rec.Error = http.StatusBadGateway, cause.Error()
	writeError(q.w, up.from, rec.Status, protocol.APIError, h2s(rec.ChannelName, cause))
}

// readCause prefers the reason Routex cancelled the call (an idle timeout)
// over the read error it caused.
func readCause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
		return c
	}
	return err
}

func h2s(channel string, err error) string { return fmt.Sprintf("channel %s: %v", channel, err) }

// replyFailure describes a reply Routex could not convert. An error the
// upstream reported in it keeps the provider's words and the status of its
// kind; anything else is Routex's own 502.
func replyFailure(channel string, err error) (int, protocol.ErrorKind, string) {
	var ue *protocol.UpstreamError
	if errors.As(err, &ue) {
		return protocol.StatusForKind(ue.Kind), ue.Kind, "channel " + channel + ": " + ue.Message
	}
	return http.StatusBadGateway, protocol.APIError, h2s(channel, err)
}

func recordUsage(rec *store.RequestLog, u protocol.Usage) {
	rec.InputTokens, rec.OutputTokens = int64(u.InputTokens), int64(u.OutputTokens)
	rec.CacheReadTokens, rec.CacheWriteTokens = int64(u.CacheReadTokens), int64(u.CacheWriteTokens)
	rec.UsageEstimated = u.Estimated
}

// idleReader cancels the upstream call when one Read waits longer than d.
// The clock runs only inside Read, so a slow client never counts as a
// silent upstream.
type idleReader struct {
	r      io.Reader
	d      time.Duration
	cancel context.CancelCauseFunc
	timer  *time.Timer
}

func (i *idleReader) Read(p []byte) (int, error) {
	if i.timer == nil {
		i.timer = time.AfterFunc(i.d, func() { i.cancel(errIdleTimeout) })
	} else {
		i.timer.Reset(i.d)
	}
	n, err := i.r.Read(p)
	i.timer.Stop()
	return n, err
}

func (i *idleReader) stop() {
	if i.timer != nil {
		i.timer.Stop()
	}
}
