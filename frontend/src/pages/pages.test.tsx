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
  health: { state: 'open', status: 'paused', failures: 3, cooldown_until: new Date(Date.now() + 30_000).toISOString(), last_error: 'HTTP 529 overloaded',
    requests: 4, failed: 3 },
}
const summary = {
  requests: 120, succeeded: 114, failed: 6, success_rate: 0.95, avg_latency_ms: 1500, p95_latency_ms: 3000, avg_ttft_ms: 400,
  input_tokens: 50_000, output_tokens: 9_000, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0.4321,
}
const log = {
  id: 9, time: new Date().toISOString(), format: 'anthropic', channel_id: 1, channel_name: 'anthropic', client_model: 'claude-sonnet-4-5',
  upstream_model: 'claude-sonnet-4-5', status: 200, stream: true, latency_ms: 900, ttft_ms: 300, input_tokens: 10, output_tokens: 5,
  cache_read_tokens: 0, cache_write_tokens: 0, usage_estimated: true, cost_usd: 0.0012, scenario: 'default', rule: '', error: '', user_agent: 'claude-cli',
  attempts: [{ channel: 'paused-one', status: 0, error: 'channel paused-one skipped', latency_ms: 0, skipped: 'paused', failures: 3 },
    { channel: 'backup', status: 529, error: 'overloaded', latency_ms: 100 }],
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

/** renderAt, returning the query client (to make the app read again, as a change event does). */
function renderWithClient(hash: string): QueryClient {
  window.location.hash = hash
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  render(
    <QueryClientProvider client={qc}>
      <App />
    </QueryClientProvider>,
  )
  return qc
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
    expect(requests.textContent).toContain('↑ 20% vs the previous 24 h')
    // Latency went up: bad news, shown red.
    const latency = screen.getByTestId('stat-latency').querySelector('[data-testid="stat-change"]')
    expect(latency?.className).toContain('text-red-700')
    expect(await screen.findByTestId('recent-row')).toBeTruthy()
    await waitFor(() => expect(screen.getByTestId('live-mode').getAttribute('data-mode')).toBe('poll'))
    expect(screen.queryByTestId('claude-card')).toBeNull()
    expect(screen.queryByTestId('codex-card')).toBeNull()
  })

  it('cards show a dash, not "new", when there is no previous period', async () => {
    stub((url) => {
      if (url === '/api/channels') return json(200, { channels: [channel] })
      if (url.startsWith('/api/stats/summary')) return json(200, { ...summary, previous: { ...summary, requests: 0, succeeded: 0, failed: 0, cost_usd: 0 } })
      if (url.startsWith('/api/stats/timeline')) return json(200, { buckets: [] })
      if (url.startsWith('/api/stats/channels')) return json(200, { channels: [] })
      if (url.startsWith('/api/logs')) return json(200, { logs: [], next_cursor: '' })
      if (url.startsWith('/api/events')) return json(200, { events: [], next: 5 })
      return undefined
    })
    renderAt('#/dashboard')
    const change = (await screen.findByTestId('stat-requests')).querySelector('[data-testid="stat-change"]')
    expect(change?.getAttribute('data-change')).toBe('none')
    expect(change?.textContent).toContain('—')
    expect(change?.textContent).not.toContain('new')
  })

  it('the tools page shows Codex CLI, Claude Code and Gemini CLI and attaches and detaches Codex', async () => {
    let codex = { status: 'not_attached', path: '/home/me/.codex/config.toml', base_url: '' }
    const fetchMock = stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: [] })
      if (url === '/api/clients') {
        return json(200, { claude: { status: 'attached', path: '~/.claude/settings.json', base_url: 'http://127.0.0.1:18080' }, codex,
          gemini: { status: 'not_attached', path: '/home/me/.gemini/.env', base_url: '' } })
      }
      if (url === '/api/clients/codex/attach' && init?.method === 'POST') {
        codex = { status: 'attached', path: codex.path, base_url: 'http://127.0.0.1:18080/v1' }
        return json(200, {})
      }
      if (url === '/api/clients/codex/detach' && init?.method === 'POST') return json(200, {})
      if (url === '/api/backups') return json(200, { backups: [] })
      if (url.startsWith('/api/events')) return json(200, { events: [], next: 0 })
      return undefined
    })
    renderAt('#/tools')
    const card = await screen.findByTestId('codex-card')
    expect(card.textContent).toContain('Codex CLI')
    expect(card.textContent).toContain('Not attached')
    expect(card.textContent).toContain('/home/me/.codex/config.toml')
    expect(screen.getByTestId('claude-card').textContent).toContain('Attached')
    expect(screen.getByTestId('gemini-card').textContent).toContain('/home/me/.gemini/.env')
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

  it('the first-run steps tick off and offer to attach Claude Code once a channel exists', async () => {
    let channels: unknown[] = []
    let claude = 'not_attached'
    const fetchMock = stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels })
      if (url === '/api/clients') return json(200, { claude: { status: claude, path: '~/.claude/settings.json', base_url: '' } })
      if (url === '/api/clients/claude/attach' && init?.method === 'POST') {
        claude = 'attached'
        return json(200, {})
      }
      if (url.startsWith('/api/stats/summary')) return json(200, { ...summary, requests: 0 })
      if (url.startsWith('/api/stats')) return json(200, { buckets: [], channels: [] })
      if (url.startsWith('/api/logs')) return json(200, { logs: [], next_cursor: '' })
      if (url === '/api/active') return json(200, { channel_id: null, model: '' })
      if (url.startsWith('/api/events')) return json(200, { events: [], next: 0 })
      return undefined
    })
    const view = renderAt('#/')
    expect(await screen.findByTestId('first-run')).toBeTruthy()
    expect(screen.getByTestId('first-run-step-add').getAttribute('data-done')).toBe('false')
    expect(screen.getByTestId('first-run-add').textContent).toBe('Add your first channel')
    expect(screen.queryByTestId('first-run-attach')).toBeNull() // no channel yet
    view.unmount()
    channels = [channel]
    renderAt('#/')
    await waitFor(() => expect(screen.getByTestId('first-run-step-add').getAttribute('data-done')).toBe('true'))
    expect(screen.getByTestId('first-run-step-attach').getAttribute('data-done')).toBe('false')
    fireEvent.click(await screen.findByTestId('first-run-attach'))
    await waitFor(() => expect(fetchMock.mock.calls.some(([u]) => u === '/api/clients/claude/attach')).toBe(true))
    await waitFor(() => expect(screen.getByTestId('first-run-step-attach').getAttribute('data-done')).toBe('true'))
  })

  it('the channels page words health plainly, runs a test and shows its verdict in the user\'s language', async () => {
    stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: [channel] })
      if (url === '/api/channels/1/test' && init?.method === 'POST') {
        return json(200, { verdict: 'auth_failed', message: 'the key was refused (HTTP 401)', note: { code: 'auth', params: { status: '401', detail: '' } },
          status: 401, total_ms: 120, models: [] })
      }
      return undefined
    })
    renderAt('#/channels')
    const health = await screen.findByTestId('channel-health')
    expect(health.textContent).toMatch(/^Failing — paused, retrying in (2\d|30) sec$/)
    expect(health.textContent).not.toMatch(/open|closed|half/)
    fireEvent.click(screen.getByTestId('channel-test'))
    const result = await screen.findByTestId('test-result')
    expect(result.getAttribute('data-verdict')).toBe('auth_failed')
    expect(screen.getByTestId('test-message').textContent).toBe("the key was refused (HTTP 401): check it in the provider's console")
    await i18n.changeLanguage('zh')
    await waitFor(() => expect(screen.getByTestId('test-message').textContent).toBe('密钥被拒绝（HTTP 401）：请到供应商控制台检查'))
    expect(screen.getByTestId('channel-health').textContent).toMatch(/^请求失败 — 已暂停，\d+秒后重试$/)
  })

  it('a new channel is untested, and a failed test is never shown as healthy', async () => {
    const fresh = { ...channel, health: { state: 'closed', status: 'untested', failures: 0, requests: 0, failed: 0, ttft_ms: 0, in_flight: 0 } }
    const failed = { ...fresh, health: { ...fresh.health, status: 'test_failed', last_test: { verdict: 'auth_failed', at: new Date().toISOString(), key: -1 } } }
    let rows = [fresh]
    stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: rows })
      if (url === '/api/channels/1/test' && init?.method === 'POST') {
        rows = [failed]
        return json(200, { verdict: 'auth_failed', message: 'refused', status: 401, models: [] })
      }
      return undefined
    })
    renderAt('#/channels')
    expect((await screen.findByTestId('channel-health')).textContent).toBe('Untested')
    fireEvent.click(screen.getByTestId('channel-test'))
    await waitFor(() => expect(screen.getByTestId('channel-health').textContent).toBe('Test failed'))
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
    expect(drawer.querySelector('[data-testid="attempt-skipped"]')?.textContent).toBe('Skipped: paused after 3 failures')
    expect(screen.getByTestId('log-row').querySelector('[data-testid="failover-chip"]')).toBeTruthy()
    expect(drawer.textContent).toContain('(estimated)')
    await i18n.changeLanguage('zh')
    await waitFor(() => expect(drawer.querySelector('[data-testid="attempt-skipped"]')?.textContent).toBe('已跳过：连续失败 3 次后暂停'))
    expect(await screen.findByTestId('log-body')).toBeTruthy()
  })

  it('routing explains in the user\'s language and shows rule errors at the rule', async () => {
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
          why: [{ code: 'rule_skipped', params: { rule: 'r1' }, conditions: [{ code: 'cond_keyword_missing', params: { keyword: 'deploy' } }] },
            { code: 'long_context_miss', params: { tokens: '120', threshold: '60000' } }, { code: 'default_route' }],
          targets: [{ channel_id: 1, channel: 'anthropic', type: 'anthropic', model: 'claude-sonnet-4-5', converted: false, available: true, health: 'closed', serves: true }] })
      }
      return undefined
    })
    renderAt('#/routing')
    fireEvent.click(await screen.findByTestId('explain-run'))
    expect((await screen.findByTestId('explain-scenario')).textContent).toBe('Default')
    expect(screen.getByTestId('explain-targets').textContent).toContain('anthropic')
    expect(screen.getByTestId('explain-reasons').textContent).toContain('rule “r1” skipped: the last user message does not contain “deploy”')
    await i18n.changeLanguage('zh')
    await waitFor(() => expect(screen.getByTestId('explain-reasons').textContent).toContain('规则“r1”未匹配：最后一条用户消息不包含“deploy”'))
    expect(screen.getByTestId('explain-reasons').textContent).toContain('不是长上下文：120 个 token 未超过阈值 60000')
    await i18n.changeLanguage('en')
    // Save is enabled only with an edit.
    expect((screen.getByTestId('routing-save') as HTMLButtonElement).disabled).toBe(true)
    fireEvent.change(screen.getByTestId('routing-threshold'), { target: { value: '70000' } })
    expect(screen.getByTestId('unsaved-bar')).toBeTruthy()
    fireEvent.click(screen.getByTestId('routing-save'))
    expect((await screen.findByTestId('field-error-rules[0].expr')).textContent).toBe('This value is not valid.')
  })

  it('routing follows a switch made elsewhere, and saving edits does not undo it', async () => {
    let server = { strategy: 'priority', routes: { default: ['a', 'b'] }, strategies: {}, long_context_threshold: 60000, background_model: '', rules: [] }
    let put: typeof server | null = null
    const chans = ['a', 'b'].map((name, i) => ({ ...channel, id: i + 1, name, models: [`${name}-1`, `${name}-2`] }))
    const fetchMock = stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: chans })
      if (url === '/api/routes' && init?.method === 'PUT') {
        put = JSON.parse(init.body as string)
        server = put as typeof server
        return json(200, server)
      }
      if (url === '/api/routes') return json(200, server)
      return undefined
    })
    const qc = renderWithClient('#/routing')
    await screen.findByTestId('scenario-default')
    const first = () => (screen.getByTestId('targets-default').querySelector('[data-testid="target-channel"]') as HTMLSelectElement).value
    expect(first()).toBe('a')
    // Without edits the form follows the server (the tray switched to b).
    server = { ...server, routes: { default: ['b', 'a'] } }
    await qc.invalidateQueries()
    await waitFor(() => expect(first()).toBe('b'))
    expect(screen.queryByTestId('routing-elsewhere')).toBeNull()
    // Both channels are in the route: neither can be added again.
    const options = [...(screen.getByTestId('targets-default').querySelectorAll('[data-testid="target-channel"]')[0] as HTMLSelectElement).options].map((o) => o.value)
    expect(options).toEqual(['b'])
    expect((screen.getByTestId('targets-default').querySelector('[data-testid="target-add"]') as HTMLButtonElement).disabled).toBe(true)
    // An edit elsewhere in the form, then another switch from outside.
    fireEvent.change(screen.getByTestId('routing-strategy'), { target: { value: 'round_robin' } })
    server = { ...server, routes: { default: ['a', 'b'] } }
    await qc.invalidateQueries()
    expect(await screen.findByTestId('routing-elsewhere')).toBeTruthy()
    fireEvent.click(screen.getByTestId('routing-save-bar'))
    await waitFor(() => expect(put).not.toBeNull())
    expect(put).toMatchObject({ strategy: 'round_robin', routes: { default: ['a', 'b'] } })
    expect(fetchMock.mock.calls.filter(([u, i]) => u === '/api/routes' && i?.method === 'PUT').length).toBe(1)
  })

  it('the target model is a list of the channel\'s models, with a warning where requests fall back', async () => {
    const routes = { strategy: 'priority', routes: { default: ['deepseek'] }, strategies: {}, long_context_threshold: 60000, background_model: '', rules: [] }
    const ds = { ...channel, name: 'deepseek', type: 'openai', models: ['deepseek-chat', 'deepseek-reasoner'] }
    stub((url) => {
      if (url === '/api/channels') return json(200, { channels: [ds] })
      if (url === '/api/routes') return json(200, routes)
      return undefined
    })
    renderAt('#/routing')
    const def = await screen.findByTestId('targets-default')
    const model = def.querySelector('[data-testid="target-model"]') as HTMLSelectElement
    expect([...model.options].map((o) => o.textContent)).toEqual(['as requested, else deepseek-chat', 'deepseek-chat', 'deepseek-reasoner'])
    expect(def.querySelector('[data-testid="target-warning"]')?.textContent).toContain('is sent as deepseek-chat')
    fireEvent.change(model, { target: { value: 'deepseek-reasoner' } })
    await waitFor(() => expect(def.querySelector('[data-testid="target-warning"]')).toBeNull())
  })

  it('shows the active provider on every page and switches it from the header', async () => {
    let active = { channel_id: 1, model: '' }
    const two = [{ ...channel, health: { ...channel.health, status: 'healthy', state: 'closed' } }, { ...channel, id: 2, name: 'deepseek', models: ['deepseek-chat'] }]
    stub((url, init) => {
      if (url === '/api/channels') return json(200, { channels: two })
      if (url === '/api/active' && init?.method === 'PUT') {
        active = JSON.parse(init.body as string)
        return json(200, active)
      }
      if (url === '/api/active') return json(200, active)
      if (url === '/api/logs?limit=12' || url.startsWith('/api/logs')) return json(200, { logs: [], next_cursor: '' })
      return undefined
    })
    renderAt('#/logs')
    await waitFor(() => expect(screen.getByTestId('active-provider-name').textContent).toBe('anthropic'))
    fireEvent.click(screen.getByTestId('active-switch'))
    fireEvent.click(await screen.findByTestId('active-option-deepseek'))
    await waitFor(() => expect(active).toEqual({ channel_id: 2, model: '' }))
    await waitFor(() => expect(screen.getByTestId('active-provider-name').textContent).toBe('deepseek'))
    expect(screen.getByTestId('active-provider-model').textContent).toBe('deepseek-chat')
  })
})
