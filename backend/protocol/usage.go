package protocol

import (
	"bytes"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// UsageObject finds the usage object in a reply's or an event's JSON,
// trying each gjson path in turn ("usage", then "message.usage" for an
// Anthropic message_start), and reports false when none holds an object
// ("usage": null on most OpenAI chunks). It is how every format's
// ReadUsage locates its counts; data is viewed, not copied, so the result
// must not outlive data.
//
// It sits on the relay's hot path (observe.UsageTee calls it for every
// OpenAI and Gemini chunk), so a path whose key is nowhere in data, or
// only once with a null value, is answered without parsing: the key is
// then absent or null wherever the path leads.
func UsageObject(data []byte, paths ...string) (gjson.Result, bool) {
	if len(data) == 0 {
		return gjson.Result{}, false
	}
	raw := unsafe.String(unsafe.SliceData(data), len(data))
	var key string
	var absent bool
	for _, p := range paths {
		// Paths ending in the same key ("usage", "choices.0.usage") share
		// one scan for it.
		if k := p[strings.LastIndexByte(p, '.')+1:]; k != key || key == "" {
			key, absent = k, absentOrNull(data, k)
		}
		if absent {
			continue
		}
		if u := gjson.Get(raw, p); u.IsObject() {
			return u, true
		}
	}
	return gjson.Result{}, false
}

// absentOrNull reports that key occurs as a key nowhere in data, or
// exactly once with the value null, in one forward pass. A quoted key
// followed by a colon cannot occur inside a JSON string, whose quotes are
// escaped. The search is for key and its closing quote: its first letter
// is rarer in JSON than a quote, which keeps bytes.Index fast.
func absentOrNull(data []byte, key string) bool {
	var q [64]byte
	if len(key)+1 > len(q) {
		return false
	}
	k := append(append(q[:0], key...), '"')
	found := 0
	var value []byte
	for off := 0; ; {
		j := bytes.Index(data[off:], k)
		if j < 0 {
			break
		}
		at := off + j
		off = at + len(k)
		if at == 0 || data[at-1] != '"' {
			continue
		}
		rest := bytes.TrimLeft(data[off:], " \t\r\n")
		if len(rest) == 0 || rest[0] != ':' {
			continue
		}
		if found++; found > 1 {
			return false
		}
		value = bytes.TrimLeft(rest[1:], " \t\r\n")
	}
	return found == 0 || bytes.HasPrefix(value, []byte("null"))
}
