// The window a new user runs their day from, in Chromium against a real
// `routex serve`, a DeepSeek-like upstream (strict: it refuses Claude model
// names and unknown keys) and an Anthropic one: the whole journey without a
// terminal, the active provider switched from the window, routing that never
// goes stale, failover the user can see, every page at 900, 1200 and 1600 px
// in both languages and themes without sideways scrolling, and a contrast
// check (axe-core) in both themes. Screenshots of the new views go to
// build/screenshots/window-*.png.
//
//   ROUTEX_BIN=/path/to/routex-headless node --test e2e/window.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { adminCall, BIN, FRONTEND, needChromium, openBrowser } from './browser.mjs'
import { sleep, startRoutex } from './helpers.mjs'
import { startMockAnthropic } from './mock-anthropic.mjs'
import { startMockOpenAI } from './mock-openai.mjs'

const SHOTS = path.resolve(FRONTEND, '..', 'build', 'screenshots')
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const ADMIN_TOKEN = 'window-admin-token-7f3a'
const ACCESS_KEY = 'window-access-key-91c2'
const DS_KEYS = ['sk-ds-first-00000001', 'sk-ds-second-0000002']
// The models the DeepSeek preset suggests: the mock serves exactly those.
const DS_MODELS = JSON.parse(readFileSync(path.resolve(FRONTEND, '..', 'backend', 'presets', 'presets.json'), 'utf8')).find((p) => p.id === 'deepseek').models
const DS_FIRST = DS_MODELS[0]
const STEP_MS = 15_000
const PAGES = ['dashboard', 'channels', 'routing', 'tools', 'logs', 'settings']

let routex
let ds
let anthropic
let context
let page
let pageErrors

async function api(method, p, body) {
  const res = await adminCall({ base: routex.base, token: ADMIN_TOKEN, timeoutMs: STEP_MS }, method, p, body)
  assert.ok(res.status < 400, `${method} ${p}: ${res.status} ${res.text}`)
  return res.json
}

