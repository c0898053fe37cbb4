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
	s.mu.Unlock()
	s.wakeWriter()
}

// wakeWriter tells the writer there is usage to write.
func (s *Service) wakeWriter() {
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
	batch := s.pending
	s.pending = nil
	w := s.startWrite(batch)
	s.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := s.st.AddKeyUsage(ctx, batch)
	s.endWrite(w, batch, err == nil)
	return err
}

// flyingUse is a use whose write is under way, and which write.
type flyingUse struct {
	write uint64
	use   store.KeyUse
}

// startWrite marks uses, just taken out of pending, as being written by a
// new write, and returns its number. Call with s.mu held.
func (s *Service) startWrite(uses []store.KeyUse) uint64 {
	if len(uses) == 0 {
		return 0
	}
	s.writes++
	for _, u := range uses {
		s.flying[u.KeyID] = append(s.flying[u.KeyID], flyingUse{write: s.writes, use: u})
	}
	return s.writes
}

// endWrite ends write w of uses: written, they are forgotten; failed
// (nothing of it written), they go back to pending, ahead of what came
// later, for the next write. Either way, awaitUsage's waiters look again.
func (s *Service) endWrite(w uint64, uses []store.KeyUse, written bool) {
	if len(uses) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range uses {
		fl := s.flying[u.KeyID]
		if len(fl) == 0 {
			continue // this key's entries of w are already gone
		}
		kept := fl[:0]
		for _, f := range fl {
			if f.write != w {
				kept = append(kept, f)
			}
		}
		if len(kept) == 0 {
			delete(s.flying, u.KeyID)
		} else {
			s.flying[u.KeyID] = kept
		}
	}
	if !written {
		s.pending = append(append([]store.KeyUse(nil), uses...), s.pending...)
		if over := len(s.pending) - maxPending; over > 0 {
			s.pending = s.pending[over:]
			s.log.Error("key usage dropped: the database has refused it for too long", "uses", over)
		}
	}
	close(s.settled)
	s.settled = make(chan struct{})
}

// admit asks the database to admit a request of key id, taking the key's
// pending usage along (written in the check's round trip: the writer
// cannot take it meanwhile) and, with unsettled, adding the key's usage
// whose write is under way to the counters the check reads. A failed
// check gives its usage back to the writer.
func (s *Service) admit(ctx context.Context, id int64, now time.Time, unsettled bool) (store.Admission, error) {
	var q store.AdmitQuery
	s.mu.Lock()
	for i, u := range s.pending {
		if u.KeyID != id {
			continue
		}
		// Split pending into this key's uses and the rest.
		rest := append([]store.KeyUse(nil), s.pending[:i]...)
		for _, u := range s.pending[i:] {
			if u.KeyID == id {
				q.Write = append(q.Write, u)
			} else {
				rest = append(rest, u)
			}
		}
		if len(q.Write) > store.MaxAdmitWrite {
			// A backlog (the database refused writes a while): the
			// writer takes it; the first check counts it as unwritten,
			// the second goes on without it (as after settleLimit).
			if unsettled {
				q.Unsettled = q.Write
			}
			q.Write = nil
			break
		}
		s.pending = rest
		break
	}
	if unsettled {
		for _, f := range s.flying[id] {
			q.Unsettled = append(q.Unsettled, f.use)
		}
	}
	w := s.startWrite(q.Write)
	s.mu.Unlock()
	a, err := s.st.AdmitKeyWith(ctx, id, now, q)
	s.endWrite(w, q.Write, err == nil)
	if err != nil && len(q.Write) > 0 {
		s.wakeWriter()
	}
	return a, err
}

// settleLimit bounds how long Admit waits for a key's earlier usage to be
// written: with the database slow or down, the request goes on (and the
// check itself will likely fail).
const settleLimit = 2 * time.Second

// awaitUsage waits until no write of key id's usage is under way, or
// settleLimit passes. Admit calls it only when the key's check refused
// with that usage counted as unwritten (Admission.Unsure), then checks
// again against counters that hold it: a budget therefore overshoots by
// at most the requests in flight at once (plus, across instances, what
// another instance has not yet written: one write, a round trip).
func (s *Service) awaitUsage(ctx context.Context, id int64) {
	timer := time.NewTimer(settleLimit)
	defer timer.Stop()
	for {
		s.mu.Lock()
		done, ch := len(s.flying[id]) == 0, s.settled
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
