// The official OpenAI SDK's Chat Completions through Routex: a tool loop
// with chat.completions.create and one with chat.completions.stream, and a
// structured-output (json_schema) request whose answer must be JSON.
import OpenAI from 'openai'
import { env, shellSchema, answerSchema, runShell, checkJSON, main, maxTurns } from './common.mjs'

const client = new OpenAI({ baseURL: env.base + '/v1', apiKey: env.key, maxRetries: 0 })
const model = 'gpt-5.1'
const tools = [{ type: 'function', function: { name: 'run_shell', description: 'Run a shell command and return its output', parameters: shellSchema } }]

async function loop(stream) {
  const messages = [{ role: 'user', content: env.prompt }]
  for (let i = 0; i < maxTurns; i++) {
    const params = { model, messages, tools }
    const r = stream
      ? await client.chat.completions.stream({ ...params, stream_options: { include_usage: true } }).finalChatCompletion()
      : await client.chat.completions.create(params)
    const msg = r.choices[0].message
    messages.push({ role: 'assistant', content: msg.content ?? null, ...(msg.tool_calls?.length ? { tool_calls: msg.tool_calls } : {}) })
    if (!msg.tool_calls?.length) return msg.content
    for (const c of msg.tool_calls) {
      messages.push({ role: 'tool', tool_call_id: c.id, content: runShell(JSON.parse(c.function.arguments).command) })
    }
  }
  throw new Error(`no final answer after ${maxTurns} turns`)
}

await main([
  ['chat.completions.create', () => loop(false)],
  ['chat.completions.stream', () => loop(true)],
  ['chat.completions.create json_schema', async () => {
    const r = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Answer in JSON: which gateway is this?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: answerSchema, strict: true } },
    })
    checkJSON('json_schema', r.choices[0].message.content)
  }],
])
