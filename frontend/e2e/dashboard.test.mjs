// Browser test of the dashboard against a real `routex serve`.
//
//   ROUTEX_BIN=/path/to/routex npm run e2e      (default: ../build/bin/routex-headless)
//
// Uses playwright-core with the system Chromium (/usr/bin/chromium, or
// CHROMIUM_BIN); it never downloads a browser.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, accessSync, constants } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { freePort, sleep } from './helpers.mjs'

const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.resolve(FRONTEND, process.env.ROUTEX_BIN ?? '../build/bin/routex-headless')
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium'
const ADMIN_TOKEN = 'test-admin-token'
const SECRET_KEY = 'sk-e2e-secret-1234'
const SHOT = path.join(FRONTEND, 'test-results', 'dashboard.png')
const STEP_MS = 10_000

let server
let serverLog = ''
let home
let context
let page
let base

async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`routex exited early (code ${server.exitCode}):\n${serverLog}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
      if (res.status === 200) return
      last = `HTTP ${res.status}`
    } catch (e) {
      last = e.message
    }
    await sleep(200)
  }
  throw new Error(`GET ${url} did not answer 200 within ${timeoutMs} ms (last: ${last}); server log:\n${serverLog}`)
}

function api(method, p, body) {
  return fetch(base + p, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_MS),
  })
}

function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM')
    const s = server
    setTimeout(() => s.exitCode === null && s.signalCode === null && s.kill('SIGKILL'), 3000).unref()
  }
}

before(async () => {
  try {
    accessSync(BIN, constants.X_OK)
  } catch {
    throw new Error(`routex binary not found or not executable at ${BIN}; build it (make build-headless) or set ROUTEX_BIN`)
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}; apt-get install chromium or set CHROMIUM_BIN`)

  home = mkdtempSync(path.join(os.tmpdir(), 'routex-e2e-'))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  server = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--home', home], {
    env: { ...process.env, ROUTEX_HOME: home, ROUTEX_ADMIN_TOKEN: ADMIN_TOKEN, ROUTEX_ACCESS_KEY: 'test-access-key' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  server.stdout.on('data', (d) => (serverLog += d))
  server.stderr.on('data', (d) => (serverLog += d))
  server.on('error', (e) => (serverLog += `spawn error: ${e.message}\n`))
  await waitForHealth(`${base}/health`, 15_000)

  // A persistent context gives Chromium a fresh profile in the temp dir.
  context = await chromium.launchPersistentContext(path.join(home, 'chromium-profile'), {
    executablePath: CHROMIUM,
    timeout: 30_000,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  context.setDefaultTimeout(STEP_MS)
  page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (e) => (serverLog += `page error: ${e.message}\n`))
})

after(async () => {
  try {
    if (page) {
      mkdirSync(path.dirname(SHOT), { recursive: true })
      await page.screenshot({ path: SHOT, fullPage: true, timeout: STEP_MS }).catch(() => {})
    }
    await context?.close().catch(() => {})
  } finally {
    stopServer()
    if (server && server.exitCode === null && server.signalCode === null) {
      await Promise.race([new Promise((r) => server.once('exit', r)), sleep(5000)])
    }
    if (home) rmSync(home, { recursive: true, force: true })
  }
})

