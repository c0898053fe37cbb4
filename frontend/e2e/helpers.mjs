// Shared pieces of the end-to-end tests: a free loopback port, and a real
// `routex serve` in a throwaway home folder that is always cleaned up.
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

// startRoutex runs `bin serve` on a free port with the given admin token and
// access key and waits (at most timeoutMs) for /health. The returned stop()
// kills it (SIGTERM, then SIGKILL after 3 s), waits at most 5 s for the exit
// and removes the home folder; it is safe to call twice.
export async function startRoutex({ bin, adminToken, accessKey, timeoutMs = 15_000 }) {
  try {
    accessSync(bin, constants.X_OK)
  } catch {
    throw new Error(`routex binary not found or not executable at ${bin}; build it (make build-headless) or set ROUTEX_BIN`)
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'routex-e2e-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  let log = ''
  const server = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--home', home], {
    // HOME too: the engine reads and writes Claude Code's, Gemini CLI's and
    // Codex CLI's settings under it, and a test must never touch the real ones.
    env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: path.join(home, '.codex'), ROUTEX_HOME: home,
      ROUTEX_ADMIN_TOKEN: adminToken, ROUTEX_ACCESS_KEY: accessKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  server.stdout.on('data', (d) => (log += d))
  server.stderr.on('data', (d) => (log += d))
  server.on('error', (e) => (log += `spawn error: ${e.message}\n`))

  let stopped = false
  const running = () => server.exitCode === null && server.signalCode === null
  const stop = async () => {
    if (stopped) return
    stopped = true
    if (running()) {
      const exited = new Promise((r) => server.once('exit', r))
      server.kill('SIGTERM')
      setTimeout(() => running() && server.kill('SIGKILL'), 3000).unref()
      await Promise.race([exited, sleep(5000)])
    }
    rmSync(home, { recursive: true, force: true })
  }

  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  for (;;) {
    if (!running()) {
      await stop()
      throw new Error(`routex exited early (code ${server.exitCode}):\n${log}`)
    }
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) })
      if (res.status === 200) break
      last = `HTTP ${res.status}`
    } catch (e) {
      last = e.message
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`GET ${base}/health did not answer 200 within ${timeoutMs} ms (last: ${last}); server log:\n${log}`)
    }
    await sleep(200)
  }
  return { base, home, stop, log: () => log }
}
