// Wire types of the engine's admin API (snake_case, as the engine sends them).

export const CHANNEL_TYPES = ['anthropic', 'openai', 'gemini'] as const
export type ChannelType = (typeof CHANNEL_TYPES)[number]

/** Breaker and cooldown state of one channel, from the balancer. */
export interface ChannelHealth {
  state: 'closed' | 'open' | 'half_open' | string
  failures?: number
  cooldown_until?: string
  last_error?: string
  ttft_ms?: number
  in_flight?: number
  requests?: number
  failed?: number
}

/** A channel as the engine returns it; the API key itself is never read back. */
export interface Channel {
  id: number
  name: string
  type: ChannelType
  base_url: string
  api_key_preview: string
  api_key_previews?: string[]
  key_count?: number
  models: string[]
  model_map: Record<string, string>
  priority: number
  weight: number
  enabled: boolean
  headers: Record<string, string>
  transformers: unknown[]
  timeout_ms: number
  created_at: string
  updated_at: string
  health?: ChannelHealth
  /** Claude Code's model slots when it is attached to this channel. */
  claude_models?: ClaudeModels
  /** The balance query; null for the built-in one of a known provider. */
  balance_query?: BalanceQuery | null
}

/** Claude Code's model slots (ANTHROPIC_MODEL, ANTHROPIC_DEFAULT_*_MODEL, ANTHROPIC_SMALL_FAST_MODEL). */
export interface ClaudeModels {
  model?: string
  opus?: string
  sonnet?: string
  haiku?: string
  small_fast?: string
}

/** A user-defined balance query; {off: true} turns the built-in one off. */
export interface BalanceQuery {
  off?: boolean
  url?: string
  method?: string
  headers?: Record<string, string>
  body?: string
  remaining?: string
  used?: string
  available?: string
  reset_at?: string
  unit?: string
  unit_path?: string
  scale?: number
}

export type BalanceLevel = 'ok' | 'low' | 'exhausted' | 'unknown'

/** GET /api/channels/{id}/balance and each entry of GET /api/balances. */
export interface Balance {
  channel_id: number
  channel: string
  remaining: number | null
  used: number | null
  unit: string
  available?: boolean
  reset_at: string | null
  updated_at: string | null
  checked_at?: string | null
  error: string
  level: BalanceLevel
  /** The query: a built-in provider's name, "custom", or "" for none. */
  provider: string
  docs?: string
}

/** Balance thresholds by unit: warn below, skip below the floor. */
export interface BalanceThresholds {
  warn: Record<string, number>
  floor: Record<string, number>
}

/** GET /api/channels/{id}/models and POST /api/channels/models. */
export interface ModelList {
  models: string[]
  error: string
  updated_at: string | null
}

/** One channel of GET /api/stats/latency. */
export interface ChannelLatency {
  channel_id: number
  requests: number
  failed: number
  success_rate: number
  p50_ttft_ms: number
}

/** The body of POST /api/channels. */
export interface NewChannel {
  name: string
  type: ChannelType
  base_url: string
  api_key: string
  models: string[]
  priority: number
  weight: number
  enabled: boolean
  claude_models?: ClaudeModels
  balance_query?: BalanceQuery | null
}

/** A partial update for PATCH /api/channels/{id}. */
export type ChannelPatch = Partial<Omit<NewChannel, 'api_key'>> & { api_key?: string }

export interface Health {
  status: string
  version: string
}

export type TestVerdict = 'ok' | 'slow' | 'auth_failed' | 'not_found' | 'unreachable' | 'error'

/** The answer of a connection test. */
export interface TestResult {
  verdict: TestVerdict
  message: string
  status?: number
  model?: string
  connect_ms?: number
  ttft_ms?: number
  total_ms?: number
  stream_ttft_ms?: number
  models?: string[]
}

export const SCENARIOS = ['default', 'background', 'think', 'long_context', 'web_search', 'image'] as const
export type Scenario = (typeof SCENARIOS)[number]

export const STRATEGIES = ['priority', 'round_robin', 'weighted', 'least_used', 'latency'] as const

