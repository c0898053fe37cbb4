// The one typed client for the engine's admin API (same-origin /api/...).
//
// In a browser the engine wants `Authorization: Bearer <admin token>`; inside
// the desktop window the same calls pass without one. The token therefore
// lives in sessionStorage only once the engine has asked for it (a 401).

export const CHANNEL_TYPES = ['anthropic', 'openai', 'gemini'] as const
export type ChannelType = (typeof CHANNEL_TYPES)[number]

/** A channel as the engine returns it; the API key itself is never read back. */
export interface Channel {
  id: number
  name: string
  type: ChannelType
  base_url: string
  api_key_preview: string
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
}

/** A partial update for PATCH /api/channels/{id}. */
export type ChannelPatch = Partial<Omit<NewChannel, 'api_key'>> & { api_key?: string }

export interface Health {
  status: string
  version: string
}

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
  if (body !== undefined) headers['Content-Type'] = 'application/json'

  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
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

export const api = {
  health: () => request<Health>('GET', '/health'),
  listChannels: async (): Promise<Channel[]> => {
    const res = await request<{ channels: Channel[] | null }>('GET', '/api/channels')
    return res.channels ?? []
  },
  createChannel: (c: NewChannel) => request<Channel>('POST', '/api/channels', c),
  updateChannel: (id: number, patch: ChannelPatch) =>
    request<Channel>('PATCH', `/api/channels/${id}`, patch),
  deleteChannel: (id: number) => request<void>('DELETE', `/api/channels/${id}`),
}
