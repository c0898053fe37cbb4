import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import i18n from '../../i18n'
import type { Balance, Channel } from '../../api/types'
import { formatAmount } from '../../lib/amount'
import { runPool } from '../../lib/pool'
import { BalanceBanner } from '../Dashboard/BalanceBanner'
import { rowsOf, thresholdsOf } from '../Settings/BalanceThresholds'
import { BalanceChip } from './BalanceChip'
import { BalanceQueryEditor, headersToText, queryMode, textToHeaders } from './BalanceQueryEditor'
import { ClaudeSlotsEditor } from './ClaudeSlotsEditor'
import { LatencyCell } from './LatencyCell'
import { ModelPicker } from './ModelPicker'
import { TestAllButton } from './TestAllButton'

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

function channel(over: Partial<Channel> = {}): Channel {
  return { id: 1, name: 'deepseek', type: 'openai', base_url: 'https://api.deepseek.com/v1', api_key_preview: 'sk-…1234', models: [],
    model_map: {}, priority: 1, weight: 1, enabled: true, headers: {}, transformers: [], timeout_ms: 0, created_at: '', updated_at: '', ...over }
}

function balance(over: Partial<Balance> = {}): Balance {
  return { channel_id: 1, channel: 'deepseek', remaining: 110, used: null, unit: 'CNY', reset_at: null, updated_at: new Date().toISOString(),
    error: '', level: 'ok', provider: 'deepseek', ...over }
}

function wrap(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return render(<QueryClientProvider client={qc}>{ui}</QueryClientProvider>)
}

