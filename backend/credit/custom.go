package credit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/tidwall/gjson"
)

// Query is a channel's balance query as stored and edited. Off turns the
// built-in query off; a URL makes it a custom query. Values in URL,
// Headers and Body may name {{key}} (the channel's API key), {{base_url}}
// (its base URL) and {{origin}} (the base URL's scheme and host).
//
// Remaining, Used, Available and ResetAt are expressions over the JSON
// answer: a gjson path ("data.available_balance",
// "balance_infos.0.total_balance") or, when no such path is in the answer,
// an expr expression whose variables are the answer's top-level fields and
// whose "body" is the whole answer ("data.total_credits -
// data.total_usage"). Unit is written as is ("USD"); UnitPath reads it from
// the answer instead. Scale divides the amounts (Novita counts in
// 1/10000 USD: scale 10000).
type Query struct {
	Off       bool              `json:"off,omitempty"`
	URL       string            `json:"url,omitempty"`
	Method    string            `json:"method,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      string            `json:"body,omitempty"`
	Remaining string            `json:"remaining,omitempty"`
	Used      string            `json:"used,omitempty"`
	Available string            `json:"available,omitempty"`
	ResetAt   string            `json:"reset_at,omitempty"`
	Unit      string            `json:"unit,omitempty"`
	UnitPath  string            `json:"unit_path,omitempty"`
	Scale     float64           `json:"scale,omitempty"`
}

// ParseQuery reads a stored query; empty means the built-in one. It
// refuses a query that could never work, so the channel editor can say so
// at save time.
func ParseQuery(raw json.RawMessage) (Query, error) {
	var q Query
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return q, nil
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return q, fmt.Errorf("balance query: %w", err)
	}
	return q, q.Validate()
}

// Validate checks a custom query: an http(s) URL, a method, something to
// read, expressions that compile, a positive scale.
func (q Query) Validate() error {
	if q.Off || q.URL == "" && q.Remaining == "" && q.Used == "" {
		return nil
	}
	var errs []error
	u, err := url.Parse(strings.ReplaceAll(strings.ReplaceAll(q.URL, "{{base_url}}", "http://x"), "{{origin}}", "http://x"))
	if q.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, errors.New("url must be an http:// or https:// URL (it may start with {{base_url}} or {{origin}})"))
	}
	switch strings.ToUpper(q.Method) {
	case "", "GET", "POST":
	default:
		errs = append(errs, fmt.Errorf("method %q must be GET or POST", q.Method))
	}
	if q.Remaining == "" && q.Used == "" && q.Available == "" {
		errs = append(errs, errors.New("say what to read: remaining, used or available"))
	}
	for name, e := range map[string]string{"remaining": q.Remaining, "used": q.Used, "available": q.Available, "reset_at": q.ResetAt} {
		if e == "" || looksLikePath(e) {
			continue
		}
		if _, err := expr.Compile(e); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is neither a JSON path nor an expression: %v", name, e, firstLine(err)))
		}
	}
	if q.Scale < 0 {
		errs = append(errs, errors.New("scale must be positive"))
	}
	for k := range q.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			errs = append(errs, fmt.Errorf("header name %q is not valid", k))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("balance query: %w", err)
	}
	return nil
}

// spec plans a custom query for an account.
func (q Query) spec(a Account) (Spec, error) {
	base := strings.TrimRight(strings.TrimSpace(a.BaseURL), "/")
	origin := base
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		origin = u.Scheme + "://" + u.Host
	}
	fill := strings.NewReplacer("{{key}}", a.Key, "{{base_url}}", base, "{{origin}}", origin).Replace
	r := Request{Method: strings.ToUpper(q.Method), URL: fill(q.URL), Header: map[string]string{"Accept": "application/json"}}
	if r.Method == "" {
		r.Method = "GET"
	}
	if q.Body != "" {
		r.Body = fill(q.Body)
		r.Header["Content-Type"] = "application/json"
	}
	for k, v := range q.Headers {
		r.Header[k] = fill(v)
	}
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Spec{}, fmt.Errorf("balance query: url %q is not an http(s) URL", r.URL)
	}
	return Spec{Provider: "custom", Requests: []Request{r}, parse: func(ans []Answer, now time.Time) (Result, error) {
		return q.read(r, ans[0], now)
	}}, nil
}

// read evaluates the query's expressions over one answer.
func (q Query) read(req Request, a Answer, now time.Time) (Result, error) {
	doc, err := jsonBody(req, a)
	if err != nil {
		return Result{}, err
	}
	ev := evaluator{doc: doc}
	r := Result{Unit: q.Unit}
	for _, f := range []struct {
		name, expr string
		dst        **float64
	}{{"remaining", q.Remaining, &r.Remaining}, {"used", q.Used, &r.Used}} {
		if f.expr == "" {
			continue
		}
		v, err := ev.eval(f.expr, f.name)
		if err != nil {
			return Result{}, err
		}
		if v == nil {
			return Result{}, fmt.Errorf("the answer has nothing at %s (%s)", f.expr, f.name)
		}
		n, err := number(v, f.name)
		if err != nil {
			return Result{}, err
		}
		if q.Scale > 0 && n != nil {
			n = ptr(*n / q.Scale)
		}
		*f.dst = n
	}
	if q.Available != "" {
		v, err := ev.eval(q.Available, "available")
		if err != nil {
			return Result{}, err
		}
		b, ok := v.(bool)
		if !ok {
			return Result{}, fmt.Errorf("available is %s, not true or false", truncate(fmt.Sprint(v)))
		}
		r.Available = &b
	}
	if q.ResetAt != "" {
		v, err := ev.eval(q.ResetAt, "reset_at")
		if err != nil {
			return Result{}, err
		}
		if r.ResetAt, err = resetTime(v, now); err != nil {
			return Result{}, err
		}
	}
	if q.UnitPath != "" {
		v, err := ev.eval(q.UnitPath, "unit")
		if err != nil {
			return Result{}, err
		}
		s, ok := v.(string)
		if !ok {
			return Result{}, fmt.Errorf("the unit at %s is %s, not text", q.UnitPath, truncate(fmt.Sprint(v)))
		}
		r.Unit = s
	}
	return r, nil
}

// evaluator reads expressions over one JSON answer.
type evaluator struct {
	doc gjson.Result
	env map[string]any
}

// eval reads a gjson path when the answer has it, else runs e as an expr
// expression. nil means no value.
func (ev *evaluator) eval(e, name string) (any, error) {
	if v := ev.doc.Get(e); v.Exists() {
		return value(v), nil
	}
	if looksLikePath(e) && !couldBeExpr(e) {
		return nil, nil
	}
	if ev.env == nil {
		ev.env = map[string]any{}
		if m, ok := ev.doc.Value().(map[string]any); ok {
			for k, v := range m {
				ev.env[k] = v
			}
		}
		ev.env["body"] = ev.doc.Value()
	}
	out, err := expr.Eval(e, ev.env)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %v", name, e, firstLine(err))
	}
	return out, nil
}

// value is a gjson value as Go data: numbers stay exact as json.Number.
func value(v gjson.Result) any {
	switch v.Type {
	case gjson.Null:
		return nil
	case gjson.Number:
		return json.Number(v.Raw)
	case gjson.String:
		return v.Str
	case gjson.True, gjson.False:
		return v.Bool()
	}
	return v.Value()
}

// looksLikePath reports whether e can be a gjson path: no spaces, no
// operators gjson does not use.
func looksLikePath(e string) bool {
	return !strings.ContainsAny(e, " +-*/()<>!=&|") || strings.Contains(e, "#(")
}

// couldBeExpr reports whether a path-like e is also an expr expression
// (a bare identifier chain such as data.balance): gjson's numeric segments
// ("list.0.x") and modifiers are not.
func couldBeExpr(e string) bool {
	for _, seg := range strings.Split(e, ".") {
		if seg == "" || seg[0] >= '0' && seg[0] <= '9' || strings.ContainsAny(seg, "#@*?\\") {
			return false
		}
	}
	return true
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
