// Browser test of the provider-account features against a real `routex
// serve` and the mock upstream: fetching the provider's models and picking
// them in the channel editor, Claude Code's model slots, and a DeepSeek-style
// balance on the channel list and the dashboard, in English and Chinese.
//
//   ROUTEX_BIN=/path/to/routex-headless npm run e2e
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { adminCall, BIN, logIn, needChromium, openBrowser, TEST_RESULTS } from './browser.mjs'
import { startRoutex } from './helpers.mjs'
import { startMockAnthropic } from './mock-anthropic.mjs'

const SHOTS = TEST_RESULTS
const ADMIN_TOKEN = 'accounts-admin-token-3c9e'
const ACCESS_KEY = 'accounts-access-key-71fa'
const STEP_MS = 10_000

let routex
let mock
let context
let page
let pageErrors
// Messages of the Content-Security-Policy blocking something on the page.
let cspViolations

const api = (method, p, body) => adminCall({ base: routex.base, token: ADMIN_TOKEN, timeoutMs: STEP_MS }, method, p, body)

const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, timeout: STEP_MS })
const row = (name) => page.locator(`[data-testid="channel-row"][data-channel-name="${name}"]`)

before(async () => {
  needChromium(SHOTS)
  mock = await startMockAnthropic()
  routex = await startRoutex({ bin: BIN, adminToken: ADMIN_TOKEN, accessKey: ACCESS_KEY })
  // A channel whose account answers like DeepSeek's balance endpoint (a
  // user-defined query: the built-in one calls api.deepseek.com itself).
  const r = await api('POST', '/api/channels', {
    name: 'deepseek-paid', type: 'anthropic', base_url: mock.url, api_key: 'sk-paid-1', models: ['claude-sonnet-4-5'], priority: 1, weight: 1, enabled: true,
    balance_query: { url: `${mock.url}/user/balance`, headers: { Authorization: 'Bearer {{key}}' }, remaining: 'balance_infos.0.total_balance',
      unit_path: 'balance_infos.0.currency', available: 'is_available' },
  })
  assert.equal(r.status, 201, r.text)
  const glm = await api('POST', '/api/channels', { name: 'glm', type: 'anthropic', base_url: mock.url, api_key: 'sk-glm-1', models: [], priority: 2, weight: 1, enabled: true })
  assert.equal(glm.status, 201, glm.text)

  ;({ context, page, pageErrors, cspViolations } = await openBrowser(path.join(routex.home, 'chromium-accounts'), STEP_MS, {
    viewport: { width: 1280, height: 900 },
  }))
})

after(async () => {
  await context?.close().catch(() => {})
  await routex?.stop()
  await mock?.close()
})

