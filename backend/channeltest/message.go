package channeltest

import "strings"

// Note is what a test has to say, as a stable code with parameters (and a
// hint about base_url where one helps), so the dashboard and the CLI can
// say it in the user's language (locale keys channels.test.codes.<code>
// and channels.test.hints.<hint>); English renders it for everyone else.
type Note struct {
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
	Hint   string            `json:"hint,omitempty"`
}

// english is each code's and hint's English; {name} is a parameter.
// locales/en.json says the same with go-i18n placeholders (a test keeps
// the two in step).
var english = map[string]string{
	"unknown_type":       `unknown channel type "{type}": use anthropic, openai, gemini or openai-responses`,
	"auth":               "the key was refused (HTTP {status}){detail}: check it in the provider's console",
	"unknown_model":      `the model "{model}" does not exist on this channel{detail}`,
	"unknown_model_list": `the model "{model}" does not exist on this channel{detail}; available models include {models}`,
	"no_endpoint":        "nothing answers at {url} (HTTP 404)",
	"rate_limited":       "the provider is rate limiting this key or its quota is used up (HTTP 429){detail}: check the plan and billing in the provider's console",
	"provider_failed":    "the provider failed (HTTP {status}){detail}: try again later",
	"refused":            "the provider refused the test request (HTTP {status}){detail}",
	"cut_off":            "the answer was cut off: {error}",
	"html":               `the answer is a web page, not an API response{detail}: base_url "{base_url}" probably points at a website`,
	"bad_reply":          "the provider answered HTTP {status} with {problem}, which Routex treats as a failure: check base_url and the channel's type",
	"stream_error":       "the provider answered with an error{detail}",
	"timeout":            "no answer from {host} within {after}: check base_url, your network or proxy, and whether the provider is up",
	"dns":                `the host name "{name}" could not be resolved: check base_url for typos`,
	"conn_refused":       "the connection to {host} was refused: is the server running, and is the port in base_url right?",
	"tls_http":           "TLS failed with {host}: it does not speak HTTPS; try http:// in base_url",
	"tls_untrusted":      "the TLS certificate of {host} is not trusted: {error}",
	"conn_reset":         "the connection to {host} was cut before an answer: check base_url (http vs https) and any proxy in between",
	"cancelled":          "the test was cancelled",
	"unreachable":        "could not reach {host}: {error}",
	"ok":                 `the channel answered "{model}" in {total}`,
	"slow":               "the channel works but took {ttft} to the first token (more than {limit}): coding tools will feel sluggish; try another region, plan or provider",
	"stream_failed":      "the plain request worked but the streamed one failed: ",

	"hint.openai_v1":             "base_url should end with /v1 for OpenAI-compatible providers (e.g. https://api.openai.com/v1); Routex adds /chat/completions",
	"hint.openai_check":          "check base_url: Routex adds /chat/completions to it",
	"hint.responses_v1":          "base_url should end with /v1 for the Responses API (e.g. https://api.openai.com/v1); Routex adds /responses",
	"hint.responses_check":       "check base_url: Routex adds /responses to it",
	"hint.anthropic_no_messages": "base_url should stop before /v1/messages (e.g. https://api.anthropic.com); Routex adds it",
	"hint.anthropic_check":       "check base_url: it is the API root without /v1 (e.g. https://api.anthropic.com); Routex adds /v1/messages",
	"hint.gemini_check":          "check base_url: it is the API root (e.g. https://generativelanguage.googleapis.com); Routex adds /v1beta/models/…",
}

// Codes lists every code and hint (as "hint.<name>") English knows, for
// the locale test.
func Codes() []string {
	out := make([]string, 0, len(english))
	for k := range english {
		out = append(out, k)
	}
	return out
}

// note builds a Note from a code and name, value pairs.
func note(code string, pairs ...string) Note {
	n := Note{Code: code}
	if len(pairs) > 1 {
		n.Params = make(map[string]string, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			n.Params[pairs[i]] = pairs[i+1]
		}
	}
	return n
}

// English is the note in English, its hint after a colon.
func (n Note) English() string {
	s := fill(english[n.Code], n.Params)
	if n.Hint != "" {
		s += ": " + english["hint."+n.Hint]
	}
	return s
}

func fill(tpl string, params map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(tpl[:i])
		b.WriteString(params[tpl[i+1:i+j]])
		tpl = tpl[i+j+1:]
	}
	b.WriteString(tpl)
	return b.String()
}
