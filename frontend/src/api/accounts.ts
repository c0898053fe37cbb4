// The admin API's endpoints about the channels' provider accounts:
// balances, the providers' model lists and recent latency.
import { request } from './client'
import type { Balance, BalanceThresholds, ChannelLatency, ModelList, NewChannel } from './types'

type Loose = Record<string, unknown>
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** A balance as the engine sends it, with anything missing made explicit. */
export function normalizeBalance(raw: unknown): Balance | null {
  if (typeof raw !== 'object' || raw === null) return null
  const b = raw as Loose
  const id = num(b.channel_id)
  if (id === null) return null
  const level = str(b.level)
  return {
    channel_id: id,
    channel: str(b.channel),
    remaining: num(b.remaining),
    used: num(b.used),
    unit: str(b.unit),
    available: typeof b.available === 'boolean' ? b.available : undefined,
    reset_at: str(b.reset_at) || null,
    updated_at: str(b.updated_at) || null,
    checked_at: str(b.checked_at) || null,
    error: str(b.error),
    level: level === 'ok' || level === 'low' || level === 'exhausted' ? level : 'unknown',
    provider: str(b.provider),
    docs: str(b.docs) || undefined,
  }
}

export interface BalanceList {
  balances: Balance[]
  thresholds: BalanceThresholds
}

function normalizeList(raw: unknown): BalanceList {
  const d = (typeof raw === 'object' && raw !== null ? raw : {}) as Loose
  const list = Array.isArray(d.balances) ? d.balances.map(normalizeBalance).filter((b): b is Balance => b !== null) : []
  const th = (typeof d.thresholds === 'object' && d.thresholds !== null ? d.thresholds : {}) as Partial<BalanceThresholds>
  return { balances: list, thresholds: { warn: th.warn ?? {}, floor: th.floor ?? {} } }
}

function normalizeModels(raw: unknown): ModelList {
  const d = (typeof raw === 'object' && raw !== null ? raw : {}) as Loose
  const models = Array.isArray(d.models) ? d.models.filter((m): m is string => typeof m === 'string') : []
  return { models, error: str(d.error), updated_at: str(d.updated_at) || null }
}

export const accountsApi = {
  balances: async () => normalizeList(await request<unknown>('GET', '/api/balances')),
  refreshBalances: async () => normalizeList(await request<unknown>('POST', '/api/balances/refresh')),
  refreshBalance: async (id: number) => normalizeBalance(await request<unknown>('POST', `/api/channels/${id}/balance/refresh`)),
  channelModels: async (id: number, refresh = false) =>
    normalizeModels(await request<unknown>('GET', `/api/channels/${id}/models${refresh ? '?refresh=1' : ''}`)),
  draftModels: async (c: Partial<NewChannel> & { id?: number; api_keys?: string[] }) =>
    normalizeModels(await request<unknown>('POST', '/api/channels/models', c)),
  latency: async (range = '1h'): Promise<ChannelLatency[]> => {
    const d = await request<{ channels?: unknown }>('GET', `/api/stats/latency?range=${range}`)
    const list = Array.isArray(d?.channels) ? d.channels : []
    return list.flatMap((c) => {
      const l = (typeof c === 'object' && c !== null ? c : {}) as Loose
      const id = num(l.channel_id)
      if (id === null) return []
      return [{ channel_id: id, requests: num(l.requests) ?? 0, failed: num(l.failed) ?? 0,
        success_rate: num(l.success_rate) ?? 0, p50_ttft_ms: num(l.p50_ttft_ms) ?? 0 }]
    })
  },
}
