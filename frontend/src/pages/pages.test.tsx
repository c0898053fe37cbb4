import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import i18n from '../i18n'
import App from '../App'

const json = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

const channel = {
  id: 1, name: 'anthropic', type: 'anthropic', base_url: 'https://api.anthropic.com', api_key_preview: 'sk-…1234', models: [], model_map: {},
  priority: 1, weight: 1, enabled: true, headers: {}, transformers: [], timeout_ms: 0, created_at: '', updated_at: '',
  health: { state: 'open', last_error: 'HTTP 529 overloaded', requests: 4, failed: 3 },
}
const summary = {
  requests: 120, succeeded: 114, failed: 6, success_rate: 0.95, avg_latency_ms: 1500, p95_latency_ms: 3000, avg_ttft_ms: 400,
  input_tokens: 50_000, output_tokens: 9_000, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0.4321,
}
const log = {
  id: 9, time: new Date().toISOString(), format: 'anthropic', channel_id: 1, channel_name: 'anthropic', client_model: 'claude-sonnet-4-5',
  upstream_model: 'claude-sonnet-4-5', status: 200, stream: true, latency_ms: 900, ttft_ms: 300, input_tokens: 10, output_tokens: 5,
  cache_read_tokens: 0, cache_write_tokens: 0, usage_estimated: true, cost_usd: 0.0012, scenario: 'default', rule: '', error: '', user_agent: 'claude-cli',
  attempts: [{ channel: 'backup', status: 529, error: 'overloaded', latency_ms: 100 }, { channel: 'anthropic', status: 200, latency_ms: 800 }],
}

