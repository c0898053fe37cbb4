package transform

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// setHeaders sets and removes upstream request headers: an extra header a
// provider wants (OpenRouter's HTTP-Referer), or a header it chokes on
// (anthropic-beta flags a compatible API does not know). Removals run
// before sets, so one step can replace a header.
type setHeaders struct {
	set    [][2]string // canonical name, value; in sorted order
	remove []string
}

// managedHeaders are set by the proxy for every request; a step changing
// them would break framing or routing.
var managedHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection"}

func buildHeaders(o *options) step {
	var s setHeaders
	if raw, ok := o.get("set"); ok {
		var m map[string]string
		if !isObject(raw) || json.Unmarshal(raw, &m) != nil {
			o.fail("set", `must be an object of header names to string values, e.g. {"X-Title": "Routex"}`)
		}
		for _, name := range sortedStringKeys(m) {
			canon := http.CanonicalHeaderKey(name)
			switch {
			case !validHeaderName(name):
				o.fail("set", "%q is not a valid header name", name)
			case slices.Contains(managedHeaders, canon):
				o.fail("set", "%q is managed by Routex and cannot be set", name)
			case strings.ContainsAny(m[name], "\r\n\x00"):
				o.fail("set", "the value of %q must be one line", name)
			default:
				s.set = append(s.set, [2]string{canon, m[name]})
			}
		}
	}
	if raw, ok := o.get("remove"); ok {
		var names []string
		if json.Unmarshal(raw, &names) != nil || isNull(raw) {
			o.fail("remove", `must be an array of header names, e.g. ["anthropic-beta"]`)
		}
		for _, name := range names {
			if !validHeaderName(name) {
				o.fail("remove", "%q is not a valid header name", name)
				continue
			}
			s.remove = append(s.remove, http.CanonicalHeaderKey(name))
		}
	}
	if len(o.raw) == 0 {
		o.errs = append(o.errs, &ConfigError{Path: o.path, Message: `set "set" or "remove", e.g. {"remove": ["anthropic-beta"]}`})
	}
	return s
}

func (setHeaders) name() string { return "headers" }

func (s setHeaders) headers(h http.Header) {
	for _, name := range s.remove {
		delete(h, name)
	}
	for _, kv := range s.set {
		h[kv[0]] = []string{kv[1]}
	}
}

// validHeaderName reports whether name is an HTTP token (RFC 9110).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func sortedStringKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
