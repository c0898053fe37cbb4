// Shared setup of the browser tests that drive a real `routex serve`:
// where the binary and Chromium are, a headless Chromium on a throwaway
// profile that records the page's uncaught errors and what its
// Content-Security-Policy blocked, the admin API, and logging in.
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const BIN = path.resolve(FRONTEND, process.env.ROUTEX_BIN ?? '../build/bin/routex-headless')
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium'
// TEST_RESULTS is where most suites put their screenshots.
export const TEST_RESULTS = path.join(FRONTEND, 'test-results')

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

// needChromium fails the suite at once when Chromium is missing, and makes
// the screenshot folder shots.
export function needChromium(shots) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}; apt-get install chromium or set CHROMIUM_BIN`)
  mkdirSync(shots, { recursive: true })
}

// openBrowser launches headless Chromium with its profile in the folder
// profile (light theme, English; options such as viewport add to or
// override that) and every step limited to stepMs. pageErrors and
// cspViolations fill as the page reports them.
export async function openBrowser(profile, stepMs, options) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, timeout: 30_000, locale: 'en-US', colorScheme: 'light', ...options, args: CHROMIUM_ARGS,
  })
  context.setDefaultTimeout(stepMs)
  const page = context.pages()[0] ?? (await context.newPage())
  const pageErrors = []
  const cspViolations = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Content-Security-Policy/i.test(m.text())) cspViolations.push(m.text())
  })
  return { context, page, pageErrors, cspViolations }
}

// adminCall calls the admin API of the engine at base with token, body as
// JSON, within timeoutMs, and returns the status, the parsed answer (if
// any) and its text.
export async function adminCall({ base, token, timeoutMs }, method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : undefined, text }
}

// logIn answers the dashboard's token prompt.
export async function logIn(page, token) {
  await page.getByTestId('token-input').fill(token)
  await page.getByTestId('token-submit').click()
}
