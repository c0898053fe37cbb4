package cli

// preset is a provider Routex knows how to reach: the base URL as the
// vendor documents it (see DESIGN.md, Channel) and the wire format it speaks.
// Models are suggestions the user edits before saving.
type preset struct {
	Name    string
	Type    string
	BaseURL string
	Models  []string
	// ClaudeModels are the Claude Code model slots the channel gets, as
	// the API's claude_models ("model", "opus", "sonnet", "haiku").
	ClaudeModels map[string]string
}

// presets lists the providers `routex model` offers, checked against each
// vendor's API documentation. DeepSeek and Kimi speak both formats; the
// OpenAI form is listed first, the Anthropic form after it.
var presets = []preset{
	{Name: "Anthropic", Type: "anthropic", BaseURL: "https://api.anthropic.com", Models: []string{"claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"}},
	{Name: "OpenAI", Type: "openai", BaseURL: "https://api.openai.com/v1", Models: []string{"gpt-5", "gpt-5-mini"}},
	{Name: "Gemini", Type: "gemini", BaseURL: "https://generativelanguage.googleapis.com", Models: []string{"gemini-2.5-pro", "gemini-2.5-flash"}},
	{Name: "DeepSeek", Type: "openai", BaseURL: "https://api.deepseek.com/v1", Models: []string{"deepseek-v4-flash", "deepseek-v4-pro"}, ClaudeModels: deepseekSlots},
	{Name: "DeepSeek (Anthropic)", Type: "anthropic", BaseURL: "https://api.deepseek.com/anthropic", Models: []string{"deepseek-v4-flash", "deepseek-v4-pro"}, ClaudeModels: deepseekSlots},
	{Name: "Kimi", Type: "openai", BaseURL: "https://api.moonshot.ai/v1", Models: []string{"kimi-k3", "kimi-k2.6"}, ClaudeModels: kimiSlots},
	{Name: "Zhipu GLM", Type: "openai", BaseURL: "https://open.bigmodel.cn/api/paas/v4", Models: []string{"glm-5.2", "glm-4.5-air"}, ClaudeModels: glmSlots},
	{Name: "MiniMax", Type: "openai", BaseURL: "https://api.minimax.io/v1", Models: []string{"MiniMax-M3"}, ClaudeModels: minimaxSlots},
	{Name: "Qwen", Type: "openai", BaseURL: "https://dashscope.aliyuncs.com/compatible-mode/v1", Models: []string{"qwen3-coder-plus", "qwen-plus"}},
	{Name: "OpenRouter", Type: "openai", BaseURL: "https://openrouter.ai/api/v1", Models: []string{"anthropic/claude-sonnet-4.5"}},
	{Name: "SiliconFlow", Type: "openai", BaseURL: "https://api.siliconflow.cn/v1", Models: []string{"deepseek-ai/DeepSeek-V3"}},
	{Name: "Groq", Type: "openai", BaseURL: "https://api.groq.com/openai/v1", Models: []string{"llama-3.3-70b-versatile"}},
	{Name: "Ollama", Type: "openai", BaseURL: "http://localhost:11434/v1", Models: []string{"qwen2.5-coder"}},
}

// Claude Code model slots of the providers whose Claude Code guides name
// them: Zhipu's GLM Coding Plan guide maps opus and sonnet to GLM-5.2 and
// haiku to GLM-4.5-Air (docs.bigmodel.cn/cn/coding-plan/latest-model);
// DeepSeek maps claude-opus to deepseek-v4-pro and the others to
// deepseek-v4-flash (api-docs.deepseek.com/guides/anthropic_api). Kimi and
// MiniMax use their flagship for every slot but haiku, their faster model.
var (
	glmSlots      = map[string]string{"opus": "glm-5.2", "sonnet": "glm-5.2", "haiku": "glm-4.5-air"}
	deepseekSlots = map[string]string{"opus": "deepseek-v4-pro", "sonnet": "deepseek-v4-flash", "haiku": "deepseek-v4-flash"}
	kimiSlots     = map[string]string{"opus": "kimi-k3", "sonnet": "kimi-k3", "haiku": "kimi-k2.6"}
	minimaxSlots  = map[string]string{"opus": "MiniMax-M3", "sonnet": "MiniMax-M3", "haiku": "MiniMax-M3"}
)