test('dashboard lists, adds, validates, toggles and deletes channels', async (t) => {
  await t.test('a channel created through the API', async () => {
    const res = await api('POST', '/api/channels', {
      name: 'e2e-deepseek', type: 'openai', base_url: 'https://api.deepseek.com/v1', api_key: SECRET_KEY,
      models: ['deepseek-chat'], priority: 1, weight: 1, enabled: true,
    })
    const text = await res.text()
    assert.equal(res.status, 201, `POST /api/channels: want 201, got ${res.status}: ${text}`)
    assert.ok(!text.includes(SECRET_KEY), `POST /api/channels echoed the full API key: ${text}`)
  })

  await t.test('the page asks for the admin token, then shows the channel without its key', async () => {
    await page.goto(base + '/#/channels', { timeout: STEP_MS })
    const input = page.getByTestId('token-input')
    await input.waitFor({ state: 'visible' })
    await input.fill(ADMIN_TOKEN)
    await page.getByTestId('token-submit').click()
    const row = page.locator('[data-testid="channel-row"][data-channel-name="e2e-deepseek"]')
    await row.waitFor({ state: 'visible' })
    assert.match(await row.innerText(), /e2e-deepseek/)
    const html = await page.content()
    assert.ok(!html.includes(SECRET_KEY), 'the page shows the full API key')
    const version = await page.getByTestId('version').innerText()
    assert.match(version, /Routex \S+/, `footer version: ${version}`)
  })

  await t.test('a second channel added through the form is listed', async () => {
    await page.getByTestId('add-channel').click()
    await page.getByTestId('channel-name-input').fill('e2e-anthropic')
    await page.getByTestId('channel-type-select').selectOption('anthropic')
    assert.equal(await page.getByTestId('channel-base-url-input').getAttribute('placeholder'), 'https://api.anthropic.com')
    await page.getByTestId('channel-base-url-input').fill('https://api.anthropic.com')
    await page.getByTestId('key-add').click()
    await page.getByTestId('key-input').fill('sk-ant-e2e-5678')
    await page.getByTestId('channel-models-input').fill('claude-sonnet-4-5, claude-haiku-4-5')
    await page.getByTestId('channel-models-input').press('Enter')
    await page.getByTestId('channel-submit').click()
    await page.locator('[data-testid="channel-row"][data-channel-name="e2e-anthropic"]').waitFor({ state: 'visible' })
    assert.equal(await page.getByTestId('channel-row').count(), 2)
    assert.ok(!(await page.content()).includes('sk-ant-e2e-5678'), 'the page shows the second full API key')
  })

  await t.test('a bad base URL shows the field error from the API', async () => {
    await page.getByTestId('add-channel').click()
    await page.getByTestId('channel-name-input').fill('e2e-bad-url')
    await page.getByTestId('channel-base-url-input').fill('ftp://x')
    await page.getByTestId('key-add').click()
    await page.getByTestId('key-input').fill('sk-bad')
    await page.getByTestId('channel-submit').click()
    const err = page.getByTestId('field-error-base_url')
    await err.waitFor({ state: 'visible' })
    assert.ok((await err.innerText()).trim().length > 0, 'empty field error')
    assert.equal(await page.locator('[data-testid="channel-row"][data-channel-name="e2e-bad-url"]').count(), 0)
  })

  await t.test('the enabled switch PATCHes the channel and delete asks first', async () => {
    await page.getByTestId('channel-cancel').click()
    const row = page.locator('[data-testid="channel-row"][data-channel-name="e2e-anthropic"]')
    const toggle = row.getByTestId('channel-toggle')
    assert.equal(await toggle.getAttribute('aria-checked'), 'true')
    await toggle.click()
    await page.waitForFunction(
      () => document.querySelector('[data-channel-name="e2e-anthropic"] [data-testid="channel-toggle"]')?.getAttribute('aria-checked') === 'false',
      null, { timeout: STEP_MS })
    const list = await (await api('GET', '/api/channels')).json()
    assert.equal(list.channels.find((c) => c.name === 'e2e-anthropic')?.enabled, false, 'PATCH did not disable the channel')

    await row.getByTestId('channel-menu').click()
    await row.getByTestId('channel-delete').click()
    await page.getByTestId('channel-delete-dialog').getByTestId('confirm-ok').click()
    await row.waitFor({ state: 'detached' })
    assert.equal(await page.getByTestId('channel-row').count(), 1)
  })

  await t.test('the language switcher shows Chinese', async () => {
    await page.getByTestId('language-zh').click()
    await page.getByRole('heading', { name: '渠道', exact: true }).waitFor({ state: 'visible' })
    await page.getByTestId('language-en').click()
    await page.getByRole('heading', { name: 'Channels', exact: true }).waitFor({ state: 'visible' })
  })
})
