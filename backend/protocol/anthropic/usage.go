package anthropic

import (
	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// ReadUsage reads the token usage in Messages API JSON: a whole reply or
// a message_delta event's data (their "usage"), or a message_start's
// (message.usage). ok is false when there is none. It is the one reader of
// Anthropic usage: the codec's decoders and observe.UsageTee both call it,
// so a converted reply and a relayed one log the same tokens.
//
// input_tokens already excludes cache reads and writes. A count left out,
// or not above zero, reads as zero: a stream reports its counts across
// message_start and message_delta, which MergeUsage joins.
func ReadUsage(data []byte) (u protocol.Usage, ok bool) {
	obj, ok := protocol.UsageObject(data, "usage", "message.usage")
	if !ok {
		return protocol.Usage{}, false
	}
	obj.ForEach(func(k, v gjson.Result) bool {
		n := max(int(v.Int()), 0)
		switch k.Str {
		case "input_tokens":
			u.InputTokens = n
		case "output_tokens":
			u.OutputTokens = n
		case "cache_read_input_tokens":
			u.CacheReadTokens = n
		case "cache_creation_input_tokens":
			u.CacheWriteTokens = n
		}
		return true
	})
	return u, true
}

// MergeUsage adds one stream event's usage to the stream's so far: every
// count it reports wins. message_start has the input, message_delta the
// output (and, on some compatible endpoints, the input again), so no
// event's zero erases another's count.
func MergeUsage(into *protocol.Usage, u protocol.Usage) {
	set := func(dst *int, n int) {
		if n > 0 {
			*dst = n
		}
	}
	set(&into.InputTokens, u.InputTokens)
	set(&into.OutputTokens, u.OutputTokens)
	set(&into.CacheReadTokens, u.CacheReadTokens)
	set(&into.CacheWriteTokens, u.CacheWriteTokens)
}
