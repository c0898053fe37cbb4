package pricing

// Defaults returns the prices Routex ships for common models, in USD per
// million tokens: public list prices for the standard (not batch, not
// long-context) tier, as of early 2026. A fresh slice is returned on each
// call, so callers may change it.
//
// Conventions, because providers bill caches differently:
//   - Anthropic: cache write is the 5-minute cache (1.25× input), cache read
//     0.1× input.
//   - OpenAI, Gemini, DeepSeek, Kimi, GLM: cache read is the documented
//     cached-input price; these providers charge no premium to fill a cache,
//     so cache write is the ordinary input price.
//   - Qwen: the first (≤32K input) tier of Alibaba Cloud's tiered price.
//
// Models whose price we could not confirm are left out; users add them.
func Defaults() []Price {
	return []Price{
		// Anthropic Claude. Dated IDs (claude-sonnet-4-5-20250929) and
		// provider prefixes are stripped by Lookup.
		anthropic("claude-opus-4-6", 5, 25),
		anthropic("claude-opus-4-5", 5, 25),
		anthropic("claude-opus-4-1", 15, 75),
		anthropic("claude-opus-4-0", 15, 75),
		anthropic("claude-opus-4", 15, 75),
		anthropic("claude-sonnet-4*", 3, 15),
		anthropic("claude-haiku-4*", 1, 5),
		anthropic("claude-3-7-sonnet*", 3, 15),
		anthropic("claude-3-5-sonnet*", 3, 15),
		anthropic("claude-3-5-haiku*", 0.8, 4),
		anthropic("claude-3-opus*", 15, 75),
		anthropic("claude-3-haiku*", 0.25, 1.25),

		// OpenAI. gpt-5* covers gpt-5, gpt-5-codex, gpt-5.1 and
		// gpt-5.1-codex, which share one price.
		cached("gpt-5*", 1.25, 10, 0.125),
		cached("gpt-5-mini*", 0.25, 2, 0.025),
		cached("gpt-5-nano*", 0.05, 0.4, 0.005),
		cached("gpt-5.1-codex-mini", 0.25, 2, 0.025),
		cached("gpt-5.2*", 1.75, 14, 0.175),
		cached("gpt-5-pro", 15, 120, 15),
		cached("gpt-4.1", 2, 8, 0.5),
		cached("gpt-4.1-mini", 0.4, 1.6, 0.1),
		cached("gpt-4.1-nano", 0.1, 0.4, 0.025),
		cached("gpt-4o", 2.5, 10, 1.25),
		cached("gpt-4o-2024-05-13", 5, 15, 5),
		cached("gpt-4o-mini", 0.15, 0.6, 0.075),
		cached("o3", 2, 8, 0.5),
		cached("o3-mini", 1.1, 4.4, 0.55),
		cached("o4-mini", 1.1, 4.4, 0.275),

		// Google Gemini, prompts up to 200K tokens.
		cached("gemini-2.5-pro*", 1.25, 10, 0.125),
		cached("gemini-2.5-flash*", 0.3, 2.5, 0.03),
		cached("gemini-2.5-flash-lite*", 0.1, 0.4, 0.01),
		cached("gemini-3-pro*", 2, 12, 0.2),

		// DeepSeek V3.2: one price for chat and reasoner; cache read is the
		// cache-hit input price.
		cached("deepseek-chat", 0.28, 0.42, 0.028),
		cached("deepseek-reasoner", 0.28, 0.42, 0.028),

		// Moonshot Kimi K2.
		cached("kimi-k2-0905-preview", 0.6, 2.5, 0.15),
		cached("kimi-k2-0711-preview", 0.6, 2.5, 0.15),
		cached("kimi-k2-thinking", 0.6, 2.5, 0.15),
		cached("kimi-k2", 0.6, 2.5, 0.15),

		// Zhipu GLM.
		cached("glm-4.6", 0.6, 2.2, 0.11),

		// Alibaba Qwen3-Coder (first tier).
		{Model: "qwen3-coder-plus", Input: 1, Output: 5, CacheWrite: 1, Source: SourceDefault},
	}
}

// anthropic builds an Anthropic price: 5-minute cache writes cost 1.25× the
// input price and cache reads 0.1×.
func anthropic(model string, in, out float64) Price {
	return Price{Model: model, Input: in, Output: out, CacheRead: in / 10, CacheWrite: in * 1.25, Source: SourceDefault}
}

// cached builds a price for a provider with automatic prompt caching: reads
// at the documented cached-input price, writes at the ordinary input price.
func cached(model string, in, out, cacheRead float64) Price {
	return Price{Model: model, Input: in, Output: out, CacheRead: cacheRead, CacheWrite: in, Source: SourceDefault}
}
