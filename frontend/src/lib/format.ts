// Locale-aware formatting of numbers, durations, costs and times. Pure: the
// locale and "now" are parameters so tests pin them.

/** A count with grouping ("12,345" / "12,345"); compact ("12K") above 100k when asked. */
export function formatNumber(n: number, locale: string, compact = false): string {
  if (!Number.isFinite(n)) return '–'
  if (compact && Math.abs(n) >= 100_000) {
    return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(n)
  }
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n)
}

/** A ratio 0..1 as a percentage with one decimal ("98.5%"). */
export function formatPercent(ratio: number, locale: string): string {
  if (!Number.isFinite(ratio)) return '–'
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio)
}

/** Milliseconds as "850 ms" below a second, else "1.25 s" / "75 s". */
export function formatDuration(ms: number | undefined | null, locale: string): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms <= 0) return '–'
  if (ms < 1000) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: ms < 10 ? 1 : 0 }).format(ms)} ms`
  const digits = ms < 10_000 ? 2 : ms < 100_000 ? 1 : 0
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(ms / 1000)} s`
}

/** US dollars: four decimals under $1 (API costs are small), two above. */
export function formatCost(usd: number | undefined | null, locale: string): string {
  if (usd === undefined || usd === null || !Number.isFinite(usd)) return '–'
  const digits = Math.abs(usd) < 1 ? 4 : 2
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    // "$" in every locale: zh would otherwise say "US$".
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(usd)
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
]

/** "5 minutes ago" / "in 2 hours" / "now" in the given locale. */
export function formatRelative(time: string | number | Date, locale: string, now: number = Date.now()): string {
  const t = new Date(time).getTime()
  if (!Number.isFinite(t)) return '–'
  const diff = t - now
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return rtf.format(Math.round(diff / ms), unit)
  }
  return rtf.format(0, 'second')
}

/** Date and time, short ("Nov 26, 13:05:12"). */
export function formatTime(time: string | number | Date, locale: string): string {
  const d = new Date(time)
  if (!Number.isFinite(d.getTime())) return '–'
  return new Intl.DateTimeFormat(locale, {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(d)
}

/** The tick label of a timeline bucket: hours for a day, dates for longer ranges. */
export function formatBucket(time: string, locale: string, bucket: string): string {
  const d = new Date(time)
  if (!Number.isFinite(d.getTime())) return ''
  if (bucket === 'day') return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' }).format(d)
  if (bucket === 'hour') return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(d)
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(d)
}

/** How a value moved against the previous period. */
export interface Change {
  /** Relative change (0.25 = +25 %); null when there is nothing to compare with. */
  ratio: number | null
  direction: 'up' | 'down' | 'flat'
  /** Whether the move is good news for this metric (more requests good, more latency bad). */
  good: boolean | null
}

/**
 * Compares current with previous. higherIsBetter says which way is good;
 * null means neither (tokens, cost), so the colour stays neutral.
 */
export function change(current: number, previous: number | undefined, higherIsBetter: boolean | null): Change {
  if (previous === undefined || !Number.isFinite(previous) || !Number.isFinite(current)) {
    return { ratio: null, direction: 'flat', good: null }
  }
  if (previous === 0) {
    if (current === 0) return { ratio: 0, direction: 'flat', good: null }
    // Nothing to compare with: "new", in a neutral colour.
    return { ratio: null, direction: current > 0 ? 'up' : 'down', good: null }
  }
  const ratio = (current - previous) / Math.abs(previous)
  if (Math.abs(ratio) < 0.0005) return { ratio: 0, direction: 'flat', good: null }
  const direction = ratio > 0 ? 'up' : 'down'
  return { ratio, direction, good: higherIsBetter === null ? null : higherIsBetter === (direction === 'up') }
}

/** The bucket size that suits a range. */
export function bucketFor(range: string): 'hour' | 'day' {
  return range === '24h' ? 'hour' : 'day'
}
