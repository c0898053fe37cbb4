import { afterEach, describe, expect, it } from 'vitest'
import { pushLive, requestEvents } from './live'
import { parseHash } from './router'
import { THEME_KEY, applyTheme, resolveDark, setTheme, storedTheme } from './theme'
import type { RequestEvent } from '../api/types'

const ev = (model: string): RequestEvent => ({
  time: '2026-01-01T00:00:00Z', channel: 'c', model, status: 200, latency_ms: 1, ttft_ms: 1, input_tokens: 1, output_tokens: 1, cost_usd: 0, scenario: 'default', attempts: 1,
})

describe('router', () => {
  it.each([
    ['', 'dashboard'], ['#/', 'dashboard'], ['#/logs', 'logs'], ['#/routing?x=1', 'routing'], ['#settings', 'settings'], ['#/nope', 'dashboard'],
  ])('reads %j as %s', (hash, page) => {
    expect(parseHash(hash)).toBe(page)
  })
})

describe('theme', () => {
  afterEach(() => localStorage.clear())
  it('is dark for dark, and for system when the OS prefers dark', () => {
    expect(resolveDark('dark', false)).toBe(true)
    expect(resolveDark('light', true)).toBe(false)
    expect(resolveDark('system', true)).toBe(true)
    expect(resolveDark('system', false)).toBe(false)
  })
  it('stores the choice and puts the dark class on <html>', () => {
    expect(storedTheme()).toBe('system')
    setTheme('dark')
    expect(localStorage.getItem(THEME_KEY)).toBe('dark')
    expect(document.documentElement.classList.contains('dark')).toBe(true)
    setTheme('light')
    expect(document.documentElement.classList.contains('dark')).toBe(false)
    localStorage.setItem(THEME_KEY, 'bogus')
    expect(storedTheme()).toBe('system')
    applyTheme()
  })
})

describe('live events', () => {
  it('keeps the newest first and at most the limit', () => {
    let list: RequestEvent[] = []
    for (const m of ['a', 'b', 'c']) list = pushLive(list, ev(m), 2)
    expect(list.map((e) => e.model)).toEqual(['c', 'b'])
  })
  it('takes the request events of a polled batch in sequence order', () => {
    const got = requestEvents([
      { seq: 3, topic: 'request', data: ev('late') },
      { seq: 2, topic: 'health', data: {} },
      { seq: 1, topic: 'request', data: ev('early') },
      { seq: 4, topic: 'request', data: null },
    ])
    expect(got.map((e) => e.model)).toEqual(['early', 'late'])
    expect(requestEvents(null)).toEqual([])
  })
  it('reads the engine shape: nested tokens and "cost"', () => {
    const [got] = requestEvents([{ seq: 1, topic: 'request', data: {
      time: '2026-01-01T00:00:00Z', channel: 'a', model: 'm', status: 200, latency_ms: 5, ttft_ms: 2,
      tokens: { input: 42, output: 7 }, cost: 0.25, scenario: 'default', attempts: 1 } }])
    expect(got).toMatchObject({ channel: 'a', input_tokens: 42, output_tokens: 7, cost_usd: 0.25, latency_ms: 5 })
  })
})

describe('unsaved edits hold navigation', () => {
  it('asks before leaving, and leaves only when told', async () => {
    const { renderHook } = await import('@testing-library/react')
    const router = await import('./router')
    window.location.hash = '#/routing'
    window.dispatchEvent(new HashChangeEvent('hashchange'))
    const held = renderHook(({ dirty }) => router.useUnsavedEdits(dirty), { initialProps: { dirty: true } })
    const pending = renderHook(() => router.usePendingNavigation())
    router.navigate('logs')
    expect(window.location.hash).toBe('#/routing')
    await waitForValue(() => pending.result.current, 'logs')
    router.cancelLeave()
    await waitForValue(() => pending.result.current, null)
    expect(window.location.hash).toBe('#/routing')
    router.navigate('logs')
    router.confirmLeave()
    expect(window.location.hash).toBe('#/logs')
    held.rerender({ dirty: false })
    held.unmount()
    pending.unmount()
  })
})

async function waitForValue<T>(get: () => T, want: T) {
  for (let i = 0; i < 50 && get() !== want; i++) await new Promise((r) => setTimeout(r, 10))
  expect(get()).toBe(want)
}
