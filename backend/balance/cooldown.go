package balance

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxCooldown caps any wait an upstream asks for: past an hour the number is
// more likely a bug (or a daily quota) than a reason to park a channel.
const maxCooldown = time.Hour

// CooldownFromHeaders reads how long a rate-limited upstream asks us to wait,
// as the time to come back. An explicit retry-after-ms or retry-after
// (seconds or an HTTP date) wins; otherwise the latest reset among the limits
// that are used up: anthropic-ratelimit-{requests,tokens,input-tokens,
// output-tokens}-reset (RFC 3339) and OpenAI's x-ratelimit-reset-{requests,
// tokens} (durations such as "1s", "6m0s", "20ms"). A reset counts when its
// matching -remaining header is "0" or absent. The wait is capped at one hour;
// a time in the past means now. ok is false when no header says anything.
func CooldownFromHeaders(h http.Header, now time.Time) (time.Time, bool) {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && ms >= 0 {
			return capWait(now, time.Duration(ms*float64(time.Millisecond))), true
		}
	}
	if v := strings.TrimSpace(h.Get("retry-after")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return capWait(now, time.Duration(s*float64(time.Second))), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return capWait(now, t.Sub(now)), true
		}
	}
	var latest time.Time
	found := false
	consider := func(t time.Time) {
		if !found || t.After(latest) {
			latest, found = t, true
		}
	}
	for _, limit := range [...]string{"requests", "tokens", "input-tokens", "output-tokens"} {
		if !exhausted(h, "anthropic-ratelimit-"+limit+"-remaining") {
			continue
		}
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(h.Get("anthropic-ratelimit-"+limit+"-reset"))); err == nil {
			consider(t)
		}
	}
	for _, limit := range [...]string{"requests", "tokens"} {
		if !exhausted(h, "x-ratelimit-remaining-"+limit) {
			continue
		}
		if d, err := time.ParseDuration(strings.TrimSpace(h.Get("x-ratelimit-reset-" + limit))); err == nil && d >= 0 {
			consider(now.Add(d))
		}
	}
	if !found {
		return time.Time{}, false
	}
	return capWait(now, latest.Sub(now)), true
}

// exhausted reports whether a -remaining header says the limit is used up;
// an absent header does not say otherwise.
func exhausted(h http.Header, name string) bool {
	v := strings.TrimSpace(h.Get(name))
	return v == "" || v == "0"
}

// capWait returns now+d with d clamped to [0, maxCooldown].
func capWait(now time.Time, d time.Duration) time.Time {
	return now.Add(min(max(d, 0), maxCooldown))
}

// retryIn finds "try again in 20s", "retry in 13.36s", "retry after 2
// seconds" and the like in an error message. Compiled once, never changed.
var retryIn = regexp.MustCompile(`(?i)(?:try again|retry)\s+(?:in|after)\s+((?:\d+(?:\.\d+)?\s*(?:milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|h)\s*)+)`)

// retryPart is one number and unit inside a retryIn match.
var retryPart = regexp.MustCompile(`(?i)(\d+(?:\.\d+)?)\s*(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|h)`)

// CooldownFromBody reads the wait an error body asks for, for upstreams that
// do not say it in headers: Gemini's google.rpc.RetryInfo
// (error.details[].retryDelay, "13s"; the body may be an array of errors) and
// messages such as OpenAI's "Please try again in 20s" or Gemini's "Please
// retry in 13.36s". Capped at one hour; ok is false when the body says
// nothing.
func CooldownFromBody(body []byte, now time.Time) (time.Time, bool) {
	if d, ok := retryDelay(body); ok {
		return capWait(now, d), true
	}
	m := retryIn.FindSubmatch(body)
	if m == nil {
		return time.Time{}, false
	}
	var total time.Duration
	for _, p := range retryPart.FindAllSubmatch(m[1], -1) {
		v, err := strconv.ParseFloat(string(p[1]), 64)
		if err != nil {
			continue
		}
		total += time.Duration(v * float64(unit(string(p[2]))))
	}
	return capWait(now, total), true
}

// unit maps a unit word of retryPart to its duration.
func unit(u string) time.Duration {
	switch u = strings.ToLower(u); {
	case u == "ms" || strings.HasPrefix(u, "milli"):
		return time.Millisecond
	case u == "m" || strings.HasPrefix(u, "min"):
		return time.Minute
	case u == "h" || strings.HasPrefix(u, "hour"):
		return time.Hour
	}
	return time.Second
}

// googleError is the part of a Gemini error body that carries RetryInfo.
type googleError struct {
	Error struct {
		Details []struct {
			RetryDelay string `json:"retryDelay"`
		} `json:"details"`
	} `json:"error"`
}

// retryDelay reads error.details[].retryDelay from a Gemini error body, or
// from the first element of an array of them (streaming replies).
func retryDelay(body []byte) (time.Duration, bool) {
	body = bytes.TrimSpace(body)
	if !bytes.Contains(body, []byte("retryDelay")) {
		return 0, false
	}
	var errs []googleError
	if len(body) > 0 && body[0] == '[' {
		if json.Unmarshal(body, &errs) != nil {
			return 0, false
		}
	} else {
		var one googleError
		if json.Unmarshal(body, &one) != nil {
			return 0, false
		}
		errs = append(errs, one)
	}
	for _, e := range errs {
		for _, d := range e.Error.Details {
			if v, err := time.ParseDuration(strings.TrimSpace(d.RetryDelay)); err == nil && v >= 0 {
				return v, true
			}
		}
	}
	return 0, false
}
