// Wire types of the engine's admin API (snake_case, as the engine sends them).

// The channel JSON, routing vocabularies and presets are generated from the
// Go types and name lists (backend/internal/tsgen; `make generate`).
export {
  CHANNEL_TYPES, HEALTH_STATUSES, PRESET_GROUPS, SCENARIOS, SKIP_REASONS, STRATEGIES, TRANSFORMERS,
} from './generated'
export type {
  BalanceQuery, ChannelHealth, ChannelType, ClaudeModels, ExplainTarget, Explanation, HealthStatus, KeyHealth, LastTest, Preset,
  PresetGroup, Reason, Routes, RouteSummary, Rule, Scenario, SkipReason, Strategy, TestNote, TransformerName,
} from './generated'
import type { Channel as ChannelJSON, TestResult as GeneratedTestResult } from './generated'

/** A channel as the API answers it: the channel JSON with its identity always present. */
export type Channel = ChannelJSON & Required<Pick<ChannelJSON, 'id' | 'created_at' | 'updated_at'>>

/** The body of POST /api/channels: the writable part of a Channel. */
export type NewChannel = Pick<Channel, 'name' | 'type' | 'base_url' | 'models' | 'priority' | 'weight' | 'enabled'> &
  Partial<Pick<Channel, 'model_map' | 'headers' | 'transformers' | 'timeout_ms' | 'api_keys' | 'claude_models' | 'balance_query'>> & { api_key: string }

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

/**
 * A partial update for PATCH /api/channels/{id}. keep_keys names the
 * stored keys to keep by index (the window never sees them); api_keys then
 * adds new ones after them.
 */
export type ChannelPatch = Partial<Omit<NewChannel, 'api_key'>> & { api_key?: string; keep_keys?: number[] }

export interface Health {
  status: string
  version: string
}

export type TestVerdict = 'ok' | 'slow' | 'auth_failed' | 'not_found' | 'unreachable' | 'error'

/** The answer of a connection test. */
export type TestResult = Omit<GeneratedTestResult, 'verdict'> & { verdict: TestVerdict }

/** The desktop tray's state: "" headless, running, no_host (no tray icons on this desktop), unavailable. */
export type TrayState = '' | 'running' | 'no_host' | 'unavailable'

export interface Info {
  version: string
  listen: string
  base_url: string
  home: string
  uptime_s: number
  tray?: TrayState
  tray_reason?: string
}

/** GET/PUT /api/active: the first target of the default route. */
export interface Active {
  channel_id: number | null
  model: string
}

/** A failed try, or a channel passed over (skipped) because it was paused. */
export interface Attempt {
  channel: string
  channel_id?: number
  model?: string
  status: number
  error?: string
  latency_ms: number
  skipped?: string
  failures?: number
  until?: string
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
  /** The key per person that made the request (0 / "" for the access key) and the instance that served it. */
  key_id?: number
  key_name?: string
  instance?: string
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
  /** Tries including the one that answered: more than 1 means failover. */
  attempts: number
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

/** The coding tools the window attaches. */
export type ClientName = 'claude' | 'codex' | 'gemini'
export const CLIENT_NAMES: readonly ClientName[] = ['claude', 'codex', 'gemini']

/** A copy of a tool's settings file taken before Routex changed it. */
export interface Backup {
  name: string
  client: ClientName
  file: string
  time: string
  size: number
}

/** One step of an import (importer.Step). */
export interface ImportStep {
  kind: 'add' | 'update' | 'routes_all' | 'route' | 'prices' | 'prices_skipped'
  name?: string
  type?: string
  url?: string
  scenario?: string
  targets?: string[]
}

/** The answer of POST /api/import. */
export interface ImportResult {
  source: string
  added: number
  updated: number
  steps: ImportStep[]
  notes?: string[]
  dry_run: boolean
}

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

/** A key per person's use in one period (UTC minute, day or month) and when the period ends. */
export interface KeyUsage {
  requests: number
  tokens: number
  cost_usd: number
  resets_at: string
}

/** A key per person as GET /api/keys returns it; the secret is only in the answer to its creation ("key"). */
export interface ApiKey {
  id: number
  name: string
  owner: string
  prefix: string
  expires_at: string | null
  expired: boolean
  models: string[]
  channels: string[]
  rpm: number
  tpm: number
  budget_daily_usd: number
  budget_monthly_usd: number
  revoked: boolean
  revoked_at: string | null
  created_at: string
  updated_at: string
  usage: { minute: KeyUsage; today: KeyUsage; month: KeyUsage }
  key?: string
}

/** The body of POST /api/keys and PATCH /api/keys/{id} (absent fields keep their value). */
export interface KeyInput {
  name?: string
  owner?: string
  expires_at?: string | null
  models?: string[]
  channels?: string[]
  rpm?: number
  tpm?: number
  budget_daily_usd?: number
  budget_monthly_usd?: number
}
