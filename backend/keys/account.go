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
	s.lastQueued[rec.KeyID] = s.queued
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
	for k, seq := range s.lastQueued {
		if seq <= s.written {
			delete(s.lastQueued, k)
		}
	}
	close(s.flushed)
	s.flushed = make(chan struct{})
	s.mu.Unlock()
	return nil
}

// settleLimit bounds how long Admit waits for a key's earlier usage to be
// written: with the database slow or down, the request goes on (and the
// check itself will likely fail).
const settleLimit = 2 * time.Second

// awaitUsage waits until the usage this instance queued for key id is in
// the counters, or settleLimit passes. Admit calls it first, so a key's
// request is never checked here against counters that lack its earlier
// requests on this instance: a budget then overshoots by at most the
// requests in flight at once (plus, across instances, what another
// instance has not yet written: one write, a round trip). A request that
// arrives after the write, the usual case for a person at a keyboard,
// does not wait at all.
func (s *Service) awaitUsage(ctx context.Context, id int64) {
	s.mu.Lock()
	target := s.lastQueued[id]
	s.mu.Unlock()
	if target == 0 {
		return
	}
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
			s.log.Warn("key usage not written in time; checking the key against counters without it", "key_id", id, "waited", settleLimit)
			return
		}
	}
}
