package channeltest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/routex-app/routex/backend/logging"
	"github.com/routex-app/routex/backend/protocol"
)

// judge turns an answered exchange into a verdict and a note. OK means
// "nothing wrong found"; Test decides between ok and slow.
func (t *tester) judge(x exchange, model string, listed []string) (Verdict, Note) {
	msg := upstreamMessage(x.body)
	status := strconv.Itoa(x.status)
	switch {
	case x.status == 401 || x.status == 403:
		return AuthFailed, authNote(x)
	case x.status == 404 || ((x.status == 400 || x.status == 422) && mentionsModel(msg, model)):
		if mentionsModel(msg, model) || (len(listed) > 0 && !slices.Contains(listed, model)) {
			return NotFound, unknownModel(model, listed, msg)
		}
		n := note("no_endpoint", "url", logging.RedactURL(redactQuery(x.url)))
		n.Hint = t.baseHint()
		return NotFound, n
	case x.status == 429:
		return Failed, note("rate_limited", "detail", detail(msg))
	case x.status >= 500:
		return Failed, note("provider_failed", "status", status, "detail", detail(msg))
	case x.status/100 != 2:
		return Failed, note("refused", "status", status, "detail", detail(msg))
	case x.err != nil:
		return Failed, note("cut_off", "error", x.err.Error())
	}
	if ct := x.header.Get("Content-Type"); strings.Contains(ct, "text/html") || bytes.HasPrefix(bytes.TrimSpace(x.body), []byte("<")) {
		n := note("html", "detail", detail(protocol.HTMLTitle(x.body)), "base_url", logging.RedactURL(t.ch.BaseURL))
		n.Hint = t.baseHint()
		return Failed, n
	}
	if event := streamError(x.body); event != "" {
		return Failed, note("stream_error", "detail", detail(event))
	}
	if problem := t.replyProblem(x); problem != "" {
		// What the proxy would refuse too: it fails over from such a 200.
		return Failed, note("bad_reply", "status", status, "problem", problem)
	}
	return OK, Note{}
}

// replyProblem judges a 2xx answer as the proxy does before relaying one:
// an empty body, text, or JSON that is not the channel's format (for a
// stream, in its first event) is wrong.
func (t *tester) replyProblem(x exchange) string {
	f := protocol.Format(t.ch.Type)
	if x.stream {
		first, _, _ := bytes.Cut(x.body, []byte("\n"))
		if len(x.body) == 0 {
			return "an empty stream"
		}
		if err := protocol.CheckEvent(f, first); err != nil {
			return err.Error()
		}
		return ""
	}
	if verdict, err := protocol.CheckReply(f, x.body, true); verdict == protocol.ReplyBad {
		return err.Error()
	}
	return ""
}

// authNote says the key was refused, with the provider's reason.
func authNote(x exchange) Note {
	return note("auth", "status", strconv.Itoa(x.status), "detail", detail(upstreamMessage(x.body)))
}

// unknownModel names the model that does not exist and some that do.
func unknownModel(model string, listed []string, msg string) Note {
	if len(listed) > 0 {
		some := listed[:min(len(listed), 8)]
		return note("unknown_model_list", "model", model, "detail", detail(msg), "models", strings.Join(some, ", "))
	}
	return note("unknown_model", "model", model, "detail", detail(msg))
}

// versionPath matches a version segment at the end of an OpenAI-compatible
// base URL: /v1, /v4, /v1beta, /api/paas/v4, /openai/v1.
var versionPath = regexp.MustCompile(`/v\d+[a-z0-9]*/?$`)

// baseHint names the hint on how the channel's base_url should look for
// its type.
func (t *tester) baseHint() string {
	base := t.ch.BaseURL
	switch t.ch.Type {
	case "openai":
		if !versionPath.MatchString(base) {
			return "openai_v1"
		}
		return "openai_check"
	case "openai-responses":
		if !versionPath.MatchString(base) {
			return "responses_v1"
		}
		return "responses_check"
	case "anthropic":
		if strings.HasSuffix(strings.TrimRight(base, "/"), "/messages") {
			return "anthropic_no_messages"
		}
		return "anthropic_check"
	}
	return "gemini_check"
}

// unreachable fills res for a request that got no HTTP answer.
func (t *tester) unreachable(res Result, x exchange) Result {
	res.Verdict = Unreachable
	host := t.ch.BaseURL
	if u, err := url.Parse(t.ch.BaseURL); err == nil && u.Host != "" {
		host = u.Host
	}
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
	var nerr net.Error
	var n Note
	switch err := x.err; {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()):
		n = note("timeout", "host", host, "after", human(t.opts.Timeout))
	case errors.As(err, &dns):
		n = note("dns", "name", dns.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		n = note("conn_refused", "host", host)
	case errors.As(err, &record) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		// net/http turns the TLS record error into an untyped one.
		n = note("tls_http", "host", host)
	case errors.As(err, &cert) || errors.As(err, &unknownAuth) || errors.As(err, &hostname):
		n = note("tls_untrusted", "host", host, "error", err.Error())
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		n = note("conn_reset", "host", host)
	case errors.Is(err, context.Canceled):
		n = note("cancelled")
	default:
		n = note("unreachable", "host", host, "error", err.Error())
	}
	res.setNote(n)
	return res
}

// upstreamMessage extracts the provider's error message from a body in any
// of the three formats, else a short excerpt of the text.
func upstreamMessage(body []byte) string {
	var doc struct {
		Error    json.RawMessage `json:"error"`
		Message  string          `json:"message"`
		Response *struct {
			Error json.RawMessage `json:"error"`
		} `json:"response"` // a Responses stream's response.failed
	}
	if json.Unmarshal(body, &doc) == nil {
		var inner, failed struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(doc.Error, &inner) == nil && inner.Message != "":
			return excerpt(inner.Message)
		case doc.Response != nil && json.Unmarshal(doc.Response.Error, &failed) == nil && failed.Message != "":
			return excerpt(failed.Message)
		case json.Unmarshal(doc.Error, &s) == nil && s != "":
			return excerpt(s)
		case doc.Message != "":
			return excerpt(doc.Message)
		}
		return ""
	}
	if len(body) > 0 && body[0] == '<' {
		return "" // an HTML page says nothing useful here
	}
	return excerpt(string(body))
}

// streamError finds an error event among a stream's data lines: an
// upstream may answer 200 and then send {"type":"error",…} or {"error":…}.
func streamError(data []byte) string {
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, `"error"`) {
			continue
		}
		if m := upstreamMessage([]byte(line)); m != "" {
			return m
		}
	}
	return ""
}

// mentionsModel reports whether an error message is about the model.
func mentionsModel(msg, model string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "model") || (model != "" && strings.Contains(m, strings.ToLower(model)))
}

func detail(msg string) string {
	if msg == "" {
		return ""
	}
	return " (" + msg + ")"
}

func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

// redactQuery drops a URL's query: never print anything a key could hide in.
func redactQuery(u string) string {
	base, _, _ := strings.Cut(u, "?")
	return base
}
