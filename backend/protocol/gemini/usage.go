package gemini

import (
	"bytes"

	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// ReadUsage reads the token usage in generateContent JSON: a whole reply,
// one stream chunk's data, or the JSON array streamGenerateContent sends
// without alt=sse (its last usageMetadata, as usage is cumulative). ok is
// false when there is none. It is the one reader of Gemini usage: the
// codec's decoders and observe.UsageTee both call it, so a converted reply
// and a relayed one log the same tokens.
//
// promptTokenCount includes cachedContentTokenCount, which neutral usage
// counts apart; candidatesTokenCount excludes thoughtsTokenCount, which is
// billed as output (docs/CONVERSION.md, rule 12).
func ReadUsage(data []byte) (u protocol.Usage, ok bool) {
	obj, ok := protocol.UsageObject(data, "usageMetadata")
	if !ok {
		if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '[' {
			return protocol.Usage{}, false
		}
		obj, ok = lastInArray(data)
		if !ok {
			return protocol.Usage{}, false
		}
	}
	var prompt, cand, cached, thoughts int
	obj.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "promptTokenCount":
			prompt = int(v.Int())
		case "candidatesTokenCount":
			cand = int(v.Int())
		case "cachedContentTokenCount":
			cached = int(v.Int())
		case "thoughtsTokenCount":
			thoughts = int(v.Int())
		}
		return true
	})
	return protocol.Usage{
		InputTokens:     max(prompt-cached, 0),
		CacheReadTokens: cached,
		OutputTokens:    cand + thoughts,
		ReasoningTokens: thoughts,
	}, true
}

// lastInArray is the last usageMetadata object among an array's chunks.
func lastInArray(data []byte) (last gjson.Result, ok bool) {
	gjson.ParseBytes(data).ForEach(func(_, chunk gjson.Result) bool {
		if u := chunk.Get("usageMetadata"); u.IsObject() {
			last, ok = u, true
		}
		return true
	})
	return last, ok
}
