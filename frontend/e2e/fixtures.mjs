// Stand-in answers for engine endpoints that other work has not landed yet
// (stats, logs). The browser test serves them with page.route only when the
// engine answers 404, and says so, so the charts and the drawer still render.
const hour = 3_600_000

export function summaryFixture() {
  const cur = { requests: 1284, succeeded: 1251, failed: 33, success_rate: 0.9743, avg_latency_ms: 2140, p95_latency_ms: 6900, avg_ttft_ms: 610,
    input_tokens: 4_812_000, output_tokens: 391_000, cache_read_tokens: 2_100_000, cache_write_tokens: 120_000, cost_usd: 18.42 }
  return { ...cur, previous: { ...cur, requests: 1010, failed: 41, success_rate: 0.9594, avg_latency_ms: 2420, cost_usd: 15.1, input_tokens: 3_900_000, output_tokens: 350_000 } }
}

export function timelineFixture(now = Date.now()) {
  const start = Math.floor(now / hour) * hour - 23 * hour
  return {
    buckets: Array.from({ length: 24 }, (_, i) => {
      const requests = Math.round(30 + 40 * Math.sin(i / 3.5) ** 2 + (i % 5) * 4)
      return { start: new Date(start + i * hour).toISOString(), requests, failed: i % 7 === 3 ? 6 : i % 4 === 0 ? 1 : 0,
        input_tokens: requests * 3700, output_tokens: requests * 300, cost_usd: requests * 0.014,
        avg_latency_ms: 1700 + 600 * Math.sin(i / 2), avg_ttft_ms: 500 + 150 * Math.cos(i / 3) }
    }),
  }
}

export function channelStatsFixture() {
  const rows = [['mock-a', 620], ['mock-b', 410], ['preset-anthropic', 190], ['mock-bad', 64]]
  const total = rows.reduce((s, [, n]) => s + n, 0)
  return { channels: rows.map(([name, n], i) => ({ channel_id: i + 1, channel_name: name, requests: n, failed: Math.round(n * 0.02), share: n / total,
    success_rate: 0.98, avg_latency_ms: 2000, avg_ttft_ms: 600, cost_usd: n * 0.014, input_tokens: n * 3700, output_tokens: n * 300 })) }
}

export function logsFixture(now = Date.now()) {
  const models = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1']
  const logs = Array.from({ length: 14 }, (_, i) => ({
    id: 100 - i, time: new Date(now - i * 97_000).toISOString(), format: 'anthropic', channel_id: 1 + (i % 3),
    channel_name: ['mock-a', 'mock-b', 'preset-anthropic'][i % 3], client_model: models[i % 3], upstream_model: models[i % 3],
    status: i === 4 ? 529 : i === 9 ? 401 : 200, stream: i % 2 === 0, latency_ms: 800 + i * 173, ttft_ms: 300 + i * 21,
    input_tokens: 1200 + i * 911, output_tokens: 80 + i * 37, cache_read_tokens: i % 3 ? 0 : 5000, cache_write_tokens: 0,
    usage_estimated: i === 2, cost_usd: 0.0031 * (i + 1), scenario: i % 4 === 1 ? 'background' : i % 5 === 2 ? 'think' : 'default', rule: '',
    error: i === 4 ? 'upstream overloaded' : i === 9 ? 'invalid x-api-key' : '', user_agent: 'claude-cli/2.0.14',
    attempts: i === 0 || i === 4
      ? [{ channel: 'mock-bad', status: 401, error: 'invalid x-api-key', latency_ms: 84 }, { channel: 'mock-a', status: i === 4 ? 529 : 200, error: i === 4 ? 'overloaded' : '', latency_ms: 900 }]
      : [{ channel: ['mock-a', 'mock-b', 'preset-anthropic'][i % 3], status: 200, latency_ms: 800 + i * 173 }],
  }))
  return { logs, next_cursor: '' }
}

/** Routes the missing endpoints of has (false = missing) to the fixtures. */
export async function serveFixtures(page, has) {
  const reply = (route, body) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) })
  if (!has.stats) {
    await page.route(/\/api\/stats\/summary/, (r) => reply(r, summaryFixture()))
    await page.route(/\/api\/stats\/timeline/, (r) => reply(r, timelineFixture()))
    await page.route(/\/api\/stats\/channels/, (r) => reply(r, channelStatsFixture()))
  }
  if (!has.logs) {
    await page.route(/\/api\/logs(\?|$)/, (r) => reply(r, logsFixture()))
    await page.route(/\/api\/logs\/\d+/, (r) => {
      const id = Number(new URL(r.request().url()).pathname.split('/').pop())
      const entry = logsFixture().logs.find((l) => l.id === id) ?? logsFixture().logs[0]
      reply(r, { ...entry, request_body: JSON.stringify({ model: entry.client_model, max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] }),
        response_body: JSON.stringify({ id: 'msg_1', type: 'message', content: [{ type: 'text', text: 'Hello.' }] }) })
    })
  }
}
