// The channel editor's form state and its translation to and from the
// engine's channel JSON. Pure: tested without a browser.
import type { BalanceQuery, Channel, ChannelPatch, ChannelType, ClaudeModels, NewChannel } from '../../api/types'
import { PRESETS } from './presets'

let seq = 0
/** A key for a list row that stays put while rows are added and removed. */
export function rowId(): string {
  seq += 1
  return `r${seq}`
}

/** One API key row: a stored key (by index, shown as its preview) or a new one typed in. */
export interface KeyRow {
  id: string
  /** The stored key's index; undefined for a key typed in this editor. */
  stored?: number
  preview?: string
  value: string
}

export interface MapRow {
  id: string
  from: string
  to: string
}

export interface HeaderRow {
  id: string
  name: string
  value: string
}

export interface TransformerRow {
  id: string
  name: string
  /** The options as JSON text ("" for none). */
  options: string
}

export interface Draft {
  name: string
  type: ChannelType
  base_url: string
  keys: KeyRow[]
  models: string[]
  modelMap: MapRow[]
  headers: HeaderRow[]
  /** The transformers as rows, or as raw JSON when they use model groups. */
  transformers: TransformerRow[]
  transformersJSON: string
  transformersRaw: boolean
  timeoutMS: string
  priority: string
  weight: string
  enabled: boolean
  /** The preset it was filled from, for its key and docs links. */
  preset: string
  /** Claude Code's model slots; empty ones are left to routing. */
  claude_models: ClaudeModels
  /** null: the built-in balance query of a known provider. */
  balance_query: BalanceQuery | null
}

export const EMPTY: Draft = {
  name: '', type: 'openai', base_url: '', keys: [], models: [], modelMap: [], headers: [], transformers: [], transformersJSON: '[]',
  transformersRaw: false, timeoutMS: '0', priority: '1', weight: '1', enabled: true, preset: '', claude_models: {}, balance_query: null,
}

/** Splits "a, b,,c " (or one per line) into ["a","b","c"]. */
export function splitList(s: string): string[] {
  return s
    .split(/[,\n]/)
    .map((m) => m.trim())
    .filter((m) => m !== '')
}

/** Hosts that run on this machine or network need no key (Ollama, LM Studio). */
export function isLocalURL(url: string): boolean {
  try {
    const h = new URL(url).hostname.replace(/^\[|\]$/g, '')
    return h === 'localhost' || h.endsWith('.local') || h === '::1' || h === '0.0.0.0' || /^127\./.test(h) || /^10\./.test(h) ||
      /^192\.168\./.test(h) || /^172\.(1[6-9]|2\d|3[01])\./.test(h)
  } catch {
    return false
  }
}

/** Whether a channel needs an API key: not for a local server, nor for a preset that takes none. */
export function needsKey(baseURL: string, presetId = ''): boolean {
  const byId = PRESETS.find((p) => p.id === presetId)
  if (byId) return byId.needs_key && !isLocalURL(baseURL)
  const byURL = PRESETS.find((p) => p.base_url === baseURL.trim().replace(/\/+$/, ''))
  if (byURL && !byURL.needs_key) return false
  return !isLocalURL(baseURL)
}

/** Whether a stored channel has at least one key. */
export function hasKey(c: Channel): boolean {
  return (c.key_count ?? 0) > 0 || !!c.api_key_preview
}

/** The transformers JSON as editor rows; null when it uses model groups (edited as JSON). */
export function transformerRows(raw: unknown[]): TransformerRow[] | null {
  const rows: TransformerRow[] = []
  for (const e of raw) {
    if (typeof e === 'string') rows.push({ id: rowId(), name: e, options: '' })
    else if (Array.isArray(e) && typeof e[0] === 'string' && e.length <= 2) {
      rows.push({ id: rowId(), name: e[0], options: e[1] === undefined ? '' : JSON.stringify(e[1], null, 2) })
    } else if (e && typeof e === 'object' && !Array.isArray(e) && typeof (e as { name?: unknown }).name === 'string') {
      const { name, ...opts } = e as { name: string }
      rows.push({ id: rowId(), name, options: Object.keys(opts).length ? JSON.stringify(opts, null, 2) : '' })
    } else {
      return null
    }
  }
  return rows
}

/** The editor's draft of a stored channel: keys as their previews, nothing secret. */
export function draftOf(c: Channel): Draft {
  const previews = c.api_key_previews?.length ? c.api_key_previews : c.api_key_preview ? [c.api_key_preview] : []
  const rows = transformerRows(c.transformers ?? [])
  return {
    name: c.name, type: c.type, base_url: c.base_url,
    keys: previews.map((p, i) => ({ id: rowId(), stored: i, preview: p, value: '' })),
    models: [...(c.models ?? [])],
    modelMap: Object.entries(c.model_map ?? {}).map(([from, to]) => ({ id: rowId(), from, to })),
    headers: Object.entries(c.headers ?? {}).map(([name, value]) => ({ id: rowId(), name, value })),
    transformers: rows ?? [],
    transformersJSON: JSON.stringify(c.transformers ?? [], null, 2),
    transformersRaw: rows === null,
    timeoutMS: String(c.timeout_ms ?? 0),
    priority: String(c.priority), weight: String(c.weight || 1), enabled: c.enabled, preset: '',
    claude_models: c.claude_models ?? {}, balance_query: c.balance_query ?? null,
  }
}

