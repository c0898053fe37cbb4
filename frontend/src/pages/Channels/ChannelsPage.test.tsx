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
    fireEvent.change(screen.getByTestId('channel-models-input'), { target: { value: 'a, b,, c ' } })
    fireEvent.click(screen.getByTestId('channel-submit'))
    expect((await screen.findByTestId('field-error-base_url')).textContent).toBe('Enter a valid http:// or https:// URL.')

    fireEvent.change(screen.getByTestId('channel-base-url-input'), { target: { value: 'https://api.moonshot.cn/v1' } })
    fireEvent.click(screen.getByTestId('channel-submit'))
    await waitFor(() => expect(screen.queryByTestId('channel-form')).toBeNull())
    expect((await screen.findByTestId('channel-row')).getAttribute('data-channel-name')).toBe('kimi')
    const post = fetchMock.mock.calls.find(([, i]) => i?.method === 'POST' && (i.body as string).includes('moonshot'))
    expect(JSON.parse(post?.[1]?.body as string)).toMatchObject({ models: ['a', 'b', 'c'], priority: 1, enabled: true })
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

    fireEvent.click(screen.getByTestId('channel-delete'))
    fireEvent.click(screen.getByTestId('channel-delete-confirm'))
    expect(await screen.findByTestId('channels-empty')).toBeTruthy()
    expect(fetchMock.mock.calls.some(([u, i]) => u === '/api/channels/1' && i?.method === 'DELETE')).toBe(true)
  })
})
