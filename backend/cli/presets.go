package cli

// preset is a provider Routex knows how to reach: the base URL as the
// vendor documents it (see docs/DESIGN.md#channel-json) and the wire format it speaks.
// Models are suggestions the user edits before saving.
type preset struct {
	Name    string
	Type    string
	BaseURL string
	Models  []string
}

// presets lists the providers `routex model` offers, checked against each
// vendor's API documentation. DeepSeek and Kimi speak both formats; the
// OpenAI form is listed first, the Anthropic form after it.
var presets = []preset{
	{Name: "Anthropic", Type: "anthropic", BaseURL: "https://api.anthropic.com", Models: []string{"claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"}},
	{Name: "OpenAI", Type: "openai", BaseURL: "https://api.openai.com/v1", Models: []string{"gpt-5", "gpt-5-mini"}},
	{Name: "Gemini", Type: "gemini", BaseURL: "https://generativelanguage.googleapis.com", Models: []string{"gemini-2.5-pro", "gemini-2.5-flash"}},
	{Name: "DeepSeek", Type: "openai", BaseURL: "https://api.deepseek.com/v1", Models: []string{"deepseek-v4-flash", "deepseek-v4-pro"}},
	{Name: "DeepSeek (Anthropic)", Type: "anthropic", BaseURL: "https://api.deepseek.com/anthropic", Models: []string{"deepseek-v4-flash", "deepseek-v4-pro"}},
	{Name: "Kimi", Type: "openai", BaseURL: "https://api.moonshot.ai/v1", Models: []string{"kimi-k2.6"}},
	{Name: "Zhipu GLM", Type: "openai", BaseURL: "https://open.bigmodel.cn/api/paas/v4", Models: []string{"glm-4.6"}},
	{Name: "Qwen", Type: "openai", BaseURL: "https://dashscope.aliyuncs.com/compatible-mode/v1", Models: []string{"qwen3-coder-plus", "qwen-plus"}},
	{Name: "OpenRouter", Type: "openai", BaseURL: "https://openrouter.ai/api/v1", Models: []string{"anthropic/claude-sonnet-4.5"}},
	{Name: "SiliconFlow", Type: "openai", BaseURL: "https://api.siliconflow.cn/v1", Models: []string{"deepseek-ai/DeepSeek-V3"}},
	{Name: "Groq", Type: "openai", BaseURL: "https://api.groq.com/openai/v1", Models: []string{"llama-3.3-70b-versatile"}},
	{Name: "Ollama", Type: "openai", BaseURL: "http://localhost:11434/v1", Models: []string{"qwen2.5-coder"}},
}
