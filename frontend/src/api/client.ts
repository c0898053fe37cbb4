// The one typed client for the engine's admin API (same-origin /api/...).
//
// In a browser the engine wants `Authorization: Bearer <admin token>`; inside
// the desktop window the same calls pass without one. The token therefore
// lives in sessionStorage only once the engine has asked for it (a 401).

export * from './types'
import type {
  Active, ApiKey, Backup, Channel, ChannelPatch, ChannelStat, ClientName, Clients, Explanation, Health, ImportResult, Info, KeyInput, LogEntry,
  LogPage, NewChannel, PolledEvent, RequestEvent, Routes, SecretName, Settings, StatsRange, Summary, TestResult, TimelineBucket,
} from './types'

/** One invalid field, as reported by a 400/409 response. */
export interface FieldError {
  code: string
  message: string
}

/** Any non-2xx answer from the engine, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly type: string
  readonly fields: Record<string, FieldError>

  constructor(status: number, type: string, message: string, fields: Record<string, FieldError> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.type = type
    this.fields = fields
  }
}

export const TOKEN_KEY = 'routex.adminToken'

// Used only when sessionStorage is unavailable (some private modes throw).
let memoryToken: string | null = null

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return memoryToken
  }
}

export function setToken(token: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, token)
  } catch {
    memoryToken = token
  }
}

export function clearToken(): void {
  memoryToken = null
  try {
    sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    // nothing stored
  }
}

let linkFailed = false

/** Notes that the login link the window was opened with did not work (used, or expired). */
export function markLoginLinkFailed(): void {
  linkFailed = true
}

/** Whether the window was opened with a login link that did not work. */
export function loginLinkFailed(): boolean {
  return linkFailed
}

/** Why the engine refused us: no token was sent, or the one sent was wrong. */
export type UnauthorizedReason = 'missing' | 'invalid'
type UnauthorizedListener = (reason: UnauthorizedReason) => void
const unauthorizedListeners = new Set<UnauthorizedListener>()

/** Subscribes to 401 answers; returns the unsubscribe function. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Turns an error response body into an ApiError. The engine answers
 * {"error":{"type","message","fields"?:{field:{code,message}}}}; anything
 * else (an HTML page from a proxy, an empty body) still gives a usable error.
 */
export function parseError(status: number, body: string): ApiError {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return new ApiError(status, 'http_error', body.trim().slice(0, 200) || `HTTP ${status}`)
  }
  const err = isRecord(parsed) ? parsed.error : undefined
  if (!isRecord(err)) return new ApiError(status, 'http_error', `HTTP ${status}`)
  const type = typeof err.type === 'string' ? err.type : 'http_error'
  const message = typeof err.message === 'string' && err.message ? err.message : `HTTP ${status}`
  const fields: Record<string, FieldError> = {}
  if (isRecord(err.fields)) {
    for (const [name, f] of Object.entries(err.fields)) {
      if (!isRecord(f)) continue
      fields[name] = {
        code: typeof f.code === 'string' ? f.code : '',
        message: typeof f.message === 'string' ? f.message : '',
      }
    }
  }
  return new ApiError(status, type, message, fields)
}

/** Sends one request to the engine and decodes the JSON answer (undefined for 204). */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = getToken()
  if (token) headers.Authorization = `Bearer ${token}`
  const raw = body instanceof ArrayBuffer
  if (body !== undefined) headers['Content-Type'] = raw ? 'application/octet-stream' : 'application/json'

  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      credentials: 'same-origin',
    })
  } catch (e) {
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e))
  }

  if (res.status === 401) {
    const reason: UnauthorizedReason = token ? 'invalid' : 'missing'
    if (token) clearToken()
    const err = parseError(401, await res.text())
    for (const l of unauthorizedListeners) l(reason)
    throw err
  }
  if (!res.ok) throw parseError(res.status, await res.text())
  if (res.status === 204) return undefined as T
  const text = await res.text()
  if (!text) return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    throw new ApiError(res.status, 'invalid_response', `invalid JSON from ${path}`)
  }
}

/** Query-string of the non-empty values, in insertion order ("" when none). */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

