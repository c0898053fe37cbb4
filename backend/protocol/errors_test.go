package protocol

import (
	"encoding/json"
	"testing"
)

func TestKindForStatus(t *testing.T) {
	t.Parallel()
	cases := map[int]ErrorKind{
		400: InvalidRequest, 401: Authentication, 402: Billing, 403: Permission, 404: NotFound,
		413: TooLarge, 429: RateLimit, 500: APIError, 502: APIError, 503: APIError,
		504: Timeout, 529: Overloaded, 422: InvalidRequest,
	}
	for status, want := range cases {
		if got := KindForStatus(status); got != want {
			t.Errorf("KindForStatus(%d) = %s, want %s", status, got, want)
		}
	}
}

func TestErrorBodyUsesEachFormatsEnvelope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		format Format
		status int
		want   string
	}{
		{"anthropic rate limit", Anthropic, 429,
			`{"error":{"message":"slow down","type":"rate_limit_error"},"type":"error"}`},
		{"openai server error", OpenAI, 500,
			`{"error":{"code":"api_error","message":"slow down","type":"server_error"}}`},
		{"gemini not found", Gemini, 404,
			`{"error":{"code":404,"message":"slow down","status":"NOT_FOUND"}}`},
		{"anthropic spent budget", Anthropic, 402,
			`{"error":{"message":"slow down","type":"billing_error"},"type":"error"}`},
		{"openai spent budget", OpenAI, 402,
			`{"error":{"code":"billing_error","message":"slow down","type":"insufficient_quota"}}`},
		{"gemini spent budget", Gemini, 402,
			`{"error":{"code":402,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}`},
		{"anthropic overloaded keeps 529's kind", Anthropic, 529,
			`{"error":{"message":"slow down","type":"overloaded_error"},"type":"error"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := ErrorBody(c.format, c.status, "", "slow down")
			if string(got) != c.want {
				t.Fatalf("got %s\nwant %s", got, c.want)
			}
			if !json.Valid(got) {
				t.Fatal("not JSON")
			}
		})
	}
}

func TestUpstreamMessage(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body, want string }{
		{"anthropic envelope", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "Overloaded"},
		{"openai envelope", `{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}`, "Incorrect API key"},
		{"gemini stream array", `[{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}]`, "quota"},
		{"plain error string", `{"error":"model not found"}`, "model not found"},
		{"plain text is trimmed and folded", "  bad\n gateway \n", "bad gateway"},
		{"html page says nothing", "<html><body>502</body></html>", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := UpstreamMessage([]byte(c.body)); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}
