import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import i18n from '../../i18n'
import App from '../../App'
import type { ApiKey } from '../../api/types'

const json = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const usage = (requests: number, cost: number) => ({ requests, tokens: requests * 100, cost_usd: cost, resets_at: '2030-01-01T00:00:00Z' })

function apiKey(over: Partial<ApiKey>): ApiKey {
  return {
    id: 1, name: 'alice', owner: 'alice@example.com', prefix: 'rtx-1a2b3c4d', expires_at: null, expired: false, models: [],
    channels: [], rpm: 0, tpm: 0, budget_daily_usd: 0, budget_monthly_usd: 0, revoked: false, revoked_at: null,
    created_at: '2030-01-01T00:00:00Z', updated_at: '2030-01-01T00:00:00Z',
    usage: { minute: usage(0, 0), today: usage(0, 0), month: usage(0, 0) }, ...over,
  }
}

function renderApp() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return render(
    <QueryClientProvider client={qc}>
      <App />
    </QueryClientProvider>,
  )
}

const SECRET = 'rtx-1a2b3c4d' + '5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f'

describe('Keys page', () => {
  const fetchMock = vi.fn<typeof fetch>()
  let keys: ApiKey[]
  const calls: { method: string; url: string; body: unknown }[] = []

  beforeEach(async () => {
    sessionStorage.clear()
    window.location.hash = '#/keys'
    await i18n.changeLanguage('en')
    calls.length = 0
    keys = [
      apiKey({ id: 1, name: 'alice', rpm: 60, models: ['claude-*'], budget_daily_usd: 5, budget_monthly_usd: 50,
        usage: { minute: usage(1, 0), today: usage(12, 4.5), month: usage(80, 12.5) } }),
      apiKey({ id: 2, name: 'bob', revoked: true, revoked_at: '2030-01-02T00:00:00Z' }),
    ]
    fetchMock.mockImplementation(async (input, init) => {
      const url = String(input)
      const method = init?.method ?? 'GET'
      const body = init?.body ? JSON.parse(String(init.body)) : undefined
      calls.push({ method, url, body })
      if (url === '/health') return json(200, { status: 'ok', version: '1.0.0' })
      if (url === '/api/info') return json(200, { version: '1.0.0', base_url: 'http://gateway.example:18080' })
      if (url === '/api/keys' && method === 'GET') return json(200, { keys })
      if (url === '/api/keys' && method === 'POST') {
        if (body.name === 'alice') {
          return json(409, { error: { type: 'conflict', message: 'another active key has this name',
            fields: { name: { code: 'key_unique', message: 'another active key has this name' } } } })
        }
        const created = apiKey({ id: 3, name: body.name, prefix: SECRET.slice(0, 12), models: body.models,
          budget_daily_usd: body.budget_daily_usd })
        keys = [...keys, created]
        return json(201, { ...created, key: SECRET })
      }
      const m = url.match(/^\/api\/keys\/(\d+)$/)
      if (m && method === 'DELETE') {
        keys = keys.map((k) => (k.id === Number(m[1]) ? { ...k, revoked: true, revoked_at: '2030-01-03T00:00:00Z' } : k))
        return json(200, keys.find((k) => k.id === Number(m[1])))
      }
      if (m && method === 'PATCH') {
        keys = keys.map((k) => (k.id === Number(m[1]) ? { ...k, ...body } : k))
        return json(200, keys.find((k) => k.id === Number(m[1])))
      }
      return json(404, { error: { type: 'not_found', message: 'no such endpoint' } })
    })
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    cleanup()
    fetchMock.mockReset()
    vi.unstubAllGlobals()
  })

  it('lists keys with their limits and spend against the budgets, active first', async () => {
    renderApp()
    const rows = await screen.findAllByTestId('key-row')
    expect(rows.map((r) => r.getAttribute('data-key-name'))).toEqual(['alice', 'bob'])
    const alice = rows[0]!
    expect(alice.textContent).toContain('60 requests/min')
    expect(alice.textContent).toContain('models: claude-*')
    expect(within(alice).getByTestId('key-requests-today').textContent).toContain('12')
    const today = within(alice).getByTestId('key-spend-today')
    expect(today.getAttribute('data-ratio')).toBe('0.900')
    expect(today.textContent).toContain('$4.50 of $5.00')
    expect(within(today).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('90')
    expect(within(alice).getByTestId('key-spend-month').getAttribute('data-ratio')).toBe('0.250')
    // A revoked key says so and can no longer be revoked or edited.
    const bob = rows[1]!
    expect(within(bob).getByTestId('key-state').textContent).toBe('Revoked')
    expect(within(bob).queryByTestId('key-revoke')).toBeNull()
    expect(within(bob).getByTestId('key-spend-today').textContent).toContain('no budget')
  })

  it('creates a key, shows its secret once with a copy button, and never lists it', async () => {
    const writeText = vi.fn(async () => undefined)
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    renderApp()
    fireEvent.click(await screen.findByTestId('key-create'))
    // A taken name: the field says so in words made for keys.
    fireEvent.change(screen.getByTestId('key-name-input'), { target: { value: 'alice' } })
    fireEvent.click(screen.getByTestId('key-submit'))
    expect((await screen.findByTestId('field-error-name')).textContent).toBe('Another active key has this name.')

    fireEvent.change(screen.getByTestId('key-name-input'), { target: { value: 'carol' } })
    fireEvent.change(screen.getByTestId('key-models-input'), { target: { value: 'claude-*, gpt-4.1' } })
    fireEvent.change(screen.getByTestId('key-budget_daily_usd-input'), { target: { value: '2.5' } })
    fireEvent.click(screen.getByTestId('key-submit'))
    expect((await screen.findByTestId('key-secret')).textContent).toBe(SECRET)
    const post = calls.filter((c) => c.method === 'POST').at(-1)
    expect(post?.body).toMatchObject({ name: 'carol', models: ['claude-*', 'gpt-4.1'], budget_daily_usd: 2.5, rpm: 0, expires_at: null })
    expect(screen.getByTestId('key-usage-snippet').textContent).toContain('ANTHROPIC_BASE_URL=http://gateway.example:18080')
    fireEvent.click(screen.getByTestId('key-copy'))
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(SECRET))
    fireEvent.click(screen.getByTestId('key-secret-done'))
    expect((await screen.findByTestId('key-notice')).textContent).toContain('carol')
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(3))
    expect(document.body.textContent).not.toContain(SECRET)
  })

  it('revokes only after a confirmation', async () => {
    renderApp()
    const alice = (await screen.findAllByTestId('key-row'))[0]!
    fireEvent.click(within(alice).getByTestId('key-revoke'))
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false)
    expect(alice.textContent).toContain('refuses its next request on every instance')
    fireEvent.click(within(alice).getByTestId('key-revoke-confirm'))
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.url === '/api/keys/1')).toBe(true))
    await waitFor(() => expect(screen.getAllByTestId('key-row').every((r) => r.getAttribute('data-key-state') === 'revoked')).toBe(true))
  })

  it('edits limits with a PATCH of the form', async () => {
    renderApp()
    const alice = (await screen.findAllByTestId('key-row'))[0]!
    fireEvent.click(within(alice).getByTestId('key-edit'))
    const rpm = screen.getByTestId('key-rpm-input') as HTMLInputElement
    expect(rpm.value).toBe('60')
    fireEvent.change(rpm, { target: { value: '120' } })
    fireEvent.click(screen.getByTestId('key-submit'))
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH' && c.url === '/api/keys/1')).toBe(true))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ name: 'alice', rpm: 120, budget_daily_usd: 5, models: ['claude-*'] })
    expect((await screen.findByTestId('key-notice')).textContent).toContain('alice')
  })

  it('speaks Chinese, nav included', async () => {
    await i18n.changeLanguage('zh')
    renderApp()
    expect((await screen.findByTestId('nav-keys')).textContent).toBe('密钥')
    const alice = (await screen.findAllByTestId('key-row'))[0]!
    expect(alice.textContent).toContain('每分钟 60 次请求')
    expect(within(alice).getByTestId('key-state').textContent).toBe('有效')
  })
})