function num(s: string, fallback: number): number {
  if (s.trim() === '') return fallback
  const n = Number(s.trim())
  // A non-number is sent as NaN (null on the wire) so the engine's range check names the field.
  return Number.isFinite(n) ? n : NaN
}

/** A problem the editor finds before asking the engine: field → locale key. */
export type DraftErrors = Partial<Record<'name' | 'base_url' | 'api_key' | 'transformers' | 'model_map' | 'headers', string>>

/** The transformers as the engine's JSON, or the row (by index) whose options are not valid JSON. */
export function transformersOf(d: Draft): { value: unknown[] } | { bad: number | 'json' } {
  if (d.transformersRaw) {
    try {
      const v: unknown = JSON.parse(d.transformersJSON || '[]')
      return Array.isArray(v) ? { value: v } : { bad: 'json' }
    } catch {
      return { bad: 'json' }
    }
  }
  const out: unknown[] = []
  for (const [i, r] of d.transformers.entries()) {
    if (!r.name) continue
    if (!r.options.trim()) {
      out.push(r.name)
      continue
    }
    try {
      const o: unknown = JSON.parse(r.options)
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return { bad: i }
      out.push(Object.keys(o).length ? [r.name, o] : r.name)
    } catch {
      return { bad: i }
    }
  }
  return { value: out }
}

/** What the editor refuses to send: a missing name, URL or key, options that are not JSON. */
export function validate(d: Draft): DraftErrors {
  const e: DraftErrors = {}
  if (!d.name.trim()) e.name = 'form.errors.name'
  if (!d.base_url.trim()) e.base_url = 'form.errors.baseUrl'
  if (needsKey(d.base_url, d.preset) && !d.keys.some((k) => k.stored !== undefined || k.value.trim())) e.api_key = 'form.errors.noKey'
  if ('bad' in transformersOf(d)) e.transformers = 'form.errors.transformerJSON'
  if (d.modelMap.some((r) => !r.from.trim() !== !r.to.trim())) e.model_map = 'form.errors.modelMap'
  if (d.headers.some((h) => !h.name.trim() && h.value.trim())) e.headers = 'form.errors.headerName'
  return e
}

/** The parts every write sends. */
function common(d: Draft): Omit<NewChannel, 'api_key'> {
  const tr = transformersOf(d)
  return {
    name: d.name.trim(),
    type: d.type,
    base_url: d.base_url.trim(),
    models: d.models,
    model_map: Object.fromEntries(d.modelMap.filter((r) => r.from.trim() && r.to.trim()).map((r) => [r.from.trim(), r.to.trim()])),
    headers: Object.fromEntries(d.headers.filter((h) => h.name.trim()).map((h) => [h.name.trim(), h.value])),
    transformers: 'value' in tr ? tr.value : [],
    timeout_ms: num(d.timeoutMS, 0),
    priority: num(d.priority, 1),
    weight: num(d.weight, 1),
    enabled: d.enabled,
    claude_models: cleanSlots(d.claude_models),
    // {} is the built-in query (null would leave the stored one as it is).
    balance_query: d.balance_query ?? {},
  }
}

/** The slots that are set, trimmed. */
export function cleanSlots(m: ClaudeModels): ClaudeModels {
  const out: ClaudeModels = {}
  for (const [k, v] of Object.entries(m) as [keyof ClaudeModels, string | undefined][]) {
    if (v && v.trim()) out[k] = v.trim()
  }
  return out
}

/** The body of POST /api/channels (and of a test of an unsaved channel). */
export function toNewChannel(d: Draft): NewChannel {
  const keys = d.keys.map((k) => k.value.trim()).filter(Boolean)
  const out: NewChannel = { ...common(d), api_key: keys.length === 1 ? (keys[0] ?? '') : '' }
  if (keys.length > 1) out.api_keys = keys
  return out
}

/**
 * The body of PATCH /api/channels/{id}: the stored keys kept (by index) and
 * the new ones; the key fields are left out when the keys did not change.
 */
export function toPatch(d: Draft, storedCount: number): ChannelPatch {
  const out: ChannelPatch = { ...common(d) }
  const kept = d.keys.filter((k) => k.stored !== undefined).map((k) => k.stored as number)
  const fresh = d.keys.map((k) => (k.stored === undefined ? k.value.trim() : '')).filter(Boolean)
  const unchanged = fresh.length === 0 && kept.length === storedCount && kept.every((k, i) => k === i)
  if (!unchanged) {
    out.keep_keys = kept
    if (fresh.length) out.api_keys = fresh
  }
  return out
}
