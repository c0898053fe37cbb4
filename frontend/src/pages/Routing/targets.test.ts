import { describe, expect, it } from 'vitest'
import { SAMPLE_REQUEST, formatTarget, parseTarget, ruleErrors } from './targets'

describe('targets', () => {
  it('split "channel,model" and keep a bare channel', () => {
    expect(parseTarget('openrouter,openai/gpt-5')).toEqual({ channel: 'openrouter', model: 'openai/gpt-5' })
    expect(parseTarget('anthropic')).toEqual({ channel: 'anthropic', model: '' })
    expect(formatTarget('a', ' m ')).toBe('a,m')
    expect(formatTarget('a', '')).toBe('a')
  })
  it('find the errors of one rule by index', () => {
    const fields = { 'rules[2].expr': 'bad', 'rules[2].targets[0]': 'unknown', 'rules[1].name': 'dup', 'rules[2]': 'whole' }
    expect(ruleErrors(fields, 2)).toEqual({ expr: 'bad', targets: 'unknown', _: 'whole' })
    expect(ruleErrors(fields, 0)).toEqual({})
  })
  it('offer a sample request that is valid JSON in the Anthropic shape', () => {
    const body = JSON.parse(SAMPLE_REQUEST) as { model: string; messages: unknown[] }
    expect(body.model).toMatch(/^claude-/)
    expect(body.messages.length).toBeGreaterThan(0)
  })
})
