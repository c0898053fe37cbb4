import { describe, expect, it } from 'vitest'
import type { ApiKey } from '../../api/types'
import { EMPTY_KEY, dateOf, draftOfKey, endOfDay, keyState, spentRatio, splitList, toKeyInput } from './keyForm'

const usage = { requests: 0, tokens: 0, cost_usd: 0, resets_at: '' }
const key: ApiKey = {
  id: 3, name: 'alice', owner: 'alice@example.com', prefix: 'rtx-1a2b3c4d', expires_at: null, expired: false,
  models: ['claude-*'], channels: [], rpm: 60, tpm: 0, budget_daily_usd: 5, budget_monthly_usd: 0, revoked: false,
  revoked_at: null, created_at: '', updated_at: '', usage: { minute: usage, today: usage, month: usage },
}

describe('key form', () => {
  it('splits lists by commas and lines, dropping blanks', () => {
    expect(splitList(' claude-* , gpt-4.1\n\n,deepseek-chat ')).toEqual(['claude-*', 'gpt-4.1', 'deepseek-chat'])
    expect(splitList('')).toEqual([])
  })

  it('turns a draft into the body: blanks are no limit, words are NaN for the engine to name', () => {
    const body = toKeyInput({ ...EMPTY_KEY, name: ' bob ', models: 'gpt-*', rpm: '30', tpm: '', daily: '2.5', monthly: 'lots' })
    expect(body).toMatchObject({ name: 'bob', owner: '', expires_at: null, models: ['gpt-*'], channels: [], rpm: 30, tpm: 0, budget_daily_usd: 2.5 })
    expect(Number.isNaN(body.budget_monthly_usd)).toBe(true)
  })

  it('an expiry date means the end of that local day, and reads back as the same date', () => {
    const at = endOfDay('2031-07-04')
    expect(at).toBe(new Date('2031-07-04T23:59:59').toISOString())
    expect(dateOf(at)).toBe('2031-07-04')
    expect(endOfDay('')).toBeNull()
    expect(dateOf(null)).toBe('')
  })

  it('an existing key fills the draft; zero limits show blank', () => {
    expect(draftOfKey(key)).toEqual({ ...EMPTY_KEY, name: 'alice', owner: 'alice@example.com', models: 'claude-*', rpm: '60', daily: '5' })
  })

  it('names the state and the share of a budget spent', () => {
    expect(keyState(key)).toBe('active')
    expect(keyState({ ...key, expired: true })).toBe('expired')
    expect(keyState({ ...key, expired: true, revoked: true })).toBe('revoked')
    expect(spentRatio(1.25, 5)).toBe(0.25)
    expect(spentRatio(3, 0)).toBe(0)
  })
})
