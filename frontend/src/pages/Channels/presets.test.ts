import { describe, expect, it } from 'vitest'
import { CHANNEL_TYPES } from '../../api/types'
import { PRESETS } from './presets'
import { byPriority, dropIndex, move } from './reorder'

describe('presets', () => {
  it('cover the twelve vendors the issue names, each once, and the OpenAI Responses API', () => {
    expect(PRESETS.map((p) => p.key)).toEqual([
      'anthropic', 'openai', 'openai-responses', 'gemini', 'deepseek', 'kimi', 'zhipu', 'qwen', 'minimax', 'openrouter', 'siliconflow', 'groq', 'ollama',
    ])
  })
  it('have a known type, an http(s) base URL without a trailing slash, and suggested models', () => {
    for (const p of PRESETS) {
      expect(CHANNEL_TYPES, p.key).toContain(p.type)
      expect(p.base_url, p.key).toMatch(/^https?:\/\/[^/]+(\/.*[^/])?$/)
      expect(p.models.length, p.key).toBeGreaterThan(0)
      expect(p.docs, p.key).toMatch(/^https:\/\//)
    }
  })
  it('give OpenAI-compatible vendors a versioned path and native ones none', () => {
    for (const p of PRESETS) {
      if (p.type === 'openai' || p.type === 'openai-responses') expect(p.base_url, p.key).toMatch(/\/v\d+$|\/compatible-mode\/v1$/)
      else expect(new URL(p.base_url).pathname, p.key).toBe('/')
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
