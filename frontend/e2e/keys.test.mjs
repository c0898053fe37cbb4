// Browser test of the Keys page against a real `routex serve` and the mock
// Anthropic upstream: create a key in the dashboard, read its secret once,
// use it on /v1, see its usage, revoke it, and see it refused.
//
//   ROUTEX_BIN=/path/to/routex-headless npm run e2e   (default: ../build/bin/routex-headless)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { adminCall, BIN, logIn, needChromium, openBrowser, TEST_RESULTS } from './browser.mjs'
import { startRoutex } from './helpers.mjs'
import { GOOD_MODEL, startMockAnthropic } from './mock-anthropic.mjs'

const SHOTS = TEST_RESULTS
const ADMIN_TOKEN = 'keys-admin-token-8c2f'
const ACCESS_KEY = 'keys-access-key-4a9e'
const STEP_MS = 10_000

let routex
let mock
let context
let page
let pageErrors
// Messages of the Content-Security-Policy blocking something on the page.
let cspViolations

async function call(key, model = GOOD_MODEL) {
  const res = await fetch(`${routex.base}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] }),
    signal: AbortSignal.timeout(STEP_MS),
  })
  return { status: res.status, body: await res.json(), headers: res.headers }
}

before(async () => {
  needChromium(SHOTS)
  mock = await startMockAnthropic()
  routex = await startRoutex({ bin: BIN, adminToken: ADMIN_TOKEN, accessKey: ACCESS_KEY })
  const admin = { base: routex.base, token: ADMIN_TOKEN, timeoutMs: STEP_MS }
  const res = await adminCall(admin, 'POST', '/api/channels', { name: 'mock', type: 'anthropic', base_url: mock.url, api_key: 'sk-good', models: [GOOD_MODEL] })
  assert.equal(res.status, 201, res.text)
  // A price that makes each answer (42 + 7 tokens) cost $0.049, so the spend shows on the bar.
  const price = await adminCall(admin, 'PUT', '/api/prices', { model: GOOD_MODEL, input: 1000, output: 1000 })
  assert.equal(price.status, 200, price.text)
  ;({ context, page, pageErrors, cspViolations } = await openBrowser(path.join(routex.home, 'chromium-profile'), STEP_MS, {
    viewport: { width: 1280, height: 860 }, permissions: ['clipboard-read', 'clipboard-write'],
  }))
})

after(async () => {
  await context?.close().catch(() => {})
  await routex?.stop()
  await mock?.close()
})

test('a key per person: create, use, see its usage, revoke', async () => {
  await page.goto(routex.base + '/#/keys')
  await logIn(page, ADMIN_TOKEN)
  await page.getByTestId('keys-empty').waitFor()

  // Create, with a daily budget and a model list.
  await page.getByTestId('key-create').click()
  await page.getByTestId('key-name-input').fill('alice-laptop')
  await page.getByTestId('key-owner-input').fill('alice@example.com')
  await page.getByTestId('key-models-input').fill('claude-*')
  await page.getByTestId('key-rpm-input').fill('100')
  await page.getByTestId('key-budget_daily_usd-input').fill('5')
  await page.screenshot({ path: path.join(SHOTS, 'key-dialog.png'), timeout: STEP_MS })
  await page.getByTestId('key-submit').click()
  const secret = (await page.getByTestId('key-secret').innerText()).trim()
  assert.match(secret, /^rtx-[0-9a-f]{48}$/)
  await page.getByTestId('key-copy').click()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret, 'the copy button copied the secret')
  await page.screenshot({ path: path.join(SHOTS, 'key-secret.png'), timeout: STEP_MS })
  await page.getByTestId('key-secret-done').click()
  const row = page.locator('[data-testid="key-row"][data-key-name="alice-laptop"]')
  await row.waitFor()
  assert.ok(!(await page.content()).includes(secret.slice(12)), 'the secret is shown again after the dialog')

  // Use it on /v1 against the mock upstream; a model it may not use is refused.
  for (let i = 0; i < 3; i++) {
    const r = await call(secret)
    assert.equal(r.status, 200, JSON.stringify(r.body))
  }
  const other = await call(secret, 'gpt-4.1')
  assert.equal(other.status, 403, JSON.stringify(other.body))
  assert.equal(other.body.error.type, 'permission_error')

  // Its usage: the page shows the requests and the spend against the budget.
  await page.reload()
  await row.waitFor()
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="key-row"][data-key-name="alice-laptop"] [data-testid="key-requests-today"]')?.textContent?.includes('3'))
  const ratio = Number(await row.getByTestId('key-spend-today').getAttribute('data-ratio'))
  assert.ok(Math.abs(ratio - 0.147 / 5) < 0.001, `today's spend against $5: ratio ${ratio}, want 3 × $0.049 / $5`)
  assert.match(await row.getByTestId('key-spend-today').innerText(), /\$0\.1470 of \$5\.00/)
  await page.screenshot({ path: path.join(SHOTS, 'keys.png'), fullPage: true, timeout: STEP_MS })

  // The logs name the key.
  const logs = await (await fetch(`${routex.base}/api/logs?limit=10`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json()
  assert.ok(logs.logs.some((l) => l.key_name === 'alice-laptop' && l.status === 200), JSON.stringify(logs.logs[0]))

  // Revoke, with a confirmation; then the key is refused, and an unknown one is a 401.
  await row.getByTestId('key-revoke').click()
  await row.getByTestId('key-revoke-confirm').click()
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="key-row"][data-key-name="alice-laptop"]')?.getAttribute('data-key-state') === 'revoked')
  const refused = await call(secret)
  assert.equal(refused.status, 403, JSON.stringify(refused.body))
  assert.match(refused.body.error.message, /revoked/)
  const unknown = await call('rtx-' + '0'.repeat(48))
  assert.equal(unknown.status, 401, JSON.stringify(unknown.body))
  const access = await call(ACCESS_KEY)
  assert.equal(access.status, 200, 'the access key still works')

  // The page in Chinese.
  await page.getByTestId('nav-settings').click()
  await page.getByTestId('settings-page').getByTestId('language-zh').click()
  await page.getByTestId('nav-keys').click()
  await page.waitForFunction(() => document.querySelector('[data-testid="nav-keys"]')?.textContent === '密钥')
  await row.waitFor()
  assert.equal(await row.getByTestId('key-state').innerText(), '已吊销')
  await page.screenshot({ path: path.join(SHOTS, 'keys-zh.png'), fullPage: true, timeout: STEP_MS })
  await page.getByTestId('nav-settings').click()
  await page.getByTestId('settings-page').getByTestId('language-en').click()
  assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
  assert.deepEqual(cspViolations, [], 'the Content-Security-Policy blocked part of the page')
})
