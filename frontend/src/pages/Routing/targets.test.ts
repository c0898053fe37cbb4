import { describe, expect, it } from 'vitest'
import { SAMPLE_REQUEST, formatTarget, mergeRoutes, parseTarget, routesKey, ruleErrors, targetWarning } from './targets'

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

describe('targetWarning', () => {
  const ds = { models: ['deepseek-chat', 'deepseek-reasoner'] }
  it('warns where "as requested" falls back to the first model, not where a model map decides', () => {
    expect(targetWarning(ds, '')).toMatchObject({ kind: 'fallback', model: 'deepseek-chat' })
    expect(targetWarning({ ...ds, model_map: { 'claude-*': 'deepseek-chat' } }, '')).toBeNull()
    expect(targetWarning({ models: [] }, '')).toBeNull()
  })
  it('flags a model the channel does not list', () => {
    expect(targetWarning(ds, 'claude-sonnet-4-5')).toMatchObject({ kind: 'missing' })
    expect(targetWarning(ds, 'deepseek-reasoner')).toBeNull()
  })
})

describe('mergeRoutes', () => {
  const base = { strategy: 'priority', routes: { default: ['a', 'b'] }, strategies: {}, long_context_threshold: 60000, background_model: '', rules: [] }
  it('puts only the user\'s edits on top of the server\'s routes', () => {
    const draft = { ...base, strategy: 'round_robin' }
    const server = { ...base, routes: { default: ['b', 'a'] } }
    expect(mergeRoutes(base, draft, server)).toMatchObject({ strategy: 'round_robin', routes: { default: ['b', 'a'] } })
  })
  it('takes the user\'s route where the user edited it', () => {
    const draft = { ...base, routes: { default: ['a'], think: ['b'] } }
    const server = { ...base, routes: { default: ['b', 'a'] }, long_context_threshold: 90000 }
    expect(mergeRoutes(base, draft, server)).toMatchObject({ routes: { default: ['a'], think: ['b'] }, long_context_threshold: 90000 })
  })
  it('compares routes by content', () => {
    expect(routesKey({ a: [], b: 1, c: undefined, d: null })).toBe(routesKey({ b: 1 }))
  })
})
