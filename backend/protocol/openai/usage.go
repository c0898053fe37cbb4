package openai

import (
	"github.com/tidwall/gjson"

	"github.com/routex-app/routex/backend/protocol"
)

// ReadUsage reads the token usage in Chat Completions JSON: a whole reply
// or one stream chunk's data, whose top-level "usage" it converts
// (docs/CONVERSION.md, rule 12), else the "usage" Moonshot (Kimi) puts in
// choices[0] of its last stream chunk; top-level wins when both exist. ok
// is false when there is none ("usage": null on every chunk but the last).
// It is the one reader of OpenAI usage: the codec's decoders and
// observe.UsageTee both call it, so a converted reply and a relayed one
// log the same tokens.
//
// prompt_tokens includes the cache, neutral InputTokens does not. The
// cache is prompt_tokens_details.cached_tokens, else DeepSeek's
// prompt_cache_hit_tokens, else Moonshot's top-level cached_tokens; a
// DeepSeek reply without prompt_tokens counts prompt_cache_miss_tokens as
// the input.
func ReadUsage(data []byte) (u protocol.Usage, ok bool) {
	obj, ok := protocol.UsageObject(data, "usage", "choices.0.usage")
	if !ok {
		return protocol.Usage{}, false
	}
	var prompt, completion, details, hit, miss, flat, reasoning int
	obj.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "prompt_tokens":
			prompt = int(v.Int())
		case "completion_tokens":
			completion = int(v.Int())
		case "prompt_tokens_details":
			details = int(v.Get("cached_tokens").Int())
		case "prompt_cache_hit_tokens":
			hit = int(v.Int())
		case "prompt_cache_miss_tokens":
			miss = int(v.Int())
		case "cached_tokens":
			flat = int(v.Int())
		case "completion_tokens_details":
			reasoning = int(v.Get("reasoning_tokens").Int())
		}
		return true
	})
	cached := flat
	switch {
	case details > 0:
		cached = details
	case hit > 0:
		cached = hit
	}
	u = protocol.Usage{
		InputTokens:     max(prompt-cached, 0),
		OutputTokens:    completion,
		CacheReadTokens: cached,
		ReasoningTokens: reasoning,
	}
	if prompt == 0 && miss > 0 {
		u.InputTokens = miss
	}
	return u, true
}
