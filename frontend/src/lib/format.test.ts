import { describe, expect, it } from 'vitest'
import { bucketFor, change, formatCost, formatDuration, formatNumber, formatPercent, formatRelative } from './format'

describe('formatNumber', () => {
  it.each([
    ['groups thousands in English', 12345, 'en', false, '12,345'],
    ['stays exact below 100k even when compact', 99999, 'en', true, '99,999'],
    ['goes compact above 100k when asked', 1_250_000, 'en', true, '1.3M'],
    ['shows a dash for NaN', NaN, 'en', false, '–'],
  ])('%s', (_name, n, locale, compact, want) => {
    expect(formatNumber(n, locale, compact)).toBe(want)
  })
})

describe('formatDuration', () => {
  it.each([
    ['milliseconds under a second', 850, '850 ms'],
    ['a tenth of a millisecond under ten', 1.53, '1.5 ms'],
    ['seconds with two decimals under ten', 1234, '1.23 s'],
    ['seconds with one decimal under a hundred', 75_400, '75.4 s'],
    ['a dash for zero (not measured)', 0, '–'],
    ['a dash for undefined', undefined, '–'],
  ])('%s', (_name, ms, want) => {
    expect(formatDuration(ms, 'en')).toBe(want)
  })
})

describe('formatCost', () => {
  it.each([
    ['four decimals under a dollar', 0.01234, '$0.0123'],
    ['two decimals from a dollar up', 12.5, '$12.50'],
    ['zero with four decimals', 0, '$0.0000'],
  ])('%s', (_name, usd, want) => {
    expect(formatCost(usd, 'en')).toBe(want)
  })
})

describe('formatPercent and formatRelative', () => {
  it('formats a ratio as a percentage', () => {
    expect(formatPercent(0.985, 'en')).toBe('98.5%')
  })
  it('says how long ago in the locale', () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    expect(formatRelative('2026-01-01T11:55:00Z', 'en', now)).toBe('5 minutes ago')
    expect(formatRelative('2026-01-01T11:55:00Z', 'zh', now)).toBe('5分钟前')
    expect(formatRelative(now, 'en', now)).toBe('now')
  })
})

describe('change', () => {
  it.each([
    ['more requests is good news', 120, 100, true, { direction: 'up', good: true }],
    ['more latency is bad news', 300, 200, false, { direction: 'up', good: false }],
    ['less latency is good news', 100, 200, false, { direction: 'down', good: true }],
    ['cost moves without a verdict', 2, 1, null, { direction: 'up', good: null }],
    ['no previous period gives no ratio', 5, undefined, true, { ratio: null, direction: 'flat', good: null }],
    ['from zero is up without a ratio or a verdict', 5, 0, true, { ratio: null, direction: 'up', good: null }],
    ['zero to zero is flat', 0, 0, true, { ratio: 0, direction: 'flat' }],
  ] as const)('%s', (_name, cur, prev, hib, want) => {
    expect(change(cur, prev, hib)).toMatchObject(want)
  })
  it('computes the ratio against the previous value', () => {
    expect(change(150, 100, true).ratio).toBeCloseTo(0.5)
    expect(change(50, 100, true).ratio).toBeCloseTo(-0.5)
  })
  it('picks hourly buckets for a day and daily ones for longer', () => {
    expect(bucketFor('24h')).toBe('hour')
    expect(bucketFor('7d')).toBe('day')
  })
})

describe('words', async () => {
  const { formatIn, isFailover } = await import('./words')
  it('counts down in the user\'s language', () => {
    expect(formatIn(29_400, 'en')).toBe('30 sec')
    expect(formatIn(29_400, 'zh')).toBe('30秒')
    expect(formatIn(5 * 60_000, 'en')).toBe('5 min')
  })
  it('tells a failover from a straight answer', () => {
    expect(isFailover(1)).toBe(false)
    expect(isFailover(2)).toBe(true)
    expect(isFailover([])).toBe(false)
    expect(isFailover([{ channel: 'a', status: 0, latency_ms: 0, skipped: 'paused' }])).toBe(true)
  })
})
