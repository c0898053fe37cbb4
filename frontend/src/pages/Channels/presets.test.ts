import { describe, expect, it } from 'vitest'
import { CHANNEL_TYPES, PRESET_GROUPS } from '../../api/types'
import { PRESETS } from './presets'
import { byPriority, dropIndex, move } from './reorder'

describe('presets', () => {
  it('come from the one JSON file the CLI reads, each id once', () => {
    const ids = PRESETS.map((p) => p.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(['anthropic', 'openai', 'openai-responses', 'gemini', 'deepseek', 'deepseek-anthropic', 'minimax', 'ollama']))
  })
  it('have a known type and group, an http(s) base URL without a trailing slash, and suggested models', () => {
    for (const p of PRESETS) {
      expect(CHANNEL_TYPES, p.id).toContain(p.type)
      expect(PRESET_GROUPS, p.id).toContain(p.group)
      expect(p.base_url, p.id).toMatch(/^https?:\/\/[^/]+(\/.*[^/])?$/)
      expect(p.models.length, p.id).toBeGreaterThan(0)
      expect(p.docs_url, p.id).toMatch(/^https:\/\//)
    }
  })
  it('give OpenAI-compatible vendors a versioned path and native ones none', () => {
    for (const p of PRESETS) {
      if (p.type === 'openai' || p.type === 'openai-responses') expect(p.base_url, p.id).toMatch(/\/v\d+$|\/compatible-mode\/v1$/)
      else if (p.type === 'gemini') expect(new URL(p.base_url).pathname, p.id).toBe('/')
      else expect(new URL(p.base_url).pathname, p.id).not.toMatch(/\/v1/)
    }
  })
})

describe('reorder', () => {
  it('moves an item down and up without touching the input', () => {
    const list = ['a', 'b', 'c', 'd']
    expect(move(list, 0, 2)).toEqual(['b', 'c', 'a', 'd'])
    expect(move(list, 3, 0)).toEqual(['d', 'a', 'b', 'c'])
    expect(move(list, 1, 99)).toEqual(['a', 'c', 'd', 'b'])
    expect(list).toEqual(['a', 'b', 'c', 'd'])
  })
  it('drops below every row whose middle the pointer passed', () => {
    const mids = [10, 30, 50, 70]
    expect(dropIndex(mids, 0, 5)).toBe(0)
    expect(dropIndex(mids, 0, 55)).toBe(2)
    expect(dropIndex(mids, 3, 25)).toBe(1)
    expect(dropIndex(mids, 1, 999)).toBe(3)
  })
  it('sorts by priority, then id', () => {
    expect(byPriority([{ id: 2, priority: 1 }, { id: 1, priority: 1 }, { id: 3, priority: 0 }]).map((c) => c.id)).toEqual([3, 1, 2])
  })
})
