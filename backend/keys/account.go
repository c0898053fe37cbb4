package keys

import (
	"context"
	"time"

	"github.com/routex-app/routex/backend/store"
)

// maxPending caps the usage kept while the database refuses writes, so an
// outage cannot grow memory without bound; the oldest is dropped, loudly.
const maxPending = 100_000

// Tokens is what a request counts against a tokens-per-minute limit: its
// input, cache writes and output. Cache reads are left out, as Anthropic
// leaves them out of its own input limits: a coding agent re-reads a long
// cached prompt on every turn.
func Tokens(rec store.RequestLog) int64 {
	return rec.InputTokens + rec.CacheWriteTokens + rec.OutputTokens
}

// Account queues a finished request's tokens and cost for its key's
// counters; the writer started by Run adds them, at once if it is idle.
// Records of requests Admit did not admit are ignored. It never blocks.
func (s *Service) Account(rec store.RequestLog) {
	if rec.KeyID == 0 || !rec.KeyAdmitted {
		return
	}
	at := rec.Time.Add(time.Duration(rec.LatencyMS) * time.Millisecond)
	if rec.Time.IsZero() {
		at = s.now()
	}
	s.mu.Lock()
	if len(s.pending) >= maxPending {
		s.pending = s.pending[1:]
		s.log.Error("key usage dropped: the database has refused it for too long", "key_id", rec.KeyID)
	}
	s.pending = append(s.pending, store.KeyUse{KeyID: rec.KeyID, At: at, Tokens: Tokens(rec), CostUSD: rec.CostUSD})
	s.queued++
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // the writer is already due
	}
}

// Run writes queued usage until ctx ends: each write takes everything
// queued so far in one transaction, so under load writes batch up by
// themselves and when idle a request is counted one round trip after it
// finished. A failed write keeps its usage for the next one. Call Flush
// after Run returns to write what is left.
func (s *Service) Run(ctx context.Context) {
	backoff := 50 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		if err := s.Flush(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("key usage not written yet; retrying", "error", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Second)
			select {
			case s.wake <- struct{}{}:
			default:
			}
			continue
		}
		backoff = 50 * time.Millisecond
	}
}

// Flush writes the queued usage now. On failure the usage stays queued,
// ahead of what comes later, for the next Flush.
func (s *Service) Flush(ctx context.Context) error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	batch, upTo := s.pending, s.queued
	s.pending = nil
	s.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := s.st.AddKeyUsage(ctx, batch); err != nil {
		s.mu.Lock()
		s.pending = append(batch, s.pending...)
		if over := len(s.pending) - maxPending; over > 0 {
			s.pending = s.pending[over:]
		}
		s.mu.Unlock()
		return err
	}
	s.mu.Lock()
	s.written = max(s.written, upTo)
	close(s.flushed)
	s.flushed = make(chan struct{})
	s.mu.Unlock()
	return nil
}

// settleLimit bounds Settle: with the database slow or down, a request
// waits no longer for its usage to be written.
const settleLimit = 2 * time.Second

// Settle waits until the usage queued so far (that of the request that
// calls it, which Account queued) is in the counters, or settleLimit
// passes. The proxy calls it before a request of a key ends, so the same
// client's next request on that connection is checked against counters
// that include this one: a budget then overshoots by at most the requests
// in flight at once, not by what a busy client sends while the write is
// on its way. Under load, the waits of many requests share one write.
func (s *Service) Settle(ctx context.Context) {
	s.mu.Lock()
	target := s.queued
	s.mu.Unlock()
	timer := time.NewTimer(settleLimit)
	defer timer.Stop()
	for {
		s.mu.Lock()
		done, ch := s.written >= target, s.flushed
		s.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		case <-timer.C:
			s.log.Warn("key usage not written in time; the next request may pass a spent budget", "waited", settleLimit)
			return
		}
	}
}
