package balance

import (
	"net/http"
	"testing"
	"time"
)

func TestCooldownFromHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers map[string]string
		want    time.Duration // since t0
		ok      bool
	}{
		{"retry-after in seconds", map[string]string{"Retry-After": "20"}, 20 * time.Second, true},
		{"retry-after as an HTTP date", map[string]string{"Retry-After": t0.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{"retry-after-ms", map[string]string{"retry-after-ms": "1500"}, 1500 * time.Millisecond, true},
		{"retry-after-ms wins over retry-after", map[string]string{"retry-after-ms": "250", "Retry-After": "1"}, 250 * time.Millisecond, true},
		{"retry-after wins over reset headers", map[string]string{"Retry-After": "5",
			"anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": t0.Add(time.Minute).Format(time.RFC3339)}, 5 * time.Second, true},
		{"anthropic requests reset when none remain", map[string]string{
			"anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": t0.Add(40 * time.Second).Format(time.RFC3339)}, 40 * time.Second, true},
		{"anthropic input tokens reset when none remain", map[string]string{
			"anthropic-ratelimit-input-tokens-remaining": "0", "anthropic-ratelimit-input-tokens-reset": t0.Add(12 * time.Second).Format(time.RFC3339)}, 12 * time.Second, true},
		{"anthropic output tokens reset when none remain", map[string]string{
			"anthropic-ratelimit-output-tokens-remaining": "0", "anthropic-ratelimit-output-tokens-reset": t0.Add(8 * time.Second).Format(time.RFC3339)}, 8 * time.Second, true},
		{"anthropic reset of a limit with quota left is ignored", map[string]string{
			"anthropic-ratelimit-requests-remaining": "49", "anthropic-ratelimit-requests-reset": t0.Add(time.Minute).Format(time.RFC3339),
			"anthropic-ratelimit-tokens-remaining": "0", "anthropic-ratelimit-tokens-reset": t0.Add(10 * time.Second).Format(time.RFC3339)}, 10 * time.Second, true},
		{"the latest of several exhausted limits", map[string]string{
			"anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": t0.Add(50 * time.Second).Format(time.RFC3339),
			"anthropic-ratelimit-tokens-remaining": "0", "anthropic-ratelimit-tokens-reset": t0.Add(10 * time.Second).Format(time.RFC3339)}, 50 * time.Second, true},
		{"openai requests reset as a duration", map[string]string{
			"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6m0s"}, 6 * time.Minute, true},
		{"openai tokens reset in milliseconds", map[string]string{
			"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "20ms"}, 20 * time.Millisecond, true},
		{"openai reset with fractional seconds", map[string]string{"x-ratelimit-reset-requests": "1.5s"}, 1500 * time.Millisecond, true},
		{"openai reset of a limit with quota left is ignored", map[string]string{
			"x-ratelimit-remaining-requests": "12", "x-ratelimit-reset-requests": "1s"}, 0, false},
		{"waits are capped at one hour", map[string]string{"Retry-After": "86400"}, time.Hour, true},
		{"a date in the past means now", map[string]string{"Retry-After": t0.Add(-time.Minute).Format(http.TimeFormat)}, 0, true},
		{"garbage says nothing", map[string]string{"Retry-After": "soon", "x-ratelimit-reset-tokens": "later"}, 0, false},
		{"no headers say nothing", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			got, ok := CooldownFromHeaders(h, t0)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && !got.Equal(t0.Add(tt.want)) {
				t.Errorf("until t0+%v, want t0+%v", got.Sub(t0), tt.want)
			}
		})
	}
}

func TestCooldownFromBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want time.Duration
		ok   bool
	}{
		{"gemini RetryInfo", `{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED",
			"details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},
			{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"13s"}]}}`, 13 * time.Second, true},
		{"gemini RetryInfo with fractions", `{"error":{"details":[{"retryDelay":"1.250s"}]}}`, 1250 * time.Millisecond, true},
		{"gemini errors in a stream array", `[{"error":{"code":429,"details":[{"retryDelay":"7s"}]}}]`, 7 * time.Second, true},
		{"openai try again in seconds", `{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 30000, Requested 100. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits","type":"tokens","code":"rate_limit_exceeded"}}`, 20 * time.Second, true},
		{"openai try again in milliseconds", `{"error":{"message":"Please try again in 120ms."}}`, 120 * time.Millisecond, true},
		{"openai try again in minutes and seconds", `{"error":{"message":"Please try again in 6m0s."}}`, 6 * time.Minute, true},
		{"openai try again with fractional seconds", `{"error":{"message":"Please try again in 1.5s."}}`, 1500 * time.Millisecond, true},
		{"a message in words", `{"error":{"message":"Too many requests, please retry after 30 seconds"}}`, 30 * time.Second, true},
		{"gemini message with retry in", `{"error":{"message":"Quota exceeded. Please retry in 13.36s."}}`, 13360 * time.Millisecond, true},
		{"waits are capped at one hour", `{"error":{"details":[{"retryDelay":"86400s"}]}}`, time.Hour, true},
		{"a body without a wait says nothing", `{"error":{"message":"rate limited"}}`, 0, false},
		{"an empty body says nothing", ``, 0, false},
		{"a broken body with retryDelay falls back to the message", `{"retryDelay": oops, try again in 2s`, 2 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := CooldownFromBody([]byte(tt.body), t0)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && !got.Equal(t0.Add(tt.want)) {
				t.Errorf("until t0+%v, want t0+%v", got.Sub(t0), tt.want)
			}
		})
	}
}