let sent = 0
/** A Claude Code request (a new conversation each time, so no session sticks to a channel). */
async function claude(model = 'claude-sonnet-4-5') {
  sent++
  const res = await fetch(`${routex.base}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': ACCESS_KEY, 'anthropic-version': '2023-06-01', 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 64, messages: [{ role: 'user', content: `question ${sent} ${Date.now()}` }] }),
    signal: AbortSignal.timeout(STEP_MS),
  })
  const text = await res.text()
  assert.equal(res.status, 200, `POST /v1/messages: ${res.status} ${text}\n${routex.log()}`)
  return JSON.parse(text)
}

/** The newest logged requests, waiting until there are n. */
async function logs(n) {
  for (let i = 0; i < 100; i++) {
    const l = (await api('GET', '/api/logs?limit=50')).logs
    if (l.length >= n) return l
    await sleep(100)
  }
  assert.fail(`fewer than ${n} logged requests`)
}

const shot = (name, fullPage = true) => page.screenshot({ path: path.join(SHOTS, `window-${name}.png`), fullPage, timeout: STEP_MS })
const row = (name) => page.locator(`[data-testid="channel-row"][data-channel-name="${name}"]`)
const go = async (p) => {
  await page.getByTestId(`nav-${p}`).click()
  await page.getByTestId(`${p}-page`).waitFor()
}

async function setLook(theme, lang) {
  await page.evaluate(([th, l]) => {
    localStorage.setItem('routex.theme', th)
    localStorage.setItem('routex.language', l)
  }, [theme, lang])
  await page.reload()
  await page.getByTestId('nav').waitFor()
}

before(async () => {
  needChromium(SHOTS)
  anthropic = await startMockAnthropic()
  ds = await startMockOpenAI({ keys: DS_KEYS, models: DS_MODELS })
  routex = await startRoutex({ bin: BIN, adminToken: ADMIN_TOKEN, accessKey: ACCESS_KEY })
  // The user has Claude Code settings already: attaching backs them up.
  mkdirSync(path.join(routex.home, '.claude'), { recursive: true })
  writeFileSync(path.join(routex.home, '.claude', 'settings.json'), '{\n  "model": "opus"\n}\n')
  ;({ context, page, pageErrors } = await openBrowser(path.join(routex.home, 'chromium-profile'), STEP_MS, {
    viewport: { width: 1200, height: 800 }, acceptDownloads: true,
  }))
})

after(async () => {
  await context?.close().catch(() => {})
  await routex?.stop()
  await ds?.close()
  await anthropic?.close()
})

test('a new user adds DeepSeek with a model map and two keys, makes it active, attaches Claude Code and Codex and sees a failover, without a terminal', async (t) => {
  await t.test('the login link `routex serve` printed opens the dashboard signed in', async () => {
    const link = /(http:\/\/\S+#login=[0-9a-f]+)/.exec(routex.log())?.[1]
    assert.ok(link, `routex serve printed no login link:\n${routex.log()}`)
    await page.goto(link)
    await page.getByTestId('dashboard-page').waitFor()
    assert.equal(await page.getByTestId('token-screen').count(), 0, 'the login link still asked for the token')
    await page.getByTestId('first-run').waitFor()
    assert.equal(await page.getByTestId('first-run-step-add').getAttribute('data-done'), 'false')
    await shot('first-run-en-light')
  })

  await t.test('DeepSeek from the preset list, with two keys and a model map', async () => {
    await page.getByTestId('first-run-add').click()
    await page.getByTestId('channels-page').waitFor()
    await page.getByTestId('empty-add-channel').click()
    await page.getByTestId('preset-search').fill('deepseek')
    await page.getByTestId('preset-deepseek').click()
    assert.equal(await page.getByTestId('channel-base-url-input').inputValue(), 'https://api.deepseek.com/v1')
    assert.equal(await page.getByTestId('preset-key-link').getAttribute('href'), 'https://platform.deepseek.com/api_keys')
    // No key yet: red, and the form cannot be saved.
    await page.getByTestId('key-input').waitFor()
    await page.getByTestId('key-remove').click()
    await page.getByTestId('no-api-key').waitFor()
    assert.ok(await page.getByTestId('channel-submit').isDisabled(), 'a channel without its key could be saved')
    await page.getByTestId('channel-base-url-input').fill(`${ds.url}/v1`)
    await page.getByTestId('key-add').click()
    await page.getByTestId('key-input').fill(DS_KEYS[0])
    await page.getByTestId('key-add').click()
    await page.getByTestId('key-input').last().fill(DS_KEYS[1])
    await page.getByTestId('map-add').click()
    assert.equal(await page.getByTestId('map-from').inputValue(), 'claude-*')
    await page.getByTestId('map-to').fill(DS_FIRST)
    // The test finds the models; its result never pushes the buttons out of view.
    await page.getByTestId('channel-dialog-test').click()
    await page.locator('[data-testid="dialog-test-result"] [data-testid="test-result"]').waitFor()
    assert.ok(await page.getByTestId('channel-submit').isVisible())
    assert.match(await page.getByTestId('test-models').innerText(), /2 models found/)
    await page.getByTestId('use-found-models').click()
    await shot('channel-editor-en-light', false)
    await page.getByTestId('channel-submit').click()
    await row('deepseek').waitFor()
    const ch = (await api('GET', '/api/channels')).channels.find((c) => c.name === 'deepseek')
    assert.equal(ch.key_count, 2, JSON.stringify(ch))
    assert.deepEqual(ch.model_map, { 'claude-*': DS_FIRST })
    assert.deepEqual(ch.models, DS_MODELS)
    assert.equal(await row('deepseek').getByTestId('channel-health').innerText(), 'Untested')
  })

  await t.test('a backup channel, then DeepSeek made the active provider from its row', async () => {
    await page.getByTestId('add-channel').click()
    await page.getByTestId('preset-anthropic').click()
    await page.getByTestId('channel-name-input').fill('backup')
    await page.getByTestId('channel-base-url-input').fill(anthropic.url)
    await page.getByTestId('key-input').fill('sk-backup-good-0001')
    await page.getByTestId('channel-submit').click()
    await row('backup').waitFor()
    await row('deepseek').getByTestId('channel-use').click()
    await page.getByTestId(`use-model-${DS_FIRST}`).click()
    await row('deepseek').getByTestId('channel-active').waitFor()
    await page.waitForFunction(() => document.querySelector('[data-testid="active-provider"]')?.getAttribute('data-channel') === 'deepseek')
    const active = await api('GET', '/api/active')
    const ch = (await api('GET', '/api/channels')).channels.find((c) => c.name === 'deepseek')
    assert.equal(active.channel_id, ch.id)
    await shot('channels-en-light')
  })

  await t.test('Claude Code\'s model goes to DeepSeek as its own model, never as a Claude name', async () => {
    const reply = await claude('claude-sonnet-4-5')
    assert.equal(reply.model, 'claude-sonnet-4-5', 'the client gets the model it asked for back')
    assert.deepEqual(ds.state.refused, [], `DeepSeek was sent models it does not serve: ${ds.state.refused}`)
    assert.equal(ds.state.served.at(-1), DS_FIRST)
    const [last] = await logs(1)
    assert.equal(last.channel, 'deepseek')
    assert.equal(last.upstream_model, DS_FIRST)
  })

  await t.test('Claude Code and Codex attached from the window', async () => {
    await go('dashboard')
    await page.getByTestId('first-run-attach').click()
    // The step ticks off; with all three done the steps give way to the dashboard.
    await page.waitForFunction(() => !document.querySelector('[data-testid="first-run"]') ||
      document.querySelector('[data-testid="first-run-step-attach"]')?.getAttribute('data-done') === 'true')
    const settings = JSON.parse(readFileSync(path.join(routex.home, '.claude', 'settings.json'), 'utf8'))
    assert.equal(settings.env.ANTHROPIC_BASE_URL, routex.base)
    await go('tools')
    await page.getByTestId('codex-toggle').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="codex-card"]')?.getAttribute('data-status') === 'attached')
    assert.match(readFileSync(path.join(routex.home, '.codex', 'config.toml'), 'utf8'), /^model_provider = "routex"$/m)
    assert.match(await page.getByTestId('codex-path').innerText(), /\.codex\/config\.toml$/)
    await page.locator('[data-testid="backup-row"]').first().waitFor()
    await shot('tools-en-light')
  })

  await t.test('the backup joins the default route from the Routing page', async () => {
    await go('routing')
    const def = page.getByTestId('scenario-default')
    await def.getByTestId('target-add').click()
    await def.getByTestId('target-channel').last().selectOption('backup')
    await page.getByTestId('unsaved-bar').waitFor()
    await page.getByTestId('routing-save-bar').click()
    await page.getByTestId('routing-saved').waitFor()
    // deepseek with its default model (the first), then the backup.
    assert.deepEqual((await api('GET', '/api/routes')).routes.default, ['deepseek', 'backup'])
  })

  await t.test('DeepSeek fails: requests fail over, then skip it while paused, and the window says so', async () => {
    ds.setFailing(true)
    for (let i = 0; i < 4; i++) await claude()
    const l = await logs(5)
    assert.equal(l[0].channel, 'backup')
    assert.deepEqual(l[0].attempts.map((a) => [a.channel, a.skipped, a.failures]), [['deepseek', 'paused', 3]], JSON.stringify(l[0].attempts))
    for (const r of l.slice(1, 4)) assert.equal(r.attempts[0]?.status, 503, JSON.stringify(r))
    await go('dashboard')
    const banner = page.getByTestId('failover-banner')
    await banner.waitFor()
    assert.match(await banner.innerText(), /deepseek, the active provider, is not serving: Failing — paused, retrying in \d+ sec\.[\s\S]*Requests go to backup/)
    await page.locator('[data-testid="recent-row"][data-failover="true"] [data-testid="failover-chip"]').first().waitFor()
    assert.match(await page.getByTestId('active-provider-health').innerText(), /paused/)
    await shot('dashboard-failover-en-light')
    await go('logs')
    await page.getByTestId('log-row').first().click()
    const skipped = page.locator('[data-testid="log-drawer"] [data-testid="attempt-skipped"]')
    assert.equal(await skipped.innerText(), 'Skipped: paused after 3 failures')
    await shot('log-skipped-en-light', false)
    await page.getByTestId('drawer-close').click()
    await go('channels')
    assert.match(await row('deepseek').getByTestId('channel-health').innerText(), /^Failing — paused, retrying in \d+ sec$/)
    ds.setFailing(false)
  })
})

test('switching from the window changes the next request\'s channel; a switch made elsewhere reaches the window, and Save does not undo it', async (t) => {
  await t.test('the header switcher sends the next request to the chosen channel', async () => {
    await page.getByTestId('active-switch').click()
    await page.getByTestId('active-option-backup').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="active-provider"]')?.getAttribute('data-channel') === 'backup')
    const before = sent
    await claude()
    assert.equal((await logs(before + 1))[0].channel, 'backup')
    assert.equal((await api('GET', '/api/routes')).routes.default[0], 'backup')
  })

  await t.test('a switch made elsewhere (as the tray or the CLI do) reaches the form; Save keeps it', async () => {
    await go('routing')
    // The switch from the header reaches the form (through the change event, which can land just after
    // the page opens).
    await page.waitForFunction(() => document.querySelector('[data-testid="scenario-default"] [data-testid="target-channel"]')?.value === 'backup',
      null, { timeout: STEP_MS })
    assert.ok(await page.getByTestId('routing-save').isDisabled(), 'Save is enabled without edits')
    const deepseek = (await api('GET', '/api/channels')).channels.find((c) => c.name === 'deepseek')
    await api('PUT', '/api/active', { channel_id: deepseek.id, model: '' })
    await page.waitForFunction(() => document.querySelector('[data-testid="scenario-default"] [data-testid="target-channel"]')?.value === 'deepseek',
      null, { timeout: STEP_MS })
    // With an edit, the next outside switch is announced and saving keeps it.
    await page.getByTestId('routing-strategy').selectOption('round_robin')
    await page.getByTestId('unsaved-bar').waitFor()
    const backup = (await api('GET', '/api/channels')).channels.find((c) => c.name === 'backup')
    await api('PUT', '/api/active', { channel_id: backup.id, model: '' })
    await page.getByTestId('routing-elsewhere').waitFor({ timeout: STEP_MS })
    await shot('routing-elsewhere-en-light', false)
    // Leaving with unsaved edits asks first.
    await page.getByTestId('nav-logs').click()
    await page.getByTestId('leave-dialog').waitFor()
    await page.getByTestId('leave-stay').click()
    await page.getByTestId('routing-page').waitFor()
    await page.getByTestId('routing-save-bar').click()
    await page.getByTestId('routing-saved').waitFor()
    const routes = await api('GET', '/api/routes')
    assert.equal(routes.strategy, 'round_robin')
    assert.equal(routes.routes.default[0], 'backup', `Save undid the switch made elsewhere: ${JSON.stringify(routes.routes.default)}`)
    await api('PUT', '/api/routes', { ...routes, strategy: 'priority' })
  })
})

test('Chinese and dark: health, tests, explanations and presets in Chinese', async (t) => {
  await setLook('dark', 'zh')
  await t.test('a failed test shows at once, in Chinese', async () => {
    await api('POST', '/api/channels', { name: 'bad-key', type: 'openai', base_url: `${ds.url}/v1`, api_key: 'sk-wrong-key-000000', models: [DS_FIRST], priority: 9 })
    await go('channels')
    assert.equal(await row('bad-key').getByTestId('channel-health').innerText(), '未测试')
    await row('bad-key').getByTestId('channel-test').click()
    await row('bad-key').locator('[data-testid="test-result"]').waitFor()
    assert.match(await row('bad-key').getByTestId('test-message').innerText(), /^密钥被拒绝（HTTP 401）/)
    await page.waitForFunction(() => document.querySelector('[data-channel-name="bad-key"] [data-testid="channel-health"]')?.textContent === '测试失败')
    await shot('channels-zh-dark')
  })
  await t.test('the preset list is in Chinese and searchable', async () => {
    await page.getByTestId('add-channel').click()
    await page.getByTestId('preset-search').fill('智谱')
    assert.match(await page.getByTestId('preset-picker').innerText(), /智谱/)
    await page.getByTestId('preset-search').fill('')
    await page.getByTestId('preset-ollama').click()
    assert.equal(await page.getByTestId('key-input').count(), 0, 'Ollama asks for a key')
    assert.match(await page.getByTestId('preset-links').innerText(), /不需要 API 密钥/)
    await shot('channel-presets-zh-dark', false)
    await page.getByTestId('channel-cancel').click()
  })
  await t.test('Explain gives its reasons in Chinese', async () => {
    await go('routing')
    await page.getByTestId('explain-run').click()
    const reasons = page.getByTestId('explain-reasons')
    await reasons.waitFor()
    assert.match(await reasons.innerText(), /不是长上下文/)
    assert.doesNotMatch(await reasons.innerText(), /not long_context|falling through/)
    await shot('routing-zh-dark')
  })
  await t.test('the dashboard compares periods in natural Chinese', async () => {
    await go('dashboard')
    await page.getByTestId('stat-requests').waitFor()
    const change = page.locator('[data-testid="stat-requests"] [data-testid="stat-change"]')
    const kind = await change.getAttribute('data-change')
    if (kind === 'up' || kind === 'down') assert.match(await change.innerText(), /^比前 24 小时 [↑↓] /)
    else assert.ok(kind === 'none' || kind === 'flat', kind)
    assert.match(await page.getByTestId('share-legend').innerText(), /\d+ · \d+(\.\d+)?%/)
    await shot('dashboard-zh-dark')
  })
  await setLook('light', 'en')
})

test('every page, both languages and themes, fits 900, 1200 and 1600 px without scrolling sideways and passes the contrast check', async () => {
  const axe = readFileSync(AXE, 'utf8')
  const problems = []
  for (const theme of ['light', 'dark']) {
    for (const lang of ['en', 'zh']) {
      await setLook(theme, lang)
      for (const width of [900, 1200, 1600]) {
        await page.setViewportSize({ width, height: 800 })
        for (const p of PAGES) {
          await page.goto(`${routex.base}/#/${p}`)
          await page.getByTestId(`${p}-page`).waitFor()
          await sleep(150)
          const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
          if (over > 0) problems.push(`${p} ${theme}/${lang} at ${width} px scrolls sideways by ${over} px`)
          if (width === 900 && p === 'channels') {
            // The channel editor and a delete confirmation keep their buttons in view.
            await page.getByTestId('add-channel').click()
            const b = await page.getByTestId('channel-submit').boundingBox()
            if (!b || b.y + b.height > 800 || b.x + b.width > 900) problems.push(`the editor's Save is out of view at 900 px (${theme}/${lang})`)
            await page.getByTestId('channel-cancel').click()
            await row('deepseek').getByTestId('channel-menu').click()
            await row('deepseek').getByTestId('channel-delete').click()
            const c = await page.locator('[data-testid="channel-delete-dialog"] [data-testid="confirm-cancel"]').boundingBox()
            if (!c || c.x + c.width > 900) problems.push(`the delete confirmation's Cancel is out of view at 900 px (${theme}/${lang})`)
            await page.locator('[data-testid="channel-delete-dialog"] [data-testid="confirm-cancel"]').click()
            if (theme === 'light' && lang === 'en') await shot('channels-900-en-light', false)
          }
          if (width === 1200) {
            if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
              // Evaluated over the DevTools protocol: the page's CSP allows no inline script.
              await page.evaluate(axe)
              // The check can fail: light grey on white is reported.
              const seen = await page.evaluate(async () => {
                const probe = Object.assign(document.createElement('p'), { textContent: 'probe' })
                probe.style.cssText = 'color:#cbd5e1;background:#ffffff'
                document.querySelector('main')?.append(probe)
                const r = await window.axe.run(probe, { runOnly: { type: 'rule', values: ['color-contrast'] } })
                probe.remove()
                return r.violations.length
              })
              assert.equal(seen, 1, 'axe did not report a low-contrast probe')
            }
            const res = await page.evaluate(async () => {
              const r = await window.axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] } })
              return r.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.any.map((a) => a.message).join('; ')}`))
            })
            for (const v of res) problems.push(`contrast ${p} ${theme}/${lang}: ${v}`)
          }
        }
      }
    }
  }
  await setLook('light', 'en')
  await page.setViewportSize({ width: 1200, height: 800 })
  assert.deepEqual(problems, [])
  assert.deepEqual(pageErrors, [], 'uncaught errors in the page')
})

test('export and import in the window', async () => {
  await go('tools')
  const download = page.waitForEvent('download')
  await page.getByTestId('export').click()
  const file = await (await download).path()
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  assert.equal(doc.routex_export, 1)
  assert.ok(doc.channels.some((c) => c.name === 'deepseek') && !JSON.stringify(doc).includes(DS_KEYS[0]), 'an export without keys holds a key')
  await page.getByTestId('import-file').setInputFiles(file)
  const plan = page.getByTestId('import-plan')
  await plan.waitFor()
  assert.equal(await plan.getAttribute('data-dry-run'), 'true')
  assert.match(await plan.innerText(), /channels to add, \d+ to update/)
  await page.getByTestId('import-apply').click()
  await page.waitForFunction(() => document.querySelector('[data-testid="import-plan"]')?.getAttribute('data-dry-run') === 'false')
  // The import kept the keys it did not carry.
  const ch = (await api('GET', '/api/channels')).channels.find((c) => c.name === 'deepseek')
  assert.equal(ch.key_count, 2)
})
