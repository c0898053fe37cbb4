package proxy

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/routex-app/routex/backend/balance"
	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// KeyChecker checks keys per person, accepted on /v1 wherever the access
// key is; *keys.Service implements it. The proxy asks it twice: who a
// presented secret belongs to, and, once the request is routed, whether
// the key may send it now. What the request used is counted afterwards,
// through the Recorder (store.RequestLog.KeyID, KeyAdmitted).
type KeyChecker interface {
	Lookup(secret string) (*store.APIKey, *keys.Refusal)
	Admit(ctx context.Context, k *store.APIKey, model string) *keys.Refusal
}

// keyContext carries the key per person a request presented.
type keyContext struct{}

// keyOf is the key per person r presented, nil for the access key.
func keyOf(r *http.Request) *store.APIKey {
	k, _ := r.Context().Value(keyContext{}).(*store.APIKey)
	return k
}

// keyRequest looks for a key per person among the credentials r presents.
// It returns r carrying the key when one is found and usable; handled
// without a request when it refused the key itself (revoked, expired); and
// neither when r presents no such key, for the caller's 401.
func (h *Handler) keyRequest(w http.ResponseWriter, r *http.Request, f protocol.Format) (kr *http.Request, handled bool) {
	if h.opts.Keys == nil {
		return nil, false
	}
	for _, got := range presentedKeys(r) {
		if !keys.LooksLikeKey(got) {
			continue
		}
		k, ref := h.opts.Keys.Lookup(got)
		if ref != nil {
			writeRefusal(w, f, ref)
			return nil, true
		}
		if k != nil {
			return r.WithContext(context.WithValue(r.Context(), keyContext{}, k)), true
		}
	}
	return nil, false
}

// admitKey runs a key's checks on a routed request before anything is
// sent: only the channels the key may use stay candidates, and the model
// must be allowed (both local). The key's limits, which the shared
// database judges (and which count the request from then on), are asked
// beside the upstream attempt (startAdmission): the verdict is awaited
// before the first byte of a reply reaches the client, before another
// candidate is tried, and before any answer of Routex's own. A key whose
// last check here refused it is judged before anything is sent, so only
// the requests already under way when a key turns refused reach the
// provider. A token count
// costs nothing and is counted nowhere: it only has to be for an allowed
// model. It returns false when it answered the client itself.
func (q *request) admitKey() bool {
	k := keyOf(q.r)
	if k == nil {
		return true
	}
	p, rec := &q.plan, &q.rec
	rec.KeyID, rec.KeyName = k.ID, k.Name
	if len(k.Channels) > 0 && len(p.order) > 0 {
		allowed := make([]balance.Candidate, 0, len(p.order))
		var wanted []string
		for _, c := range p.order {
			if name := p.channel(c).Name; keys.AllowsChannel(k, name) {
				allowed = append(allowed, c)
			} else {
				wanted = append(wanted, name)
			}
		}
		if len(allowed) == 0 {
			q.refuse(keys.ChannelRefusal(k, wanted))
			return false
		}
		p.order = allowed
	}
	if !keys.AllowsModel(k, q.in.model) {
		q.refuse(keys.ModelRefusal(k, q.in.model))
		return false
	}
	if q.in.isCountTokens() {
		return true
	}
	q.startAdmission(k)
	if _, refusedLast := q.h.refusedKeys.Load(k.ID); refusedLast {
		// A key refused a moment ago is likely refused again: judge it
		// before sending, so a client retrying a spent key does not
		// reach the provider with every try.
		return q.admitted()
	}
	return true
}

// errKeyRefused is the cause of an upstream attempt cut because the
// request's key was refused while it was under way: Routex cut it, so the
// channel is not held to it.
var errKeyRefused = errors.New("the request's key was refused")

// admission is the database's check of a key running beside the upstream
// attempt, so a key costs the longer of the check and the upstream's first
// byte rather than their sum. ref is set before done is closed.
type admission struct {
	keyID int64
	done  chan struct{}
	ref   *keys.Refusal
	// settled and answered are the request goroutine's: the verdict was
	// taken (KeyAdmitted set), and the refusal was answered.
	settled, answered bool
}

// startAdmission asks the database to admit the request of key k, in its
// own goroutine. Its context is the client's, as when it was asked first.
func (q *request) startAdmission(k *store.APIKey) {
	a := &admission{keyID: k.ID, done: make(chan struct{})}
	q.adm = a
	ctx, model, checker := q.r.Context(), q.in.model, q.h.opts.Keys
	go func() {
		defer close(a.done)
		a.ref = checker.Admit(ctx, k, model)
	}()
}

// verdict waits for the admission, if one runs, and returns its refusal;
// nil when admitted (then the log row says so, for the usage count).
func (q *request) verdict() *keys.Refusal {
	a := q.adm
	if a == nil {
		return nil
	}
	<-a.done
	if !a.settled {
		a.settled = true
		q.rec.KeyAdmitted = a.ref == nil
		if a.ref != nil {
			q.h.refusedKeys.Store(a.keyID, struct{}{})
		} else {
			q.h.refusedKeys.Delete(a.keyID)
		}
	}
	return a.ref
}

// admitted waits for the admission and reports whether the request may
// go on. A refused request is answered as if it had never been sent: the
// refusal, and a log row without the channel or attempts it reached.
func (q *request) admitted() bool {
	ref := q.verdict()
	if ref == nil {
		return true
	}
	if !q.adm.answered {
		q.adm.answered = true
		rec := &q.rec
		rec.ChannelID, rec.ChannelName, rec.UpstreamModel, rec.UpstreamFormat = 0, "", "", ""
		rec.Attempts, rec.TTFTMS = nil, 0
		q.refuse(ref)
	}
	return false
}

// keyRefused reports whether the request was answered with its key's
// refusal.
func (q *request) keyRefused() bool { return q.adm != nil && q.adm.answered }

// cancelOnRefusal cuts an attempt (cancel, with errKeyRefused) as soon as
// the admission refuses, so a refused request stops using the provider.
// Call the returned func when the attempt ends.
func (a *admission) cancelOnRefusal(cancel context.CancelCauseFunc) (stop func()) {
	quit := make(chan struct{})
	go func() {
		select {
		case <-a.done:
			if a.ref != nil {
				cancel(errKeyRefused)
			}
		case <-quit:
		}
	}()
	return func() { close(quit) }
}

// refuse answers a refused key and notes it in the request's log row.
func (q *request) refuse(ref *keys.Refusal) {
	q.rec.Status, q.rec.Error = ref.Status, ref.Message
	writeRefusal(q.w, q.in.format, ref)
}

// writeRefusal answers a refused key in the client's format, with the
// headers that say which limit and when it resets.
func writeRefusal(w http.ResponseWriter, f protocol.Format, ref *keys.Refusal) {
	ref.Headers(w.Header(), time.Now())
	writeError(w, f, ref.Status, ref.Kind, ref.Message)
}
