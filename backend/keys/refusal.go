package keys

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/routex-app/routex/backend/protocol"
	"github.com/routex-app/routex/backend/store"
)

// Limit names in refusals (the X-Routex-Limit header), beyond the store's.
const (
	LimitModel   = "model"
	LimitChannel = "channel"
	LimitCheck   = "check" // the database did not answer the check
)

// Refusal is why a key per person may not send a request, as the client
// is told: the status, the error kind, which limit, a message that says
// what happened and what to do, and when the limit resets.
//
// Statuses: 429 for requests and tokens per minute (with Retry-After: the
// minute's end, at most 60 s away; Claude Code and the SDKs retry a 429
// on their own); 402 for a spent daily or monthly budget (Anthropic's
// billing_error), which no client retries on its own, since waiting hours
// for the next day is the user's decision, not a retry loop's; 403 for a
// revoked or expired key or a model or channel the key may not use; 401
// for a deleted key; 503 when the database could not be asked.
type Refusal struct {
	Status  int
	Kind    protocol.ErrorKind
	Limit   string
	Message string
	ResetAt time.Time
	// Retry says whether the same request can succeed later without an
	// admin's help; sent as x-should-retry, which the Anthropic and
	// OpenAI SDKs obey.
	Retry bool
}

func (r *Refusal) Error() string { return r.Message }

// Headers sets the refusal's response headers: Retry-After (seconds to
// the reset), x-should-retry, and X-Routex-Limit with X-Routex-Limit-Reset
// (RFC 3339) naming the limit.
func (r *Refusal) Headers(h http.Header, now time.Time) {
	h.Set("X-Routex-Limit", r.Limit)
	if !r.ResetAt.IsZero() && r.ResetAt.After(now) {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(r.ResetAt.Sub(now).Seconds()))))
		h.Set("X-Routex-Limit-Reset", r.ResetAt.UTC().Format(time.RFC3339))
	}
	h.Set("X-Should-Retry", strconv.FormatBool(r.Retry))
}

// refuse turns the store's refusal into the client's.
func refuse(k *store.APIKey, a store.Admission, now time.Time) *Refusal {
	who := fmt.Sprintf("Routex key %q (%s…)", k.Name, k.Prefix)
	switch a.Reason {
	case store.KeyRevoked:
		return &Refusal{Status: http.StatusForbidden, Kind: protocol.Permission, Limit: a.Reason,
			Message: who + " was revoked; ask your Routex admin for a new key"}
	case store.KeyExpired:
		return &Refusal{Status: http.StatusForbidden, Kind: protocol.Permission, Limit: a.Reason,
			Message: fmt.Sprintf("%s expired at %s; ask your Routex admin to extend it or for a new key",
				who, a.ResetAt.UTC().Format("2006-01-02 15:04 UTC"))}
	case store.KeyMissing:
		return &Refusal{Status: http.StatusUnauthorized, Kind: protocol.Authentication, Limit: a.Reason,
			Message: who + " no longer exists; ask your Routex admin for a new key"}
	case store.LimitRPM, store.LimitTPM:
		what := "requests"
		if a.Reason == store.LimitTPM {
			what = "tokens"
		}
		return &Refusal{Status: http.StatusTooManyRequests, Kind: protocol.RateLimit, Limit: a.Reason,
			ResetAt: a.ResetAt, Retry: true,
			Message: fmt.Sprintf("%s reached its limit of %s %s per minute (%s used); it resets at %s",
				who, count(a.Limit), what, count(a.Used), resetText(a.ResetAt, now))}
	case store.LimitDaily, store.LimitMonthly:
		what := "daily"
		if a.Reason == store.LimitMonthly {
			what = "monthly"
		}
		return &Refusal{Status: http.StatusPaymentRequired, Kind: protocol.Billing, Limit: a.Reason,
			ResetAt: a.ResetAt,
			Message: fmt.Sprintf("%s has spent its %s budget of $%.2f ($%.2f used); it resets at %s, or ask your Routex admin to raise it",
				who, what, a.Limit, a.Used, resetText(a.ResetAt, now))}
	}
	// Admitted by neither statement nor refused by any limit: the counters
	// moved between the two reads twice. Rare; ask again shortly.
	return &Refusal{Status: http.StatusTooManyRequests, Kind: protocol.RateLimit, Limit: LimitCheck,
		ResetAt: now.Add(time.Second), Retry: true, Message: who + " is at one of its limits; try again in a moment"}
}

// ModelRefusal says which models k may use.
func ModelRefusal(k *store.APIKey, model string) *Refusal {
	return &Refusal{Status: http.StatusForbidden, Kind: protocol.Permission, Limit: LimitModel,
		Message: fmt.Sprintf("Routex key %q may not use model %q; it may use %s", k.Name, model,
			strings.Join(k.Models, ", "))}
}

// ChannelRefusal says that none of the channels a request would go to is
// one k may use.
func ChannelRefusal(k *store.APIKey, wanted []string) *Refusal {
	return &Refusal{Status: http.StatusForbidden, Kind: protocol.Permission, Limit: LimitChannel,
		Message: fmt.Sprintf("Routex key %q may only be served by channel %s; this request would go to %s",
			k.Name, strings.Join(k.Channels, ", "), strings.Join(wanted, ", "))}
}

// unavailable is the answer when the database could not be asked: the
// limits cannot be checked, so nothing is sent.
func unavailable(k *store.APIKey) *Refusal {
	return &Refusal{Status: http.StatusServiceUnavailable, Kind: protocol.APIError, Limit: LimitCheck,
		Retry: true, ResetAt: time.Now().Add(time.Second),
		Message: fmt.Sprintf("Routex could not check the limits of key %q: its database did not answer; try again", k.Name)}
}

// resetText is "12:35:00 UTC (in 23s)".
func resetText(at, now time.Time) string {
	in := at.Sub(now).Round(time.Second)
	layout := "15:04:05 UTC"
	if in >= 24*time.Hour || at.UTC().YearDay() != now.UTC().YearDay() {
		layout = "2006-01-02 15:04 UTC"
	}
	return fmt.Sprintf("%s (in %s)", at.UTC().Format(layout), in)
}

// count prints a whole number without a decimal point.
func count(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
