// Package credit knows how to ask a provider what an account has left — its
// prepaid balance, or what remains of a plan's limit — and how to read the
// answer: built-in queries for providers that publish a balance endpoint,
// and user-defined ones (URL, headers with the channel's key, expressions
// over the JSON answer) for the rest.
//
// The package does no I/O. Plan turns a channel into the HTTP requests to
// send; the caller sends them (with its own client, timeouts and
// redirects refused) and hands the answers to Spec.Parse, which reads them
// into a Result or says clearly why it could not. Assess then tells a
// usable balance from a low or exhausted one. An answer that cannot be read
// is an error, and an error is "unknown", never "exhausted": a provider that
// changed its format must not take a working channel out of service.
package credit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
)

// Account is what a query needs of a channel.
type Account struct {
	// BaseURL is the channel's base URL: it tells a built-in provider by
	// its host and fills {{base_url}} and {{origin}} in a custom query.
	BaseURL string
	// Key is the channel's (first) API key, sent as the provider expects.
	Key string
	// Query is the channel's stored balance query: empty for the built-in
	// one of a known provider, {"off":true} for none, or a custom Query.
	Query json.RawMessage
}

// Request is one HTTP request of a query.
type Request struct {
	Method string
	URL    string
	Header map[string]string
	Body   string
	// Optional requests may fail without failing the query (OpenRouter's
	// account credits need a management key; the key's own limit does not).
	Optional bool
}

// Answer is what the caller got for one Request: the status and body, or
// the transport error (refused connection, timeout) when there was none.
type Answer struct {
	Status int
	Body   []byte
	Err    error
}

// Result is a balance as read from an answer. Remaining and Used are nil
// when the provider does not report them; Available is nil unless the
// provider says whether it accepts calls.
type Result struct {
	Remaining *float64
	Used      *float64
	Unit      string
	Available *bool
	ResetAt   time.Time
}

// Spec is a planned query: the requests to send and how to read their
// answers.
type Spec struct {
	// Provider names the built-in query ("deepseek", "openrouter", …), or
	// "custom".
	Provider string
	// Docs is where the provider documents the endpoint ("" for custom).
	Docs     string
	Requests []Request
	parse    func(answers []Answer, now time.Time) (Result, error)
}

// Parse reads the answers, one per Request and in the same order, into a
// Result. Its errors are written for the user: what went wrong and, where
// it can, what to do.
func (s Spec) Parse(answers []Answer, now time.Time) (Result, error) {
	if len(answers) != len(s.Requests) {
		return Result{}, fmt.Errorf("%d answers for %d requests", len(answers), len(s.Requests))
	}
	for i, a := range answers {
		if s.Requests[i].Optional {
			continue
		}
		if err := answerError(s.Requests[i], a); err != nil {
			return Result{}, err
		}
	}
	r, err := s.parse(answers, now)
	if err != nil {
		return Result{}, err
	}
	if err := check(r); err != nil {
		return Result{}, err
	}
	r.Unit = normUnit(r.Unit)
	return r, nil
}

// ErrNoQuery means the channel has no balance query: its provider has no
// built-in one and the user set none (or turned it off).
var ErrNoQuery = errors.New("no balance query for this channel")

// Plan returns the query of an account: its custom Query, else the
// built-in query of its provider. ErrNoQuery when there is neither; any
// other error is a Query that cannot be used.
func Plan(a Account) (Spec, error) {
	q, err := ParseQuery(a.Query)
	if err != nil {
		return Spec{}, err
	}
	switch {
	case q.Off:
		return Spec{}, ErrNoQuery
	case q.URL != "":
		return q.spec(a)
	}
	base, err := url.Parse(strings.TrimSpace(a.BaseURL))
	if err != nil || base.Host == "" {
		return Spec{}, ErrNoQuery
	}
	for _, p := range builtins {
		if p.match(base) {
			return p.spec(base, a.Key), nil
		}
	}
	return Spec{}, ErrNoQuery
}

// Builtin names the built-in query a base URL gets, "" for none: the
// dashboard shows it in the channel editor.
func Builtin(baseURL string) (name, docs string) {
	base, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || base.Host == "" {
		return "", ""
	}
	for _, p := range builtins {
		if p.match(base) {
			return p.name, p.docs
		}
	}
	return "", ""
}

// maxAmount bounds believable amounts: a balance answer above a trillion
// units is a misread field (a timestamp, an id), not money.
const maxAmount = 1e12

// check refuses numbers no provider means: NaN, infinities, absurd sizes,
// a negative amount used.
func check(r Result) error {
	for _, f := range []struct {
		name string
		v    *float64
	}{{"remaining", r.Remaining}, {"used", r.Used}} {
		if f.v == nil {
			continue
		}
		switch v := *f.v; {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return fmt.Errorf("the provider's %s balance is not a number (%v)", f.name, v)
		case math.Abs(v) > maxAmount:
			return fmt.Errorf("the provider's %s balance %g is not believable: check the query's expression", f.name, v)
		}
	}
	if r.Used != nil && *r.Used < 0 {
		return fmt.Errorf("the provider reports a negative amount used (%g): check the query's expression", *r.Used)
	}
	return nil
}

// normUnit writes currency codes in capitals; other units stay as given.
func normUnit(u string) string {
	u = strings.TrimSpace(u)
	if len(u) == 3 && strings.ToUpper(u) == u || len(u) == 3 && isLetters(u) {
		return strings.ToUpper(u)
	}
	return u
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}
