import { queryString } from '../../api/client'

/** What the logs table is filtered by, as the user set it. */
export interface LogFilters {
  range: '' | '1h' | '24h' | '7d' | '30d'
  channel_id: string
  model: string
  status: '' | 'ok' | 'error' | '4xx' | '5xx'
  scenario: string
  q: string
}

export const EMPTY_FILTERS: LogFilters = { range: '24h', channel_id: '', model: '', status: '', scenario: '', q: '' }

const RANGE_MS: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 }

/** The GET /api/logs query string for filters, a cursor and a page size; now pins "from". */
export function logsQuery(f: LogFilters, cursor: number | string, limit: number, now: number = Date.now()): string {
  const ms = RANGE_MS[f.range]
  return queryString({
    from: ms ? new Date(now - ms).toISOString() : undefined,
    channel_id: f.channel_id,
    model: f.model.trim(),
    status: f.status,
    scenario: f.scenario,
    q: f.q.trim(),
    cursor,
    limit,
  })
}

/** Pretty-prints a captured body when it is JSON; other text is returned as is. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2)
  } catch {
    return body
  }
}
