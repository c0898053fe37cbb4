package channeltest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
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

// judge turns an answered exchange into a verdict and a message. OK means
// "nothing wrong found"; Test decides between ok and slow.
func (t *tester) judge(x exchange, model string, listed []string) (Verdict, string) {
	msg := upstreamMessage(x.body)
	switch {
	case x.status == 401 || x.status == 403:
		return AuthFailed, authMessage(x)
	case x.status == 404 || ((x.status == 400 || x.status == 422) && mentionsModel(msg, model)):
		if mentionsModel(msg, model) || (len(listed) > 0 && !slices.Contains(listed, model)) {
			return NotFound, unknownModel(model, listed, msg)
		}
		return NotFound, t.pathHint(x)
	case x.status == 429:
		return Failed, "the provider is rate limiting this key or its quota is used up (HTTP 429)" + detail(msg) +
			": check the plan and billing in the provider's console"
	case x.status >= 500:
		return Failed, fmt.Sprintf("the provider failed (HTTP %d)%s: try again later", x.status, detail(msg))
	case x.status/100 != 2:
		return Failed, fmt.Sprintf("the provider refused the test request (HTTP %d)%s", x.status, detail(msg))
	case x.err != nil:
		return Failed, "the answer was cut off: " + x.err.Error()
	}
	if ct := x.header.Get("Content-Type"); strings.Contains(ct, "text/html") || bytes.HasPrefix(bytes.TrimSpace(x.body), []byte("<")) {
		return Failed, "the answer is a web page, not an API response" + detail(protocol.HTMLTitle(x.body)) + ": base_url " +
			quote(logging.RedactURL(t.ch.BaseURL)) + " probably points at a website; " + t.baseHint()
	}
	if event := streamError(x.body); event != "" {
		return Failed, "the provider answered with an error" + detail(event)
	}
	if problem := t.replyProblem(x); problem != "" {
		// What the proxy would refuse too: it fails over from such a 200.
		return Failed, "the provider answered HTTP " + strconv.Itoa(x.status) + " with " + problem +
			", which Routex treats as a failure: check base_url and the channel's type"
	}
	return OK, ""
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

// authMessage says the key was refused, with the provider's reason.
func authMessage(x exchange) string {
	return fmt.Sprintf("the key was refused (HTTP %d)%s: check it in the provider's console", x.status,
		detail(upstreamMessage(x.body)))
}

// unknownModel names the model that does not exist and some that do.
func unknownModel(model string, listed []string, msg string) string {
	out := "the model " + quote(model) + " does not exist on this channel" + detail(msg)
	if len(listed) > 0 {
		some := listed[:min(len(listed), 8)]
		out += "; available models include " + strings.Join(some, ", ")
	}
	return out
}

// pathHint explains a 404 that is not about the model: the URL is wrong.
func (t *tester) pathHint(x exchange) string {
	return "nothing answers at " + logging.RedactURL(redactQuery(x.url)) + " (HTTP 404): " + t.baseHint()
}

// versionPath matches a version segment at the end of an OpenAI-compatible
// base URL: /v1, /v4, /v1beta, /api/paas/v4, /openai/v1.
var versionPath = regexp.MustCompile(`/v\d+[a-z0-9]*/?$`)

// baseHint says how the channel's base_url should look for its type.
func (t *tester) baseHint() string {
	base := t.ch.BaseURL
	switch t.ch.Type {
	case "openai":
		if !versionPath.MatchString(base) {
			return "base_url should end with /v1 for OpenAI-compatible providers (e.g. https://api.openai.com/v1); Routex adds /chat/completions"
		}
		return "check base_url: Routex adds /chat/completions to it"
	case "openai-responses":
		if !versionPath.MatchString(base) {
			return "base_url should end with /v1 for the Responses API (e.g. https://api.openai.com/v1); Routex adds /responses"
		}
		return "check base_url: Routex adds /responses to it"
	case "anthropic":
		if strings.HasSuffix(strings.TrimRight(base, "/"), "/messages") {
			return "base_url should stop before /v1/messages (e.g. https://api.anthropic.com); Routex adds it"
		}
		return "check base_url: it is the API root without /v1 (e.g. https://api.anthropic.com); Routex adds /v1/messages"
	}
	return "check base_url: it is the API root (e.g. https://generativelanguage.googleapis.com); Routex adds /v1beta/models/…"
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
	switch err := x.err; {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()):
		res.Message = "no answer from " + host + " within " + human(t.opts.Timeout) +
			": check base_url, your network or proxy, and whether the provider is up"
	case errors.As(err, &dns):
		res.Message = "the host name " + quote(dns.Name) + " could not be resolved: check base_url for typos"
	case errors.Is(err, syscall.ECONNREFUSED):
		res.Message = "the connection to " + host + " was refused: is the server running, and is the port in base_url right?"
	case errors.As(err, &record) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		// net/http turns the TLS record error into an untyped one.
		res.Message = "TLS failed with " + host + ": it does not speak HTTPS; try http:// in base_url"
	case errors.As(err, &cert) || errors.As(err, &unknownAuth) || errors.As(err, &hostname):
		res.Message = "the TLS certificate of " + host + " is not trusted: " + err.Error()
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		res.Message = "the connection to " + host + " was cut before an answer: check base_url (http vs https) and any proxy in between"
	case errors.Is(err, context.Canceled):
		res.Message = "the test was cancelled"
	default:
		res.Message = "could not reach " + host + ": " + err.Error()
	}
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