test('provider accounts in the dashboard', async (t) => {
  await t.test('the channel list shows the balance, then that it is used up, in English and Chinese', async () => {
    await page.goto(routex.base + '/#/channels')
    await logIn(page, ADMIN_TOKEN)
    const chip = row('deepseek-paid').getByTestId('balance-amount')
    await chip.waitFor()
    await page.waitForFunction(() => document.querySelector('[data-channel-name="deepseek-paid"] [data-testid="balance-amount"]')?.textContent?.includes('110.00 CNY'))
    assert.equal(await row('deepseek-paid').getByTestId('balance-chip').getAttribute('data-level'), 'ok')
    assert.equal(await row('glm').getByTestId('balance-chip').count(), 0, 'a channel without a balance query shows no balance')
    await shot('accounts-balance')

    mock.setBalance('0.00')
    await row('deepseek-paid').getByTestId('balance-refresh').click()
    await page.waitForFunction(() => document.querySelector('[data-channel-name="deepseek-paid"] [data-testid="balance-chip"]')?.getAttribute('data-level') === 'exhausted')
    assert.match(await chip.innerText(), /0\.00 CNY · used up, skipped/)

    await page.getByTestId('language-switcher').getByTestId('language-zh').click()
    await page.waitForFunction(() => document.querySelector('[data-channel-name="deepseek-paid"] [data-testid="balance-amount"]')?.textContent?.includes('已用尽，已跳过'))
    assert.match(await row('glm').getByTestId('channel-latency').innerText(), /1 小时内无请求/)
    await shot('accounts-balance-zh')

    await page.getByTestId('nav-dashboard').click()
    const banner = page.getByTestId('balance-banner')
    await banner.waitFor()
    assert.match(await banner.innerText(), /deepseek-paid 的余额已用尽（0\.00 CNY）/)
    await shot('accounts-banner-zh')
    await page.getByTestId('language-switcher').getByTestId('language-en').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="balance-banner"]')?.textContent?.includes('deepseek-paid has used up its balance (0.00 CNY)'))

    // The exhausted channel is skipped: a request goes to glm, and the log says why.
    const res = await fetch(`${routex.base}/v1/messages`, {
      method: 'POST', headers: { 'x-api-key': ACCESS_KEY, 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }),
      signal: AbortSignal.timeout(STEP_MS),
    })
    assert.equal(res.status, 200, await res.text())
    let logs = []
    for (let i = 0; i < 50 && logs.length === 0; i++) {
      logs = (await api('GET', '/api/logs?limit=1')).json.logs ?? []
      if (logs.length === 0) await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(logs[0].channel_name ?? logs[0].channel, 'glm')
    assert.match(JSON.stringify(logs[0].attempts), /skipped: balance exhausted \(0\.00 CNY left\)/)
    mock.setBalance('110.00')
  })

  await t.test('the channel editor fetches the provider models, picks them, and sets Claude Code slots', async () => {
    await page.getByTestId('nav-channels').click()
    await row('glm').getByTestId('channel-name').click()
    await page.getByTestId('fetch-models').click()
    await page.locator('[data-testid="model-option"][data-model="claude-opus-4-1"]').waitFor()
    assert.match(await page.getByTestId('model-count').innerText(), /3/)
    await page.getByTestId('model-filter').fill('haiku')
    await page.locator('[data-testid="model-option"][data-model="claude-haiku-4-5"]').click()
    await page.getByTestId('model-filter').fill('')
    await page.locator('[data-testid="model-option"][data-model="claude-opus-4-1"]').click()
    assert.deepEqual(await page.getByTestId('model-chip').evaluateAll((els) => els.map((e) => e.querySelector('span')?.textContent)), ['claude-haiku-4-5', 'claude-opus-4-1'])
    await page.getByTestId('section-claude-slots').locator('summary').click()
    await page.getByTestId('slot-opus').fill('claude-opus-4-1')
    await page.getByTestId('slot-haiku').fill('claude-haiku-4-5')
    // The slot inputs offer the fetched models.
    assert.equal(await page.locator('#provider-models option[value="claude-opus-4-1"]').count(), 1)
    await shot('accounts-editor')
    await page.getByTestId('channel-submit').click()
    await page.getByTestId('notice').waitFor()
    const glm = (await api('GET', '/api/channels')).json.channels.find((c) => c.name === 'glm')
    assert.deepEqual(glm.models, ['claude-haiku-4-5', 'claude-opus-4-1'])
    assert.deepEqual(glm.claude_models, { opus: 'claude-opus-4-1', haiku: 'claude-haiku-4-5' })
    // The refreshed list is cached: /v1/models lists the channel's models.
    const models = await fetch(`${routex.base}/v1/models?limit=1000`, { headers: { 'x-api-key': ACCESS_KEY, 'anthropic-version': '2023-06-01' } })
    const ids = (await models.json()).data.map((m) => m.id)
    assert.ok(ids.includes('glm,claude-opus-4-1') && ids.includes('claude-opus-4-1'), ids.join(' '))
  })

  await t.test('Test all runs the tests with progress and a custom balance query saves from the editor', async () => {
    mock.setBalance('110.00')
    await page.getByTestId('test-all').click()
    await page.locator('[data-testid="channel-test-row"]').nth(1).waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => document.querySelector('[data-testid="test-all"]')?.textContent === 'Test all')

    await row('glm').getByTestId('channel-name').click()
    await page.getByTestId('section-balance-query').locator('summary').click()
    await page.getByTestId('balance-mode-custom').check()
    await page.getByTestId('balance-url').fill(`${mock.url}/user/balance`)
    await page.getByTestId('balance-remaining').fill('balance_infos.0.total_balance')
    await page.getByTestId('balance-unit').fill('CNY')
    await page.getByTestId('channel-submit').click()
    await page.getByTestId('notice').waitFor()
    const b = (await api('POST', `/api/channels/${(await api('GET', '/api/channels')).json.channels.find((c) => c.name === 'glm').id}/balance/refresh`)).json
    assert.equal(b.remaining, 110, JSON.stringify(b))
    assert.equal(b.provider, 'custom')
    assert.deepEqual(pageErrors, [])
    assert.deepEqual(cspViolations, [], 'the Content-Security-Policy blocked part of the page')
  })
})