type Loose = Record<string, unknown>
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** A log as the engine sends it ("channel" for the channel's name) in the dashboard's shape. */
export function normalizeLog(l: LogEntry & { channel?: string }): LogEntry {
  return { ...l, channel_name: l.channel_name ?? l.channel ?? '', attempts: l.attempts ?? [] }
}

/**
 * The data of a "request" event in the dashboard's shape. The engine nests
 * tokens ({input, output}) and names the cost "cost"; flat fields are read too.
 */
export function normalizeRequestEvent(raw: unknown): RequestEvent {
  const d = (typeof raw === 'object' && raw !== null ? raw : {}) as Loose
  const tokens = (typeof d.tokens === 'object' && d.tokens !== null ? d.tokens : {}) as Loose
  return {
    time: str(d.time) || new Date().toISOString(),
    channel: str(d.channel),
    model: str(d.model),
    status: num(d.status),
    latency_ms: num(d.latency_ms),
    ttft_ms: num(d.ttft_ms),
    input_tokens: num(d.input_tokens ?? tokens.input),
    output_tokens: num(d.output_tokens ?? tokens.output),
    cost_usd: num(d.cost_usd ?? d.cost),
    scenario: str(d.scenario),
    error: str(d.error) || undefined,
    attempts: num(d.attempts) || 1,
  }
}

export const api = {
  health: () => request<Health>('GET', '/health'),
  info: () => request<Info>('GET', '/api/info'),
  listChannels: async (): Promise<Channel[]> => {
    const res = await request<{ channels: Channel[] | null }>('GET', '/api/channels')
    return res.channels ?? []
  },
  createChannel: (c: NewChannel) => request<Channel>('POST', '/api/channels', c),
  updateChannel: (id: number, patch: ChannelPatch) =>
    request<Channel>('PATCH', `/api/channels/${id}`, patch),
  deleteChannel: (id: number) => request<void>('DELETE', `/api/channels/${id}`),
  orderChannels: (ids: number[]) => request<unknown>('PUT', '/api/channels/order', { ids }),
  testChannel: (id: number, key?: number) =>
    request<TestResult>('POST', `/api/channels/${id}/test`, key === undefined ? undefined : { key }),
  testDraft: (c: NewChannel & { id?: number; api_keys?: string[] }) => request<TestResult>('POST', '/api/channels/test', c),

  duplicateChannel: (id: number) => request<Channel>('POST', `/api/channels/${id}/duplicate`),
  active: () => request<Active>('GET', '/api/active'),
  setActive: (channelId: number, model: string) => request<Active>('PUT', '/api/active', { channel_id: channelId, model }),

  getRoutes: () => request<Routes>('GET', '/api/routes'),
  putRoutes: (r: Routes) => request<Routes>('PUT', '/api/routes', r),
  explain: (format: string, body: string, model = '') =>
    request<Explanation>('POST', `/api/routes/explain${queryString({ format, model })}`, JSON.parse(body) as unknown),

  logs: async (qs: string): Promise<LogPage> => {
    const res = await request<LogPage>('GET', `/api/logs${qs}`)
    return { logs: (res.logs ?? []).map(normalizeLog), next_cursor: res.next_cursor }
  },
  log: async (id: number) => normalizeLog(await request<LogEntry>('GET', `/api/logs/${id}`)),
  summary: (range: StatsRange) => request<Summary>('GET', `/api/stats/summary?range=${range}`),
  timeline: (range: StatsRange, bucket: string) =>
    request<{ buckets: TimelineBucket[] | null }>('GET', `/api/stats/timeline?range=${range}&bucket=${bucket}`),
  channelStats: async (range: StatsRange) => {
    const res = await request<{ channels: (ChannelStat & { channel?: string })[] | null }>('GET', `/api/stats/channels?range=${range}`)
    return { channels: (res.channels ?? []).map((c) => ({ ...c, channel_name: c.channel_name ?? c.channel ?? '' })) }
  },
  pollEvents: (since: number) =>
    request<{ events: PolledEvent[] | null; next: number }>('GET', `/api/events?poll=1&since=${since}`),

  listKeys: async (): Promise<ApiKey[]> => (await request<{ keys: ApiKey[] | null }>('GET', '/api/keys')).keys ?? [],
  createKey: (k: KeyInput) => request<ApiKey>('POST', '/api/keys', k),
  updateKey: (id: number, patch: KeyInput) => request<ApiKey>('PATCH', `/api/keys/${id}`, patch),
  revokeKey: (id: number) => request<ApiKey>('DELETE', `/api/keys/${id}`),

  /** Trades a login link's one-time code for the admin token (no token needed). */
  login: (code: string) => request<{ token: string }>('POST', '/api/login', { code }),
  exportFile: (includeKeys: boolean) => request<unknown>('GET', `/api/export${includeKeys ? '?include_keys=1' : ''}`),
  importFile: async (file: File, dryRun: boolean): Promise<ImportResult> => {
    const q = queryString({ name: file.name, dry_run: dryRun ? '1' : undefined })
    return request<ImportResult>('POST', `/api/import${q}`, await file.arrayBuffer())
  },
  backups: async (): Promise<Backup[]> => (await request<{ backups: Backup[] | null }>('GET', '/api/backups')).backups ?? [],
  restoreBackup: (b: Backup) => request<unknown>('POST', '/api/backups/restore', { client: b.client, name: b.name }),
  clients: () => request<Clients>('GET', '/api/clients'),
  attachClient: (name: ClientName) => request<unknown>('POST', `/api/clients/${name}/attach`, { mode: 'proxy' }),
  detachClient: (name: ClientName) => request<unknown>('POST', `/api/clients/${name}/detach`),

  settings: () => request<Settings>('GET', '/api/settings'),
  putSettings: (patch: Partial<Settings>) => request<Settings>('PUT', '/api/settings', patch),
  reveal: (which: SecretName) => request<{ value: string }>('POST', '/api/settings/reveal', { which }),
  regenerate: (which: SecretName) => request<{ value: string }>('POST', '/api/settings/regenerate', { which }),
}
