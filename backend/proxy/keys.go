package proxy

import (
	"context"
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
// sent: only the channels the key may use stay candidates, and the key's
// limits must admit the request (counted from then on). A token count
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
	if q.in.isCountTokens() {
		if !keys.AllowsModel(k, q.in.model) {
			q.refuse(keys.ModelRefusal(k, q.in.model))
			return false
		}
		return true
	}
	if ref := q.h.opts.Keys.Admit(q.r.Context(), k, q.in.model); ref != nil {
		q.refuse(ref)
		return false
	}
	rec.KeyAdmitted = true
	return true
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
