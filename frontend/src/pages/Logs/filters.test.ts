import { describe, expect, it } from 'vitest'
import { EMPTY_FILTERS, logsQuery, prettyBody } from './filters'

const now = Date.parse('2026-01-02T00:00:00Z')

describe('logsQuery', () => {
  it('turns the default filters into a from time and the page size', () => {
    expect(logsQuery(EMPTY_FILTERS, '', 50, now)).toBe('?from=2026-01-01T00%3A00%3A00.000Z&limit=50')
  })
  it('leaves out empty filters and keeps the set ones, trimmed', () => {
    const qs = logsQuery({ range: '', channel_id: '3', model: ' claude ', status: '5xx', scenario: 'think', q: 'boom' }, 'c42', 20, now)
    expect(qs).toBe('?channel_id=3&model=claude&status=5xx&scenario=think&q=boom&cursor=c42&limit=20')
  })
})

describe('prettyBody', () => {
  it('indents JSON and leaves other text alone', () => {
    expect(prettyBody('{"a":1}')).toBe('{\n  "a": 1\n}')
    expect(prettyBody('data: x')).toBe('data: x')
  })
})
