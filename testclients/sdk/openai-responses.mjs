// The official OpenAI SDK's Responses API through Routex: a tool loop with
// responses.create and one with responses.stream, and a structured-output
// (text.format json_schema) request whose answer must be JSON.
import OpenAI from 'openai'
import { env, shellSchema, answerSchema, runShell, checkJSON, main, maxTurns } from './common.mjs'

const client = new OpenAI({ baseURL: env.base + '/v1', apiKey: env.key, maxRetries: 0 })
const model = 'gpt-5.1-codex'
const tools = [{ type: 'function', name: 'run_shell', description: 'Run a shell command and return its output', parameters: shellSchema, strict: false }]

async function loop(stream) {
  const input = [{ role: 'user', content: env.prompt }]
  for (let i = 0; i < maxTurns; i++) {
    const params = { model, input, tools, store: false }
    const r = stream ? await client.responses.stream(params).finalResponse() : await client.responses.create(params)
    const calls = r.output.filter((it) => it.type === 'function_call')
    if (calls.length === 0) return r.output_text
    for (const c of calls) {
      input.push({ type: 'function_call', call_id: c.call_id, name: c.name, arguments: c.arguments })
      input.push({ type: 'function_call_output', call_id: c.call_id, output: runShell(JSON.parse(c.arguments).command) })
    }
  }
  throw new Error(`no final answer after ${maxTurns} turns`)
}

await main([
  ['responses.create', () => loop(false)],
  ['responses.stream', () => loop(true)],
  ['responses.create json_schema', async () => {
    const r = await client.responses.create({
      model,
      input: 'Answer in JSON: which gateway is this?',
      text: { format: { type: 'json_schema', name: 'answer', schema: answerSchema, strict: true } },
    })
    checkJSON('text.format', r.output_text)
  }],
])
