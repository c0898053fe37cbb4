// The official Anthropic SDK through Routex: a tool loop with
// messages.create and one with messages.stream (thinking on, so signed
// thinking blocks must survive the round trip), and countTokens.
import Anthropic from '@anthropic-ai/sdk'
import { env, shellSchema, runShell, main, maxTurns } from './common.mjs'

const client = new Anthropic({ baseURL: env.base, apiKey: env.key, maxRetries: 0 })
const model = 'claude-sonnet-4-5'
const tools = [{ name: 'run_shell', description: 'Run a shell command and return its output', input_schema: shellSchema }]

async function loop(stream) {
  const messages = [{ role: 'user', content: env.prompt }]
  for (let i = 0; i < maxTurns; i++) {
    const params = { model, max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1024 }, tools, messages }
    const msg = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params)
    messages.push({ role: 'assistant', content: msg.content })
    const uses = msg.content.filter((b) => b.type === 'tool_use')
    if (uses.length === 0) return msg.content.filter((b) => b.type === 'text').map((b) => b.text).join('')
    messages.push({
      role: 'user',
      content: uses.map((u) => ({ type: 'tool_result', tool_use_id: u.id, content: runShell(u.input.command) })),
    })
  }
  throw new Error(`no final answer after ${maxTurns} turns`)
}

await main([
  ['messages.create', () => loop(false)],
  ['messages.stream', () => loop(true)],
  ['messages.countTokens', async () => {
    const r = await client.messages.countTokens({ model, tools, messages: [{ role: 'user', content: env.prompt }] })
    if (!(r.input_tokens > 0)) throw new Error(`no token count: ${JSON.stringify(r)}`)
  }],
])