const fetchMock = vi.fn<typeof fetch>()
beforeEach(async () => {
  await i18n.changeLanguage('en')
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => {
  cleanup()
  fetchMock.mockReset()
  vi.unstubAllGlobals()
})

describe('formatAmount', () => {
  it('writes currencies with their symbol and other units as words', () => {
    expect(formatAmount(110, 'CNY', 'en')).toBe('110.00 CNY')
    expect(formatAmount(1234.5, 'CNY', 'zh')).toBe('1,234.50 CNY')
    expect(formatAmount(3.5, 'USD', 'en')).toBe('3.50 USD')
    expect(formatAmount(1200, 'credits', 'en')).toBe('1,200 credits')
    expect(formatAmount(0.125, 'requests', 'en')).toBe('0.13 requests')
    expect(formatAmount(null, 'USD', 'en')).toBe('–')
  })
})

describe('BalanceChip', () => {
  it('shows the amount, marks a used-up account, and asks again on click', async () => {
    let list = [balance({ remaining: 0, level: 'exhausted' })]
    const posts: string[] = []
    fetchMock.mockImplementation(async (url, init) => {
      if (init?.method === 'POST') {
        posts.push(String(url))
        list = [balance({ remaining: 42.5, level: 'ok' })]
        return json(200, list[0])
      }
      return json(200, { balances: list, thresholds: { warn: { CNY: 5 }, floor: {} } })
    })
    wrap(<BalanceChip channel={channel()} now={Date.now()} />)
    const chip = await screen.findByTestId('balance-chip')
    expect(chip.dataset.level).toBe('exhausted')
    expect(screen.getByTestId('balance-amount').textContent).toContain('0.00 CNY · used up, skipped')
    fireEvent.click(screen.getByTestId('balance-refresh'))
    await waitFor(() => expect(screen.getByTestId('balance-amount').textContent).toContain('42.50 CNY'))
    expect(posts).toEqual(['/api/channels/1/balance/refresh'])
    expect(screen.getByTestId('balance-chip').dataset.level).toBe('ok')
  })

  it('says when the check failed, in Chinese too, and shows nothing without a query', async () => {
    fetchMock.mockImplementation(async () => json(200, { balances: [
      balance({ level: 'unknown', error: 'api.deepseek.com refused the key (HTTP 401)' }),
      balance({ channel_id: 2, channel: 'glm', provider: '', remaining: null, level: 'unknown' }),
    ] }))
    await i18n.changeLanguage('zh')
    wrap(<>
      <BalanceChip channel={channel()} now={Date.now()} />
      <div data-testid="glm"><BalanceChip channel={channel({ id: 2, name: 'glm' })} now={Date.now()} /></div>
    </>)
    expect((await screen.findByTestId('balance-error')).textContent).toBe('余额查询失败：api.deepseek.com refused the key (HTTP 401)')
    expect(screen.getByTestId('balance-amount').textContent).toContain('110.00 CNY')
    expect(screen.getByTestId('glm').textContent).toBe('')
  })
})

describe('LatencyCell', () => {
  it('shows the success rate and the median first-token time, or that there were no requests', async () => {
    fetchMock.mockImplementation(async () => json(200, { channels: [{ channel_id: 1, requests: 40, failed: 2, success_rate: 0.95, p50_ttft_ms: 620 }] }))
    wrap(<>
      <LatencyCell channel={channel()} />
      <div data-testid="quiet"><LatencyCell channel={channel({ id: 9 })} /></div>
    </>)
    expect((await screen.findByTestId('channel-success-rate')).textContent).toBe('95%')
    expect(screen.getByTestId('channel-ttft').textContent).toBe('620 ms to first token')
    expect(screen.getByTestId('quiet').textContent).toBe('no requests in 1 h')
  })
})

describe('runPool and TestAllButton', () => {
  it('runs at most four at a time and counts each as it finishes', async () => {
    let running = 0
    let peak = 0
    let done = 0
    await runPool([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, async () => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, 5))
      running--
    }, () => done++)
    expect(peak).toBe(4)
    expect(done).toBe(9)
  })

  it('shows progress while the tests run, and skips disabled channels', async () => {
    const release: (() => void)[] = []
    const run = vi.fn(() => new Promise<void>((r) => release.push(r)))
    const chs = [channel({ id: 1 }), channel({ id: 2, name: 'b' }), channel({ id: 3, name: 'off', enabled: false })]
    wrap(<TestAllButton channels={chs} run={run} />)
    fireEvent.click(screen.getByTestId('test-all'))
    expect((await screen.findByTestId('test-all-progress')).textContent).toBe('Testing 0/2…')
    expect(run).toHaveBeenCalledTimes(2) // both at once, not one after the other
    await act(async () => release.shift()?.())
    expect(screen.getByTestId('test-all-progress').textContent).toBe('Testing 1/2…')
    await act(async () => release.shift()?.())
    await waitFor(() => expect(screen.queryByTestId('test-all-progress')).toBeNull())
    expect(screen.getByTestId('test-all').textContent).toBe('Test all')
  })
})

describe('ModelPicker', () => {
  it('lists the provider models, toggles them, and says why a fetch failed', async () => {
    const toggled: string[] = []
    const fetchList = vi.fn().mockResolvedValueOnce({ models: ['glm-5.2', 'glm-4.5-air', 'embedding-3'], error: '', updated_at: null })
      .mockResolvedValueOnce({ models: [], error: 'the key was refused (HTTP 401)', updated_at: null })
    wrap(<ModelPicker fetch={fetchList} selected={['glm-5.2']} onToggle={(m) => toggled.push(m)} />)
    fireEvent.click(screen.getByTestId('fetch-models'))
    const options = await screen.findAllByTestId('model-option')
    expect(options.map((o) => o.textContent)).toEqual(['glm-5.2', 'glm-4.5-air', 'embedding-3'])
    expect(options[0]?.getAttribute('aria-pressed')).toBe('true')
    fireEvent.change(screen.getByTestId('model-filter'), { target: { value: 'AIR' } })
    expect(screen.getAllByTestId('model-option').map((o) => o.textContent)).toEqual(['glm-4.5-air'])
    fireEvent.click(screen.getByTestId('model-option'))
    expect(toggled).toEqual(['glm-4.5-air'])
    expect(document.querySelectorAll('#provider-models option')).toHaveLength(3)
    fireEvent.click(screen.getByTestId('fetch-models'))
    expect((await screen.findByTestId('models-error')).textContent).toBe('Could not fetch the models: the key was refused (HTTP 401)')
  })
})

