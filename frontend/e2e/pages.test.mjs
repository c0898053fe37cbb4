// Browser test of every dashboard page against a real `routex serve` and a
// mock Anthropic upstream, with screenshots of each page in test-results/.
//
//   ROUTEX_BIN=/path/to/routex-headless npm run e2e   (default: ../build/bin/routex-headless)
//
// Steps whose engine endpoint is not there yet (stats, logs, events) are
// skipped with a console note instead of failing.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { adminCall, BIN, logIn, needChromium, openBrowser, TEST_RESULTS } from './browser.mjs'
import { sleep, startRoutex } from './helpers.mjs'
import { startMockAnthropic } from './mock-anthropic.mjs'
import { serveFixtures } from './fixtures.mjs'

const SHOTS = TEST_RESULTS
const ADMIN_TOKEN = 'pages-admin-token-5b1d'
const ACCESS_KEY = 'pages-access-key-0e7c'
const STEP_MS = 10_000

let routex
let mock
let context
let page
const has = {}
let pageErrors
// What the dashboard's Content-Security-Policy blocked: must stay empty.
let cspViolations

const api = (method, p, body) => adminCall({ base: routex.base, token: ADMIN_TOKEN, timeoutMs: STEP_MS }, method, p, body)

async function send(model, stream = false) {
  const res = await fetch(`${routex.base}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': ACCESS_KEY, 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 32, stream, messages: [{ role: 'user', content: 'Hi' }] }),
    signal: AbortSignal.timeout(STEP_MS),
  })
  const text = await res.text()
  assert.equal(res.status, 200, `POST /v1/messages: ${res.status} ${text}\n${routex.log()}`)
}

const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, timeout: STEP_MS })
const row = (name) => page.locator(`[data-testid="channel-row"][data-channel-name="${name}"]`)
const note = (msg) => console.log(`# note: ${msg}`)

before(async () => {
  needChromium(SHOTS)
  mock = await startMockAnthropic()
  routex = await startRoutex({ bin: BIN, adminToken: ADMIN_TOKEN, accessKey: ACCESS_KEY })
  // mock-bad starts first so the first request fails over (an attempt in its log), then goes last.
  for (const [name, key, priority] of [['mock-a', 'sk-good-a', 1], ['mock-b', 'sk-good-b', 2], ['mock-bad', 'sk-bad', 0]]) {
    const r = await api('POST', '/api/channels', { name, type: 'anthropic', base_url: mock.url, api_key: key, models: [], priority, weight: 1, enabled: true })
    assert.equal(r.status, 201, `create ${name}: ${r.text}`)
  }
  await send('claude-sonnet-4-5')
  const bad = (await api('GET', '/api/channels')).json.channels.find((c) => c.name === 'mock-bad')
  assert.equal((await api('PATCH', `/api/channels/${bad.id}`, { priority: 3 })).status, 200)
  await send('claude-sonnet-4-5', true)
  await send('claude-haiku-4-5')
  for (const [k, p] of [['stats', '/api/stats/summary?range=24h'], ['logs', '/api/logs?limit=1'], ['events', '/api/events?poll=1&since=0'], ['test', '/api/channels/1/test']]) {
    const r = await api(k === 'test' ? 'POST' : 'GET', p)
    has[k] = r.status < 400 || (k === 'test' && r.status !== 404 && r.status !== 405 && r.status !== 501)
  }

  ;({ context, page, pageErrors, cspViolations } = await openBrowser(path.join(routex.home, 'chromium-profile'), STEP_MS, {
    viewport: { width: 1280, height: 860 },
  }))
  // Endpoints other work has not landed yet are served from fixtures, so the
  // charts and the drawer still render; the notes below say which.
  await serveFixtures(page, has)
  for (const k of ['stats', 'logs']) if (!has[k]) note(`the engine has no ${k} endpoint yet: the browser gets fixtures for it`)
})

after(async () => {
  await context?.close().catch(() => {})
  await routex?.stop()
  await mock?.close()
})

test('the dashboard pages work against a real engine', async (t) => {
  await t.test('the dashboard shows the numbers, a chart and requests live', async () => {
    const doc = await page.goto(routex.base + '/#/dashboard')
    assert.match(doc.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'the dashboard page has no Content-Security-Policy')
    await logIn(page, ADMIN_TOKEN)
    await page.getByTestId('dashboard-page').waitFor()
    {
      const value = page.getByTestId('stat-requests').getByTestId('stat-value')
      await page.waitForFunction(() => {
        const v = document.querySelector('[data-testid="stat-requests"] [data-testid="stat-value"]')?.textContent ?? ''
        return /[1-9]/.test(v)
      })
      assert.match(await value.innerText(), /[1-9]/)
      await page.locator('[data-testid="chart-timeline"] svg').first().waitFor()
      await page.locator('[data-testid="chart-share"] svg').first().waitFor()
    }
    if (has.events) {
      await page.waitForFunction(() => document.querySelector('[data-testid="live-mode"]')?.getAttribute('data-mode') !== 'off')
      await send('claude-live-probe')
      await page.locator('[data-testid="recent-row"][data-model="claude-live-probe"]').waitFor({ timeout: 5000 })
    } else {
      note('GET /api/events is not in this engine yet: the live list was not checked')
    }
    await shot('dashboard')
  })

  await t.test('the dashboard attaches Codex CLI and detaches it again', async () => {
    const config = path.join(routex.home, '.codex', 'config.toml')
    await page.getByTestId('nav-tools').click()
    const card = page.getByTestId('codex-card')
    await card.waitFor()
    assert.match(await card.innerText(), /Not attached/)
    await page.getByTestId('codex-toggle').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="codex-toggle"]')?.textContent === 'Detach', null, { timeout: STEP_MS })
    const written = readFileSync(config, 'utf8')
    assert.match(written, /^model_provider = "routex"$/m)
    assert.match(written, new RegExp(`^base_url = "${routex.base}/v1"$`, 'm'))
    assert.match(written, new RegExp(`^experimental_bearer_token = "${ACCESS_KEY}"$`, 'm'))
    assert.match(await card.innerText(), /Attached/)
    await shot('dashboard-codex')
    await page.getByTestId('codex-toggle').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="codex-toggle"]')?.textContent === 'Attach Codex CLI', null, { timeout: STEP_MS })
    assert.equal(existsSync(config), false, 'detach should remove the config.toml attach created')
    await page.getByTestId('nav-dashboard').click()
  })

  await t.test('channels: test verdicts, add from a preset, drag to reorder', async () => {
    await page.getByTestId('nav-channels').click()
    await row('mock-a').waitFor()
    if (has.test) {
      await row('mock-a').getByTestId('channel-test').click()
      const ok = page.locator('[data-testid="channel-row"][data-channel-name="mock-a"] [data-testid="channel-test-row"] [data-testid="test-result"]')
      await ok.waitFor({ timeout: 20_000 })
      assert.match(await ok.getAttribute('data-verdict'), /^(ok|slow)$/, await ok.innerText())
      await row('mock-bad').getByTestId('channel-test').click()
      const bad = page.locator('[data-testid="channel-row"][data-channel-name="mock-bad"] [data-testid="channel-test-row"] [data-testid="test-result"]')
      await bad.waitFor({ timeout: 20_000 })
      assert.equal(await bad.getAttribute('data-verdict'), 'auth_failed', await bad.innerText())
    } else {
      note('POST /api/channels/{id}/test is not in this engine yet: the Test button was not checked')
    }

    await page.getByTestId('add-channel').click()
    await page.getByTestId('preset-anthropic').click()
    assert.equal(await page.getByTestId('channel-base-url-input').inputValue(), 'https://api.anthropic.com')
    assert.equal(await page.getByTestId('channel-type-select').inputValue(), 'anthropic')
    await page.getByTestId('channel-name-input').fill('preset-anthropic')
    await page.getByTestId('channel-base-url-input').fill(mock.url)
    await page.getByTestId('key-input').fill('sk-preset-1')
    await page.locator('[data-testid="section-advanced"] summary').click()
    await page.getByTestId('channel-priority-input').fill('4')
    await shot('channel-dialog')
    await page.getByTestId('channel-submit').click()
    await row('preset-anthropic').waitFor()
    assert.ok(!(await page.content()).includes('sk-preset-1'), 'the page shows a full API key')

    // Drag mock-b (second) above mock-a (first).
    const handle = await row('mock-b').getByTestId('channel-drag').boundingBox()
    const target = await row('mock-a').boundingBox()
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2)
    await page.mouse.down()
    for (let i = 1; i <= 6; i++) await page.mouse.move(handle.x + handle.width / 2, handle.y - ((handle.y - target.y + 4) * i) / 6)
    await page.mouse.up()
    let prio = {}
    for (let i = 0; i < 50; i++) {
      const list = (await api('GET', '/api/channels')).json.channels
      prio = Object.fromEntries(list.map((c) => [c.name, c.priority]))
      if (prio['mock-b'] < prio['mock-a']) break
      await sleep(100)
    }
    assert.ok(prio['mock-b'] < prio['mock-a'], `drag did not reorder: ${JSON.stringify(prio)}`)
    await page.waitForFunction(() => document.querySelector('[data-testid="channel-row"]')?.getAttribute('data-channel-name') === 'mock-b')
    await shot('channels')
  })

  await t.test('routing: try a request, edit a route, see the explanation change', async () => {
    await page.getByTestId('nav-routing').click()
    await page.getByTestId('explain-run').click()
    await page.getByTestId('explain-scenario').waitFor()
    const first = () => page.locator('[data-testid="explain-targets"] li').first().innerText()
    const before = await first()
    assert.doesNotMatch(before, /mock-a/, 'mock-a is not the first target before the edit')

    const def = page.getByTestId('scenario-default')
    await def.getByTestId('target-add').click()
    await def.getByTestId('target-channel').last().selectOption('mock-a')
    await page.getByTestId('routing-save').click()
    await page.getByTestId('routing-saved').waitFor()
    const saved = (await api('GET', '/api/routes')).json
    assert.equal(saved.routes.default[0], 'mock-a', JSON.stringify(saved.routes))
    await page.getByTestId('explain-run').click()
    await page.waitForFunction(() => /mock-a/.test(document.querySelector('[data-testid="explain-targets"] li')?.textContent ?? ''))
    await shot('routing')
  })

  await t.test('logs: rows and the detail drawer with attempts', async () => {
    await page.getByTestId('nav-logs').click()
    await page.getByTestId('logs-page').waitFor()
    {
      await page.getByTestId('log-row').first().waitFor()
      await shot('logs')
      // The oldest request (last row) failed over from mock-bad: its drawer lists that attempt.
      const logs = has.logs ? (await api('GET', '/api/logs?limit=50')).json.logs : null
      const oldest = logs?.[logs.length - 1]
      await page.getByTestId('log-row').last().click()
      await page.getByTestId('log-drawer').waitFor()
      const want = has.logs ? (oldest?.attempts ?? []).length : 1
      if (want > 0) {
        await page.locator('[data-testid="log-drawer"] [data-testid="log-attempt"]').first().waitFor()
        assert.equal(await page.locator('[data-testid="log-drawer"] [data-testid="log-attempt"]').count(), want)
      } else {
        note(`the engine recorded no failed attempt for the fail-over request: ${JSON.stringify(oldest)}`)
      }
      await shot('logs-drawer')
      await page.getByTestId('drawer-close').click()
    }
  })

  await t.test('settings: language and theme switch the whole window', async () => {
    await page.getByTestId('nav-settings').click()
    const settings = page.getByTestId('settings-page')
    await settings.waitFor()
    await shot('settings')
    await settings.getByTestId('language-zh').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="nav-dashboard"]')?.textContent?.includes('仪表盘'))
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh')
    await settings.getByTestId('theme-dark').click()
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('dark')), 'no dark class on <html>')
    await shot('settings-zh-dark')
    await page.getByTestId('nav-dashboard').click()
    await page.getByTestId('dashboard-page').waitFor()
    await sleep(300)
    await shot('dashboard-zh-dark')
    await page.getByTestId('nav-channels').click()
    await row('mock-a').waitFor()
    await shot('channels-zh-dark')
    await page.getByTestId('nav-settings').click()
    await settings.getByTestId('language-en').click()
    await settings.getByTestId('theme-light').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="nav-dashboard"]')?.textContent?.includes('Dashboard'))
    assert.ok(!(await page.evaluate(() => document.documentElement.classList.contains('dark'))))
    // The smallest window the app supports.
    await page.setViewportSize({ width: 1024, height: 700 })
    await page.getByTestId('nav-dashboard').click()
    await page.getByTestId('dashboard-page').waitFor()
    await sleep(300)
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-1024.png'), timeout: STEP_MS })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `the page scrolls sideways at 1024 px by ${overflow} px`)
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
    assert.deepEqual(cspViolations, [], 'the Content-Security-Policy blocked part of the dashboard')
  })
})