type Handler = (url: string, init?: RequestInit) => Response | undefined
function stub(handler: Handler) {
  const fetchMock = vi.fn<typeof fetch>(async (input, init) => {
    const url = String(input)
    if (url === '/health') return json(200, { status: 'ok', version: '1.0.0' })
    return handler(url, init) ?? json(404, { error: { type: 'not_found', message: 'no such endpoint' } })
  })
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

function renderAt(hash: string) {
  window.location.hash = hash
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return render(
    <QueryClientProvider client={qc}>
      <App />
    </QueryClientProvider>,
  )
}

describe('pages', () => {
  beforeEach(async () => {
    sessionStorage.clear()
    sessionStorage.setItem('routex.adminToken', 'tok') // a browser: live events poll
    await i18n.changeLanguage('en')
  })
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it('the dashboard shows the cards with their change and hides the Claude card when /api/clients is missing', async () => {
    stub((url) => {
      if (url === '/api/channels') return json(200, { channels: [channel] })
      if (url.startsWith('/api/stats/summary')) return json(200, { ...summary, previous: { ...summary, requests: 100, avg_latency_ms: 1000 } })
      if (url.startsWith('/api/stats/timeline')) return json(200, { buckets: [] })
      if (url.startsWith('/api/stats/channels')) return json(200, { channels: [] })
      if (url.startsWith('/api/logs')) return json(200, { logs: [log], next_cursor: '' })
      if (url.startsWith('/api/events')) return json(200, { events: [], next: 5 })
      return undefined
    })
    renderAt('#/dashboard')
    const requests = await screen.findByTestId('stat-requests')
    expect(requests.textContent).toContain('120')
    expect(requests.textContent).toContain('↑ 20%')
    // Latency went up: bad news, shown red.
    const latency = screen.getByTestId('stat-latency').querySelector('[data-testid="stat-change"]')
    expect(latency?.className).toContain('text-red-600')
    expect(await screen.findByTestId('recent-row')).toBeTruthy()
    await waitFor(() => expect(screen.getByTestId('live-mode').getAttribute('data-mode')).toBe('poll'))
    expect(screen.queryByTestId('claude-card')).toBeNull()
    expect(screen.queryByTestId('codex-card')).toBeNull()
  })

  it('the dashboard shows Codex CLI beside Claude Code and attaches and detaches it', async () => {
    let codex = { status: 'not_attached', path: '/home/me/.codex/config.toml', base_url: '' }
    const fetchMock = stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: [] })
      if (url === '/api/clients') {
        return json(200, { claude: { status: 'attached', path: '~/.claude/settings.json', base_url: 'http://127.0.0.1:18080' }, codex })
      }
      if (url === '/api/clients/codex/attach' && init?.method === 'POST') {
        codex = { status: 'attached', path: codex.path, base_url: 'http://127.0.0.1:18080/v1' }
        return json(200, {})
      }
      if (url === '/api/clients/codex/detach' && init?.method === 'POST') return json(200, {})
      if (url.startsWith('/api/events')) return json(200, { events: [], next: 0 })
      return undefined
    })
    renderAt('#/')
    const card = await screen.findByTestId('codex-card')
    expect(card.textContent).toContain('Codex CLI')
    expect(card.textContent).toContain('Not attached')
    expect(card.textContent).toContain('/home/me/.codex/config.toml')
    expect(screen.getByTestId('claude-card').textContent).toContain('Attached')
    fireEvent.click(screen.getByTestId('codex-toggle'))
    await waitFor(() => expect(fetchMock.mock.calls.some(([u, i]) => u === '/api/clients/codex/attach' && i?.method === 'POST')).toBe(true))
    await waitFor(() => expect(screen.getByTestId('codex-toggle').textContent).toBe('Detach'))
    expect(screen.getByTestId('codex-card').textContent).toContain('Codex sends its requests through Routex')
    fireEvent.click(screen.getByTestId('codex-toggle'))
    await waitFor(() => expect(fetchMock.mock.calls.some(([u]) => u === '/api/clients/codex/detach')).toBe(true))
    expect(fetchMock.mock.calls.some(([u]) => u === '/api/clients/claude/detach')).toBe(false)

    await i18n.changeLanguage('zh')
    await waitFor(() => expect(screen.getByTestId('codex-toggle').textContent).toBe('断开'))
    expect(screen.getByTestId('codex-card').textContent).toContain('已接入')
  })

  it('the dashboard walks a new user to adding a channel and offers to attach Claude Code', async () => {
    const fetchMock = stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: [] })
      if (url === '/api/clients') return json(200, { claude: { status: 'not_attached', path: '~/.claude/settings.json', base_url: '' } })
      if (url === '/api/clients/claude/attach' && init?.method === 'POST') return json(200, {})
      if (url.startsWith('/api/events')) return json(200, { events: [], next: 0 })
      return undefined
    })
    renderAt('#/')
    expect(await screen.findByTestId('first-run')).toBeTruthy()
    fireEvent.click(await screen.findByTestId('claude-toggle'))
    await waitFor(() => expect(fetchMock.mock.calls.some(([u]) => u === '/api/clients/claude/attach')).toBe(true))
    fireEvent.click(screen.getByTestId('first-run-add'))
    expect(await screen.findByTestId('channels-page')).toBeTruthy()
  })

  it('the channels page shows health, runs a test and shows its verdict', async () => {
    stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: [channel] })
      if (url === '/api/channels/1/test' && init?.method === 'POST') {
        return json(200, { verdict: 'auth_failed', message: 'Check the API key.', status: 401, total_ms: 120, models: [] })
      }
      return undefined
    })
    renderAt('#/channels')
    const health = await screen.findByTestId('channel-health')
    expect(health.textContent).toContain('Breaker open')
    fireEvent.click(screen.getByTestId('channel-test'))
    const result = await screen.findByTestId('test-result')
    expect(result.getAttribute('data-verdict')).toBe('auth_failed')
    expect(result.textContent).toContain('Check the API key.')
  })

  it('logs open a drawer with every attempt and the estimated mark', async () => {
    stub((url) => {
      if (url === '/api/channels') return json(200, { channels: [channel] })
      if (url.startsWith('/api/logs?')) return json(200, { logs: [log], next_cursor: '' })
      if (url === '/api/logs/9') return json(200, { ...log, request_body: '{"model":"x"}' })
      return undefined
    })
    renderAt('#/logs')
    fireEvent.click(await screen.findByTestId('log-row'))
    const drawer = await screen.findByTestId('log-drawer')
    await waitFor(() => expect(drawer.querySelectorAll('[data-testid="log-attempt"]').length).toBe(2))
    expect(drawer.textContent).toContain('(estimated)')
    expect(await screen.findByTestId('log-body')).toBeTruthy()
  })

  it('routing explains the sample request and shows rule errors at the rule', async () => {
    const routes = { strategy: 'priority', routes: { default: ['anthropic'] }, strategies: {}, long_context_threshold: 60000, background_model: '',
      rules: [{ name: 'r1', expr: 'bogus(', targets: [] }] }
    stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: [channel] })
      if (url === '/api/routes' && init?.method === 'PUT') {
        return json(400, { error: { type: 'invalid_request', message: 'invalid routes', fields: { 'rules[0].expr': { code: 'invalid', message: 'syntax error' } } } })
      }
      if (url === '/api/routes') return json(200, routes)
      if (url.startsWith('/api/routes/explain')) {
        return json(200, { format: 'anthropic', model: 'claude-sonnet-4-5', scenario: 'default', strategy: 'priority', reasons: ['no rule matched'],
          targets: [{ channel_id: 1, channel: 'anthropic', type: 'anthropic', model: 'claude-sonnet-4-5', converted: false, available: true, health: 'closed' }] })
      }
      return undefined
    })
    renderAt('#/routing')
    fireEvent.click(await screen.findByTestId('explain-run'))
    expect((await screen.findByTestId('explain-scenario')).textContent).toBe('Default')
    expect(screen.getByTestId('explain-targets').textContent).toContain('anthropic')
    fireEvent.click(screen.getByTestId('routing-save'))
    expect((await screen.findByTestId('field-error-rules[0].expr')).textContent).toBe('This value is not valid.')
  })
})
