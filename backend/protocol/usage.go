package protocol

import (
	"unsafe"

	"github.com/tidwall/gjson"
)

// UsageObject finds the usage object in a reply's or an event's JSON,
// trying each gjson path in turn ("usage", then "message.usage" for an
// Anthropic message_start), and reports false when none holds an object
// ("usage": null on most OpenAI chunks). It is how every format's
// ReadUsage locates its counts; data is viewed, not copied, so the result
// must not outlive data.
func UsageObject(data []byte, paths ...string) (gjson.Result, bool) {
	if len(data) == 0 {
		return gjson.Result{}, false
	}
	raw := unsafe.String(unsafe.SliceData(data), len(data))
	for _, p := range paths {
		if u := gjson.Get(raw, p); u.IsObject() {
			return u, true
		}
	}
	return gjson.Result{}, false
}
