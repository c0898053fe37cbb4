package responses

import (
	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// ReadUsage reads the token usage in Responses API JSON: a whole reply
// (its "usage") or a stream event's data (response.usage, set on
// response.completed, response.incomplete and response.failed). ok is
// false when there is none. It is the one reader of Responses usage: the
// codec's decoders and observe.UsageTee both call it, so a converted reply
// and a relayed one log the same tokens.
//
// input_tokens includes input_tokens_details.cached_tokens, which neutral
// usage counts apart; output_tokens includes
// output_tokens_details.reasoning_tokens (docs/CONVERSION.md, rule 12).
func ReadUsage(data []byte) (u protocol.Usage, ok bool) {
	obj, ok := protocol.UsageObject(data, "usage", "response.usage")
	if !ok {
		return protocol.Usage{}, false
	}
	var input, cached int
	obj.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "input_tokens":
			input = int(v.Int())
		case "input_tokens_details":
			cached = int(v.Get("cached_tokens").Int())
		case "output_tokens":
			u.OutputTokens = int(v.Int())
		case "output_tokens_details":
			u.ReasoningTokens = int(v.Get("reasoning_tokens").Int())
		}
		return true
	})
	u.CacheReadTokens = min(max(cached, 0), max(input, 0))
	u.InputTokens = max(input-u.CacheReadTokens, 0)
	return u, true
}
