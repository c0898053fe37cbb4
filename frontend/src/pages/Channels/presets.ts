import type { ChannelType, ClaudeModels } from '../../api/types'

/** A vendor whose settings the add-channel dialog can fill in. */
export interface Preset {
  /** Stable key; also the i18n key under channels.presets and the suggested channel name. */
  key: string
  /** The vendor's own name (a proper noun, the same in every language). */
  label: string
  type: ChannelType
  base_url: string
  /** Suggested models; the user can edit them. */
  models: string[]
  /** Where the vendor documents its API, for the user to check. */
  docs: string
  /** Claude Code's model slots, as the vendor's Claude Code guide maps them. */
  claude_models?: ClaudeModels
}

// Claude Code model slots as the vendors' guides give them: Zhipu maps opus
// and sonnet to GLM-5.2 and haiku to GLM-4.5-Air
// (docs.bigmodel.cn/cn/coding-plan/latest-model); DeepSeek maps claude-opus
// to deepseek-v4-pro and the rest to deepseek-v4-flash
// (api-docs.deepseek.com/guides/anthropic_api). Kimi and MiniMax: their
// flagship, and the faster model for haiku.
const GLM_SLOTS: ClaudeModels = { opus: 'glm-5.2', sonnet: 'glm-5.2', haiku: 'glm-4.5-air' }
const DEEPSEEK_SLOTS: ClaudeModels = { opus: 'deepseek-v4-pro', sonnet: 'deepseek-v4-flash', haiku: 'deepseek-v4-flash' }
const KIMI_SLOTS: ClaudeModels = { opus: 'kimi-k3', sonnet: 'kimi-k3', haiku: 'kimi-k2.6' }
const MINIMAX_SLOTS: ClaudeModels = { opus: 'MiniMax-M3', sonnet: 'MiniMax-M3', haiku: 'MiniMax-M3' }

// Base URLs checked against each vendor's API docs (November 2026). OpenAI-
// compatible URLs include their version path; Anthropic and Gemini do not.
// Where a vendor runs separate China and international hosts, the comment
// names the other one.
export const PRESETS: readonly Preset[] = [
  { key: 'anthropic', label: 'Anthropic', type: 'anthropic', base_url: 'https://api.anthropic.com',
    models: ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'], docs: 'https://docs.anthropic.com/en/api/overview' },
  { key: 'openai', label: 'OpenAI', type: 'openai', base_url: 'https://api.openai.com/v1',
    models: ['gpt-5', 'gpt-5-mini'], docs: 'https://platform.openai.com/docs/api-reference' },
  { key: 'gemini', label: 'Gemini', type: 'gemini', base_url: 'https://generativelanguage.googleapis.com',
    models: ['gemini-2.5-pro', 'gemini-2.5-flash'], docs: 'https://ai.google.dev/api' },
  // DeepSeek documents https://api.deepseek.com and accepts …/v1 "for OpenAI compatibility".
  { key: 'deepseek', label: 'DeepSeek', type: 'openai', base_url: 'https://api.deepseek.com/v1',
    models: ['deepseek-v4-flash', 'deepseek-v4-pro'], docs: 'https://api-docs.deepseek.com/', claude_models: DEEPSEEK_SLOTS },
  // China: https://api.moonshot.cn/v1
  { key: 'kimi', label: 'Kimi', type: 'openai', base_url: 'https://api.moonshot.ai/v1',
    models: ['kimi-k3', 'kimi-k2.6'], docs: 'https://platform.kimi.ai/docs/overview', claude_models: KIMI_SLOTS },
  { key: 'zhipu', label: 'Zhipu GLM', type: 'openai', base_url: 'https://open.bigmodel.cn/api/paas/v4',
    models: ['glm-5.2', 'glm-4.5-air'], docs: 'https://docs.bigmodel.cn/', claude_models: GLM_SLOTS },
  // International: https://dashscope-intl.aliyuncs.com/compatible-mode/v1
  { key: 'qwen', label: 'Qwen', type: 'openai', base_url: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    models: ['qwen3-coder-plus', 'qwen-plus'], docs: 'https://help.aliyun.com/zh/model-studio/' },
  // China: https://api.minimaxi.com/v1
  { key: 'minimax', label: 'MiniMax', type: 'openai', base_url: 'https://api.minimax.io/v1',
    models: ['MiniMax-M3'], docs: 'https://platform.minimax.io/docs/api-reference/text-openai-api', claude_models: MINIMAX_SLOTS },
  { key: 'openrouter', label: 'OpenRouter', type: 'openai', base_url: 'https://openrouter.ai/api/v1',
    models: ['anthropic/claude-sonnet-4.5', 'openai/gpt-5'], docs: 'https://openrouter.ai/docs' },
  // International: https://api.siliconflow.com/v1
  { key: 'siliconflow', label: 'SiliconFlow', type: 'openai', base_url: 'https://api.siliconflow.cn/v1',
    models: ['deepseek-ai/DeepSeek-V3', 'Qwen/Qwen3-Coder-480B-A35B-Instruct'], docs: 'https://docs.siliconflow.cn/' },
  { key: 'groq', label: 'Groq', type: 'openai', base_url: 'https://api.groq.com/openai/v1',
    models: ['llama-3.3-70b-versatile', 'openai/gpt-oss-120b'], docs: 'https://console.groq.com/docs/openai' },
  { key: 'ollama', label: 'Ollama', type: 'openai', base_url: 'http://localhost:11434/v1',
    models: ['qwen2.5-coder', 'llama3.1'], docs: 'https://ollama.com/blog/openai-compatibility' },
]

export function presetByKey(key: string): Preset | undefined {
  return PRESETS.find((p) => p.key === key)
}
