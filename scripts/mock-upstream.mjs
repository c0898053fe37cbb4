// Runs the browser tests' mock Anthropic upstream as a process, for shell
// scripts (the desktop screenshots): prints its URL, serves until killed.
import { startMockAnthropic } from '../frontend/e2e/mock-anthropic.mjs'

const mock = await startMockAnthropic()
console.log(mock.url)
process.on('SIGTERM', () => mock.close().then(() => process.exit(0)))