/** One routing rule; empty conditions are left out on the wire. */
export interface Rule {
  name: string
  enabled?: boolean
  model?: string
  has_tools?: boolean
  has_image?: boolean
  min_tokens?: number
  max_tokens?: number
  keyword?: string
  header?: string
  expr?: string
  targets: string[]
  strategy?: string
}

/** GET/PUT /api/routes. */
export interface Routes {
  strategy: string
  routes: Partial<Record<Scenario, string[]>>
  strategies: Partial<Record<Scenario, string>>
  long_context_threshold: number
  background_model: string
  rules: Rule[] | null
}

export interface ExplainTarget {
  channel_id: number
  channel: string
  type: string
  model: string
  converted: boolean
  available: boolean
  health: string
  /** Why the channel is left out ("balance exhausted (0.00 CNY left)"). */
  skipped?: string
}

export interface Explanation {
  format: string
  model: string
  scenario: string
  rule?: string
  strategy: string
  session_key?: string
  reasons: string[] | null
  targets: ExplainTarget[] | null
  summary?: Record<string, unknown>
}

export interface Info {
  version: string
  listen: string
  base_url: string
  home: string
  uptime_s: number
}

export interface Attempt {
  channel: string
  status: number
  error?: string
  latency_ms: number
}

/** One request log entry. */
export interface LogEntry {
  id: number
  time: string
  format: string
  channel_id: number
  channel_name: string
  client_model: string
  upstream_model: string
  status: number
  stream: boolean
  latency_ms: number
  ttft_ms: number
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  usage_estimated: boolean
  cost_usd: number
  scenario: string
  rule: string
  error: string
  user_agent: string
  attempts: Attempt[] | null
  request_body?: string
  response_body?: string
}

export interface LogPage {
  logs: LogEntry[] | null
  /** Where the next page starts; 0 (or "") on the last page. */
  next_cursor: number | string
}

export type StatsRange = '24h' | '7d' | '30d'

export interface SummaryFields {
  requests: number
  succeeded: number
  failed: number
  success_rate: number
  avg_latency_ms: number
  p95_latency_ms: number
  avg_ttft_ms: number
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  cost_usd: number
}

export interface Summary extends SummaryFields {
  previous?: SummaryFields
}

export interface TimelineBucket {
  start: string
  requests: number
  failed: number
  input_tokens: number
  output_tokens: number
  cost_usd: number
  avg_latency_ms: number
  avg_ttft_ms: number
}

export interface ChannelStat {
  channel_id: number
  channel_name: string
  requests: number
  failed: number
  share: number
  success_rate: number
  avg_latency_ms: number
  avg_ttft_ms: number
  cost_usd: number
  input_tokens: number
  output_tokens: number
}

/** The "request" event of /api/events. */
export interface RequestEvent {
  time: string
  channel: string
  model: string
  status: number
  latency_ms: number
  ttft_ms: number
  input_tokens: number
  output_tokens: number
  cost_usd: number
  scenario: string
  error?: string
}

export interface PolledEvent {
  seq: number
  topic: string
  data: unknown
}

export type ClientStatus = 'attached' | 'not_attached' | 'attached_elsewhere' | 'error'

export interface ClientState {
  status: ClientStatus
  path: string
  base_url: string
  error?: string
}

export type Clients = Record<string, ClientState | undefined>

/** The coding tools the dashboard attaches (GET /api/clients also lists gemini). */
export type ClientName = 'claude' | 'codex'

export type Theme = 'light' | 'dark' | 'system'

export interface Settings {
  listen: string
  language: string
  theme: Theme
  log_retention_days: number
  capture_bodies: boolean
  /** Absent when the engine cannot manage a login item on this system. */
  start_at_login?: boolean
  access_key_preview: string
  admin_token_preview: string
  version: string
  home: string
  restart_required: boolean
  /** Balance thresholds by unit (USD, CNY…): warn below, skip below the floor. */
  balance_warn?: Record<string, number>
  balance_floor?: Record<string, number>
}

export type SecretName = 'access_key' | 'admin_token'
