package protocol

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
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
		{"responses bad request, in OpenAI's envelope", Responses, 400,
			`{"error":{"code":"invalid_request_error","message":"slow down","type":"invalid_request_error"}}`},
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
		{"plain text is trimmed", "  bad\n gateway \n", "bad\n gateway"},
		{"html page says nothing", "<html><body>502</body></html>", ""},
		// Claude Code recovers from an overlong prompt by matching the
		// provider's wording and reading the numbers in it: nothing folded,
		// nothing cut, however long.
		{"a provider's message is kept word for word", `{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum\n` +
			strings.Repeat("details ", 100) + `"}}`, "prompt is too long: 210000 tokens > 200000 maximum\n" + strings.Repeat("details ", 100)},
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

func TestStatusForKindInvertsKindForStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 402, 403, 404, 413, 429, 500, 504, 529} {
		if got := StatusForKind(KindForStatus(status)); got != status {
			t.Errorf("StatusForKind(KindForStatus(%d)) = %d", status, got)
		}
	}
}

func TestUpstreamMessageCutsOnlyPlainText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 3000) // 6000 bytes of two-byte runes
	got := UpstreamMessage([]byte(long))
	if len(got) > maxTextMessage+len("…") || !strings.HasSuffix(got, "…") {
		t.Fatalf("plain text of %d bytes came back as %d bytes", len(long), len(got))
	}
	if !utf8.ValidString(got) {
		t.Fatal("the cut split a rune")
	}
}

func TestFitID(t *testing.T) {
	t.Parallel()
	short := "user-42"
	if got := FitID(short, 64); got != short {
		t.Errorf("a short id changed: %q", got)
	}
	long := strings.Repeat("x", 150)
	a, b := FitID(long, 64), FitID(long, 64)
	if a != b || len(a) > 64 || len(a) < 6 || a == long {
		t.Errorf("FitID(150 chars) = %q, %q: want one stable stand-in of 6 to 64 characters", a, b)
	}
	if FitID(long+"y", 64) == a {
		t.Error("two ids gave the same stand-in")
	}
}
