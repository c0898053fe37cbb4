import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import i18n from '../../i18n'
import App from '../../App'
import type { Channel } from '../../api/client'

function channel(over: Partial<Channel>): Channel {
  return {
    id: 1, name: 'deepseek', type: 'openai', base_url: 'https://api.deepseek.com/v1', api_key_preview: 'sk-…1234',
    models: ['deepseek-chat'], model_map: {}, priority: 1, weight: 1, enabled: true, headers: {}, transformers: [],
    timeout_ms: 0, created_at: '', updated_at: '', ...over,
  }
}

const json = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

function renderApp() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return render(
    <QueryClientProvider client={qc}>
      <App />
    </QueryClientProvider>,
  )
}

describe('Channels page', () => {
  const fetchMock = vi.fn<typeof fetch>()
  beforeEach(async () => {
    sessionStorage.clear()
    window.location.hash = '#/channels'
    await i18n.changeLanguage('en')
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    cleanup()
    fetchMock.mockReset()
    vi.unstubAllGlobals()
  })

  it('asks for the admin token on 401, then retries with it', async () => {
    let token: string | null = null
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/health') return json(200, { status: 'ok', version: '1.2.3' })
      token = (init?.headers as Record<string, string>).Authorization ?? null
      if (token !== 'Bearer secret') return json(401, { error: { type: 'unauthorized', message: 'admin token required' } })
      return json(200, { channels: [channel({})] })
    })
    renderApp()
    const input = await screen.findByTestId('token-input')
    fireEvent.change(input, { target: { value: 'secret' } })
    fireEvent.click(screen.getByTestId('token-submit'))
    expect(await screen.findByTestId('channel-row')).toHaveProperty('textContent', expect.stringContaining('deepseek'))
    expect(token).toBe('Bearer secret')
    expect(await screen.findByText('Routex 1.2.3')).toBeTruthy()
  })

  it('shows the empty state, then field errors translated by code, then the new row', async () => {
    const rows: Channel[] = []
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/health') return json(200, { status: 'ok', version: 'dev' })
      if (init?.method === 'POST') {
        const body = JSON.parse(init.body as string) as Channel
        if (!body.base_url.startsWith('http')) {
          return json(400, { error: { type: 'invalid_request', message: 'invalid', fields: { base_url: { code: 'url', message: 'bad url' } } } })
        }
        const c = channel({ ...body, id: 2 })
        rows.push(c)
        return json(201, c)
      }
      return json(200, { channels: rows })
    })
    renderApp()
    fireEvent.click(await screen.findByTestId('empty-add-channel'))
    fireEvent.change(screen.getByTestId('channel-name-input'), { target: { value: 'kimi' } })
    fireEvent.change(screen.getByTestId('channel-base-url-input'), { target: { value: 'ftp://x' } })
    // A provider that needs a key cannot be saved without one.
    expect(screen.getByTestId('no-api-key').textContent).toContain('No API key')
    expect((screen.getByTestId('channel-submit') as HTMLButtonElement).disabled).toBe(true)
    fireEvent.click(screen.getByTestId('key-add'))
    fireEvent.change(screen.getByTestId('key-input'), { target: { value: 'sk-kimi-0000000001' } })
    expect((screen.getByTestId('channel-submit') as HTMLButtonElement).disabled).toBe(false)
    fireEvent.change(screen.getByTestId('channel-models-input'), { target: { value: 'a, b,, c ' } })
    fireEvent.keyDown(screen.getByTestId('channel-models-input'), { key: 'Enter' })
    expect(screen.getAllByTestId('model-chip').map((c) => c.textContent?.replace('✕', ''))).toEqual(['a', 'b', 'c'])
    fireEvent.click(screen.getByTestId('channel-submit'))
    expect((await screen.findByTestId('field-error-base_url')).textContent).toBe('Enter a valid http:// or https:// URL.')

    fireEvent.change(screen.getByTestId('channel-base-url-input'), { target: { value: 'https://api.moonshot.cn/v1' } })
    fireEvent.click(screen.getByTestId('channel-submit'))
    await waitFor(() => expect(screen.queryByTestId('channel-form')).toBeNull())
    expect((await screen.findByTestId('channel-row')).getAttribute('data-channel-name')).toBe('kimi')
    const post = fetchMock.mock.calls.find(([, i]) => i?.method === 'POST' && (i.body as string).includes('moonshot'))
    expect(JSON.parse(post?.[1]?.body as string)).toMatchObject({ models: ['a', 'b', 'c'], priority: 1, enabled: true, api_key: 'sk-kimi-0000000001' })
  })

  it('toggles a channel with PATCH and deletes after confirming', async () => {
    let rows = [channel({})]
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/health') return json(200, { status: 'ok', version: 'dev' })
      if (init?.method === 'PATCH') {
        rows = rows.map((c) => ({ ...c, ...JSON.parse(init.body as string) }))
        return json(200, rows[0])
      }
      if (init?.method === 'DELETE') {
        rows = []
        return json(204, null)
      }
      return json(200, { channels: rows })
    })
    renderApp()
    const toggle = await screen.findByTestId('channel-toggle')
    expect(toggle.getAttribute('aria-checked')).toBe('true')
    fireEvent.click(toggle)
    await waitFor(() => expect(screen.getByTestId('channel-toggle').getAttribute('aria-checked')).toBe('false'))

    fireEvent.click(screen.getByTestId('channel-menu'))
    fireEvent.click(await screen.findByTestId('channel-delete'))
    fireEvent.click(await screen.findByTestId('confirm-ok'))
    expect(await screen.findByTestId('channels-empty')).toBeTruthy()
    expect(fetchMock.mock.calls.some(([u, i]) => u === '/api/channels/1' && i?.method === 'DELETE')).toBe(true)
  })

  it('edits the whole channel: keeps a stored key, adds one, maps models, masks a header, sends transformers', async () => {
    const stored = channel({
      api_key_previews: ['sk-…1111', 'sk-…2222'], key_count: 2, headers: { 'X-Api-Key': 'sec…abcd', 'X-Team': 'core' },
      model_map: { 'claude-*': 'deepseek-chat' }, transformers: ['cleancache'],
      health: { state: 'closed', failures: 0, ttft_ms: 0, in_flight: 0, requests: 0, failed: 0, status: 'untested', keys: [{}, {}] },
    })
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/health') return json(200, { status: 'ok', version: 'dev' })
      if (url === '/api/channels/1' && init?.method === 'PATCH') return json(200, { ...stored, ...JSON.parse(init.body as string) })
      if (url === '/api/channels/1/test' && init?.method === 'POST') {
        const { key } = JSON.parse(init.body as string) as { key: number }
        return json(200, key === 1
          ? { verdict: 'ok', message: 'fine', note: { code: 'ok', params: { model: 'deepseek-chat', total: '300ms' } }, status: 200, models: [] }
          : { verdict: 'auth_failed', message: 'the key was refused', note: { code: 'auth', params: { status: '401', detail: ' (bad key)' } }, status: 401, models: [] })
      }
      if (url === '/api/active') return json(200, { channel_id: null, model: '' })
      return json(200, { channels: [stored] })
    })
    renderApp()
    fireEvent.click(await screen.findByTestId('channel-name'))
    const dialog = await screen.findByTestId('channel-dialog')
    expect([...dialog.querySelectorAll('[data-testid="key-preview"]')].map((e) => e.textContent)).toEqual(['sk-…1111', 'sk-…2222'])
    // Each stored key is tested alone, by its index.
    const tests = dialog.querySelectorAll<HTMLButtonElement>('[data-testid="key-test"]')
    fireEvent.click(tests[1] as HTMLButtonElement)
    fireEvent.click(tests[0] as HTMLButtonElement)
    await waitFor(() => expect([...dialog.querySelectorAll('[data-testid="key-verdict"]')].map((e) => e.textContent)).toEqual(['Auth failed', 'OK']))
    expect(dialog.querySelector('[data-testid="key-test-message"]')?.textContent).toBe("the key was refused (HTTP 401) (bad key): check it in the provider's console")
    // Drop the first stored key, add a new one.
    fireEvent.click(dialog.querySelectorAll<HTMLButtonElement>('[data-testid="key-remove"]')[0] as HTMLButtonElement)
    fireEvent.click(screen.getByTestId('key-add'))
    fireEvent.change(screen.getByTestId('key-input'), { target: { value: 'sk-new-key-3333' } })
    fireEvent.click(screen.getByTestId('map-add'))
    const from = screen.getAllByTestId('map-from')[1] as HTMLInputElement
    fireEvent.change(from, { target: { value: 'gpt-*' } })
    fireEvent.change(screen.getAllByTestId('map-to')[1] as HTMLInputElement, { target: { value: 'deepseek-reasoner' } })
    expect((screen.getAllByTestId('header-value')[0] as HTMLInputElement).type).toBe('password')
    fireEvent.change(screen.getAllByTestId('header-value')[1] as HTMLInputElement, { target: { value: 'infra' } })
    fireEvent.click(screen.getByTestId('transformer-add'))
    fireEvent.change(screen.getAllByTestId('transformer-name')[1] as HTMLSelectElement, { target: { value: 'maxtoken' } })
    fireEvent.change(screen.getAllByTestId('transformer-options')[1] as HTMLTextAreaElement, { target: { value: '{"max_tokens": 8192' } })
    expect(screen.getByTestId('field-error-transformers').textContent).toContain('JSON object')
    fireEvent.change(screen.getAllByTestId('transformer-options')[1] as HTMLTextAreaElement, { target: { value: '{"max_tokens": 8192}' } })
    fireEvent.click(screen.getByTestId('channel-submit'))
    await waitFor(() => expect(screen.queryByTestId('channel-dialog')).toBeNull())
    const patch = JSON.parse(fetchMock.mock.calls.find(([u, i]) => u === '/api/channels/1' && i?.method === 'PATCH')?.[1]?.body as string)
    expect(patch).toMatchObject({
      keep_keys: [1], api_keys: ['sk-new-key-3333'],
      model_map: { 'claude-*': 'deepseek-chat', 'gpt-*': 'deepseek-reasoner' },
      // The masked value goes back as it came: the engine keeps the stored one.
      headers: { 'X-Api-Key': 'sec…abcd', 'X-Team': 'infra' },
      transformers: ['cleancache', ['maxtoken', { max_tokens: 8192 }]],
    })
  })

  it('duplicates on the server, keys included, and opens the copy; makes a channel active with a model', async () => {
    const rows = [channel({ models: ['deepseek-chat', 'deepseek-reasoner'] })]
    let active: { channel_id: number | null; model: string } = { channel_id: null, model: '' }
    fetchMock.mockImplementation(async (url, init) => {
      if (url === '/health') return json(200, { status: 'ok', version: 'dev' })
      if (url === '/api/channels/1/duplicate' && init?.method === 'POST') {
        const c = channel({ id: 2, name: 'deepseek-copy', api_key_preview: 'sk-…1234', key_count: 1 })
        rows.push(c)
        return json(201, c)
      }
      if (url === '/api/active' && init?.method === 'PUT') {
        const b = JSON.parse(init.body as string) as { channel_id: number; model: string }
        active = { channel_id: b.channel_id, model: b.model }
        return json(200, active)
      }
      if (url === '/api/active') return json(200, active)
      return json(200, { channels: rows })
    })
    renderApp()
    fireEvent.click(await screen.findByTestId('channel-menu'))
    fireEvent.click(await screen.findByTestId('channel-duplicate'))
    const dialog = await screen.findByTestId('channel-dialog')
    expect((screen.getByTestId('channel-name-input') as HTMLInputElement).value).toBe('deepseek-copy')
    expect(dialog.querySelector('[data-testid="key-preview"]')?.textContent).toBe('sk-…1234')
    expect(screen.getByTestId('notice').textContent).toContain('keys included')
    fireEvent.click(screen.getByTestId('channel-cancel'))

    const row = (await screen.findAllByTestId('channel-row'))[0] as HTMLElement
    fireEvent.click(row.querySelector('[data-testid="channel-use"]') as HTMLElement)
    fireEvent.click(await screen.findByTestId('use-model-deepseek-reasoner'))
    await waitFor(() => expect(active).toEqual({ channel_id: 1, model: 'deepseek-reasoner' }))
    await waitFor(() => expect(row.querySelector('[data-testid="channel-active"]')?.textContent).toContain('deepseek-reasoner'))
    expect(screen.getByTestId('active-provider-name').textContent).toBe('deepseek')
    expect(screen.getByTestId('active-provider-model').textContent).toBe('deepseek-reasoner')
  })
})
