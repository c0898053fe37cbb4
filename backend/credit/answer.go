package credit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// answerError says why an answer cannot be read at all: no answer, a
// refused key, another HTTP error. nil for a 2xx answer.
func answerError(req Request, a Answer) error {
	host := hostOf(req.URL)
	if a.Err != nil {
		var ne interface{ Timeout() bool } // net.Error, without importing net
		if errors.Is(a.Err, context.DeadlineExceeded) || errors.As(a.Err, &ne) && ne.Timeout() {
			return fmt.Errorf("%s did not answer in time", host)
		}
		return fmt.Errorf("could not reach %s: %v", host, a.Err)
	}
	switch {
	case a.Status == 401 || a.Status == 403:
		return fmt.Errorf("%s refused the key (HTTP %d): check the channel's API key%s", host, a.Status, detail(a.Body))
	case a.Status >= 300 && a.Status < 400:
		return fmt.Errorf("%s answered with a redirect (HTTP %d): check the query's URL", host, a.Status)
	case a.Status < 200 || a.Status >= 300:
		return fmt.Errorf("%s answered HTTP %d%s", host, a.Status, detail(a.Body))
	}
	return nil
}

// detail is ": message" from a JSON error body, else "".
func detail(body []byte) string {
	if !gjson.ValidBytes(body) {
		return ""
	}
	for _, p := range []string{"error.message", "message", "error", "msg"} {
		if v := gjson.GetBytes(body, p); v.Type == gjson.String && v.Str != "" {
			s := v.Str
			if len(s) > 200 {
				s = s[:200] + "…"
			}
			return ": " + s
		}
	}
	return ""
}

// jsonBody checks that an answer is a JSON document and says what it is
// when not: an HTML page (a login wall, a wrong URL) or something else.
func jsonBody(req Request, a Answer) (gjson.Result, error) {
	t := bytes.TrimSpace(a.Body)
	if len(t) == 0 {
		return gjson.Result{}, fmt.Errorf("%s answered with an empty body", hostOf(req.URL))
	}
	if !gjson.ValidBytes(t) {
		if t[0] == '<' {
			return gjson.Result{}, fmt.Errorf("%s answered with an HTML page, not JSON: check the query's URL", hostOf(req.URL))
		}
		return gjson.Result{}, fmt.Errorf("%s did not answer with JSON", hostOf(req.URL))
	}
	return gjson.ParseBytes(t), nil
}

// amount reads a number a provider may send as a JSON number or a numeric
// string ("110.00"). A missing field or JSON null is nil; anything else
// that is not a number is an error naming the field.
func amount(v gjson.Result, name string) (*float64, error) {
	switch v.Type {
	case gjson.Null:
		return nil, nil
	case gjson.Number:
		f := v.Num
		return &f, nil
	case gjson.String:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str), 64)
		if err != nil {
			return nil, fmt.Errorf("%s is %q, not a number", name, truncate(v.Str))
		}
		return &f, nil
	}
	return nil, fmt.Errorf("%s is %s, not a number", name, truncate(v.Raw))
}

// number converts what an expression returned into a float.
func number(v any, name string) (*float64, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		return &x, nil
	case float32:
		f := float64(x)
		return &f, nil
	case int:
		f := float64(x)
		return &f, nil
	case int64:
		f := float64(x)
		return &f, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("%s is %q, not a number", name, truncate(string(x)))
		}
		return &f, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return nil, fmt.Errorf("%s is %q, not a number", name, truncate(x))
		}
		return &f, nil
	case bool:
		return nil, fmt.Errorf("%s is %v, not a number", name, x)
	}
	return nil, fmt.Errorf("%s is %s, not a number", name, truncate(fmt.Sprint(v)))
}

// resetTime reads a reset time: an RFC 3339 string, unix seconds or
// milliseconds, or a period ("daily", "weekly", "monthly": the next UTC
// midnight, Monday, first of the month — OpenRouter's key limits).
func resetTime(v any, now time.Time) (time.Time, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, nil
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return time.Time{}, nil
		}
		if t, ok := nextPeriod(s, now); ok {
			return t, nil
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return unixTime(f)
		}
		return time.Time{}, fmt.Errorf("reset time %q is neither a date (RFC 3339) nor a unix time", truncate(s))
	}
	f, err := number(v, "reset time")
	if err != nil || f == nil {
		return time.Time{}, err
	}
	return unixTime(*f)
}

func unixTime(f float64) (time.Time, error) {
	if math.IsNaN(f) || f <= 0 || f > 1e14 {
		return time.Time{}, fmt.Errorf("reset time %g is not a unix time", f)
	}
	if f > 1e11 { // milliseconds
		return time.UnixMilli(int64(f)).UTC(), nil
	}
	return time.Unix(int64(f), 0).UTC(), nil
}

// nextPeriod is the next UTC reset of a daily, weekly (Monday) or monthly
// limit.
func nextPeriod(p string, now time.Time) (time.Time, bool) {
	d := now.UTC().Truncate(24 * time.Hour)
	switch strings.ToLower(p) {
	case "daily":
		return d.AddDate(0, 0, 1), true
	case "weekly":
		days := (8 - int(d.Weekday())) % 7
		if days == 0 {
			days = 7
		}
		return d.AddDate(0, 0, days), true
	case "monthly":
		y, m, _ := d.Date()
		return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

func hostOf(raw string) string {
	s := raw
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "the provider"
	}
	return s
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func ptr[T any](v T) *T { return &v }