describe('the account editors', () => {
  it('edit the Claude Code slots', () => {
    const onChange = vi.fn()
    wrap(<ClaudeSlotsEditor value={{ opus: 'glm-5.2' }} onChange={onChange} />)
    expect((screen.getByTestId('slot-opus') as HTMLInputElement).value).toBe('glm-5.2')
    fireEvent.change(screen.getByTestId('slot-haiku'), { target: { value: 'glm-4.5-air' } })
    expect(onChange).toHaveBeenCalledWith({ opus: 'glm-5.2', haiku: 'glm-4.5-air' })
  })

  it('switch the balance query between built-in, own and off', () => {
    const onChange = vi.fn()
    const { rerender } = wrap(<BalanceQueryEditor value={null} onChange={onChange} builtin="deepseek" />)
    expect(screen.getByTestId('balance-builtin').textContent).toBe('Routex asks deepseek for this account\'s balance.')
    fireEvent.click(screen.getByTestId('balance-mode-off'))
    expect(onChange).toHaveBeenLastCalledWith({ off: true })
    fireEvent.click(screen.getByTestId('balance-mode-custom'))
    const custom = onChange.mock.lastCall?.[0]
    expect(custom.headers).toEqual({ Authorization: 'Bearer {{key}}' })
    rerender(<QueryClientProvider client={new QueryClient()}><BalanceQueryEditor value={custom} onChange={onChange} /></QueryClientProvider>)
    fireEvent.change(screen.getByTestId('balance-remaining'), { target: { value: 'data.total - data.spent' } })
    expect(onChange).toHaveBeenLastCalledWith({ ...custom, remaining: 'data.total - data.spent' })
    expect(screen.getByText(/Write the channel's API key as \{\{key\}\}\./)).toBeTruthy()
  })

  it('read headers line by line and know the modes', () => {
    expect(textToHeaders('Authorization: Bearer {{key}}\nX-Org:  team \nno colon')).toEqual({ Authorization: 'Bearer {{key}}', 'X-Org': 'team' })
    expect(headersToText({ A: '1', B: '2' })).toBe('A: 1\nB: 2')
    expect([queryMode(null), queryMode({ off: true }), queryMode({ url: 'https://x' })]).toEqual(['builtin', 'off', 'custom'])
  })
})

describe('BalanceBanner and thresholds', () => {
  it('warns of low and used-up accounts of enabled channels only', async () => {
    fetchMock.mockImplementation(async (url) => {
      if (String(url) === '/api/channels') return json(200, { channels: [channel({ id: 1 }), channel({ id: 2, name: 'kimi' }), channel({ id: 3, name: 'off', enabled: false })] })
      return json(200, { balances: [
        balance({ remaining: 0, level: 'exhausted' }),
        balance({ channel_id: 2, channel: 'kimi', remaining: 3.2, level: 'low' }),
        balance({ channel_id: 3, channel: 'off', remaining: 0, level: 'exhausted' }),
      ], thresholds: { warn: { CNY: 5 }, floor: {} } })
    })
    wrap(<BalanceBanner />)
    const items = await screen.findAllByTestId('balance-banner-item')
    expect(items.map((i) => i.textContent)).toEqual([
      'deepseek has used up its balance (0.00 CNY): Routex skips it until it is topped up.',
      'kimi has 3.20 CNY left (you are warned below 5.00 CNY).',
    ])
  })

  it('turn threshold rows into the settings the API takes', () => {
    const rows = rowsOf({ USD: 1, CNY: 5 }, { USD: 0.5 })
    expect(rows).toEqual([{ unit: 'CNY', warn: '5', floor: '' }, { unit: 'USD', warn: '1', floor: '0.5' }])
    expect(thresholdsOf([...rows, { unit: ' credits ', warn: '100', floor: '' }, { unit: '', warn: '3', floor: '' }])).toEqual({
      balance_warn: { CNY: 5, USD: 1, credits: 100 }, balance_floor: { USD: 0.5 },
    })
  })
})
