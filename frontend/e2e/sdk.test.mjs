// The official Anthropic and OpenAI SDKs against a real `routex serve` that
// converts their requests for a mock upstream of another format.
//
//   ROUTEX_BIN=/path/to/routex-headless npm run e2e   (default: ../build/bin/routex-headless)
//
// The mock upstream speaks OpenAI Chat Completions, Anthropic Messages,
// Gemini and the OpenAI Responses API on loopback, streamed the way the real
// APIs stream, and records what it got.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { sleep, startRoutex } from './helpers.mjs'
import { serveResponses } from './mock-responses.mjs'

const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.resolve(FRONTEND, process.env.ROUTEX_BIN ?? '../build/bin/routex-headless')
const ADMIN_TOKEN = 'sdk-admin-token-7c1e'
const ACCESS_KEY = 'sdk-access-key-93ab'
const CHANNEL_KEY = 'sk-sdk-channel-4d2f'
const STEP_MS = 15_000

let routex
let mock
let mockURL
const received = []

// Replies of the mock, chunked like the real APIs.
const oa = (delta, finish = null) => ({
  id: 'chatcmpl-sdk1', object: 'chat.completion.chunk', created: 1764000000, model: 'gpt-4.1',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
})
const openAIChunks = [
  oa({ role: 'assistant', content: '' }),
  oa({ content: 'Let me ' }),
  oa({ content: 'check.' }),
  oa({ tool_calls: [{ index: 0, id: 'call_sdk1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  oa({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
  oa({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Par' } }] }),
  oa({ tool_calls: [{ index: 0, function: { arguments: 'is","unit":"c"}' } }] }),
  oa({}, 'tool_calls'),
  { id: 'chatcmpl-sdk1', object: 'chat.completion.chunk', created: 1764000000, model: 'gpt-4.1', choices: [],
    usage: { prompt_tokens: 321, completion_tokens: 27, total_tokens: 348 } },
]
const openAICompletion = {
  id: 'chatcmpl-sdk2', object: 'chat.completion', created: 1764000000, model: 'gpt-4.1',
  choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: 'Let me check.',
    tool_calls: [{ id: 'call_sdk2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' } }] } }],
  usage: { prompt_tokens: 321, completion_tokens: 27, total_tokens: 348 },
}
const anthropicEvents = [
  ['message_start', { type: 'message_start', message: { id: 'msg_sdk1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6',
    content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 321, output_tokens: 1 } } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['ping', { type: 'ping' }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'check.' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_sdk1', name: 'get_weather', input: {} } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'ris", "unit": "c"}' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 1 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 27 } }],
  ['message_stop', { type: 'message_stop' }],
]

const anthropicMessage = {
  id: 'msg_sdk2', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', stop_reason: 'tool_use', stop_sequence: null,
  content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_sdk2', name: 'get_weather', input: { city: 'Paris', unit: 'c' } }],
  usage: { input_tokens: 321, output_tokens: 27 },
}
const geminiChunks = [
  { candidates: [{ content: { role: 'model', parts: [{ text: 'Let me check.' }] }, index: 0 }],
    usageMetadata: { promptTokenCount: 321, totalTokenCount: 321 }, modelVersion: 'gemini-2.5-pro', responseId: 'gem-sdk1' },
  { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris', unit: 'c' } } }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 321, candidatesTokenCount: 27, totalTokenCount: 348 }, modelVersion: 'gemini-2.5-pro', responseId: 'gem-sdk1' },
]
const geminiResponse = {
  candidates: [{ content: { role: 'model', parts: [...geminiChunks[0].candidates[0].content.parts, ...geminiChunks[1].candidates[0].content.parts] },
    finishReason: 'STOP', index: 0 }],
  usageMetadata: geminiChunks[1].usageMetadata, modelVersion: 'gemini-2.5-pro', responseId: 'gem-sdk2',
}

async function writeSSE(res, frames) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
  for (const f of frames) {
    res.write(f)
    await sleep(2)
  }
  res.end()
}

function mockHandler(req, res) {
  let raw = ''
  req.on('data', (d) => (raw += d))
  req.on('end', async () => {
    let body = null
    try {
      body = JSON.parse(raw)
    } catch {
      // not JSON: recorded as null
    }
    received.push({ method: req.method, url: req.url, headers: req.headers, body })
    if (req.url.startsWith('/limited/')) {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '0' })
      res.end(JSON.stringify({ error: { message: 'Rate limit reached for gpt-4.1 in organization org-x on requests per min', type: 'requests', code: 'rate_limit_exceeded' } }))
      return
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      if (body?.stream) return writeSSE(res, [...openAIChunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'])
      res.writeHead(200, { 'Content-Type': 'application/json' })
      return res.end(JSON.stringify(openAICompletion))
    }
    if (req.method === 'POST' && req.url === '/v1/messages') {
      if (body?.stream) return writeSSE(res, anthropicEvents.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`))
      res.writeHead(200, { 'Content-Type': 'application/json' })
      return res.end(JSON.stringify(anthropicMessage))
    }
    if (req.method === 'POST' && req.url === '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse') {
      return writeSSE(res, geminiChunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`))
    }
    if (req.method === 'POST' && req.url === '/v1beta/models/gemini-2.5-pro:generateContent') {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      return res.end(JSON.stringify(geminiResponse))
    }
    if (serveResponses(req, body, res, writeSSE)) return
    res.writeHead(404, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ error: { message: `mock has no ${req.method} ${req.url}` } }))
  })
}

function admin(method, p, body) {
  return fetch(routex.base + p, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(STEP_MS),
  })
}

const channels = {}

async function addChannel(name, type, baseURL) {
  const res = await admin('POST', '/api/channels', { name, type, base_url: baseURL, api_key: CHANNEL_KEY, models: [], priority: 1, weight: 1, enabled: true })
  const text = await res.text()
  assert.equal(res.status, 201, `POST /api/channels ${name}: ${res.status} ${text}`)
  channels[name] = JSON.parse(text).id
}

async function activate(name, model) {
  const res = await admin('PUT', '/api/active', { channel_id: channels[name], model })
  assert.equal(res.status, 200, `PUT /api/active ${name}: ${res.status} ${await res.text()}`)
}

const lastReceived = () => received[received.length - 1]

const weatherTool = {
  name: 'get_weather',
  description: 'Get the current weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city'] },
}

const anthropicClient = (opts = {}) => new Anthropic({ baseURL: routex.base, apiKey: ACCESS_KEY, timeout: STEP_MS, maxRetries: 0, ...opts })

before(async () => {
  mock = http.createServer(mockHandler)
  await new Promise((resolve, reject) => {
    mock.once('error', reject)
    mock.listen(0, '127.0.0.1', resolve)
  })
  mockURL = `http://127.0.0.1:${mock.address().port}`
  routex = await startRoutex({ bin: BIN, adminToken: ADMIN_TOKEN, accessKey: ACCESS_KEY })
  await addChannel('oai', 'openai', `${mockURL}/v1`)
  await addChannel('oai-limited', 'openai', `${mockURL}/limited/v1`)
  await addChannel('claude', 'anthropic', mockURL)
  await addChannel('gem', 'gemini', mockURL)
  await addChannel('resp', 'openai-responses', `${mockURL}/v1`)
})

after(async () => {
  try {
    await routex?.stop()
  } finally {
    if (mock) {
      mock.closeAllConnections?.()
      await new Promise((r) => mock.close(() => r()))
    }
  }
})

test('@anthropic-ai/sdk served by an OpenAI channel', async (t) => {
  await activate('oai', 'gpt-4.1')

  await t.test('messages.create returns a tool_use block with the parsed input', async () => {
    const msg = await anthropicClient().messages.create({
      model: 'claude-sonnet-4-6', max_tokens: 1024, system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }],
    })
    assert.equal(msg.type, 'message')
    assert.equal(msg.stop_reason, 'tool_use')
    const tool = msg.content.find((b) => b.type === 'tool_use')
    assert.ok(tool, `no tool_use block: ${JSON.stringify(msg.content)}`)
    assert.equal(tool.name, 'get_weather')
    assert.deepEqual(tool.input, { city: 'Paris', unit: 'c' })
    assert.equal(msg.usage.input_tokens, 321)
    assert.equal(msg.usage.output_tokens, 27)

    const got = lastReceived()
    assert.equal(got.url, '/v1/chat/completions')
    assert.equal(got.headers.authorization, `Bearer ${CHANNEL_KEY}`)
    assert.equal(got.body.model, 'gpt-4.1')
    assert.equal(got.body.messages[0].role, 'system')
    assert.deepEqual(got.body.tools[0].function.name, 'get_weather')
    for (const h of Object.keys(got.headers)) {
      assert.ok(!h.startsWith('anthropic-') && !h.startsWith('x-stainless') && h !== 'x-api-key', `client header ${h} leaked upstream`)
    }
    assert.ok(!JSON.stringify(got.body).includes('cache_control'), 'cache_control leaked upstream')
  })

  await t.test('messages.stream ends in a final message with text, the tool call and usage', async () => {
    const errors = []
    const stream = anthropicClient().messages.stream({
      model: 'claude-sonnet-4-6', max_tokens: 1024, tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    })
    stream.on('error', (e) => errors.push(e))
    let text = ''
    stream.on('text', (d) => (text += d))
    const msg = await stream.finalMessage()
    assert.deepEqual(errors, [])
    assert.equal(text, 'Let me check.')
    assert.deepEqual(msg.content.map((b) => b.type), ['text', 'tool_use'])
    assert.equal(msg.content[0].text, 'Let me check.')
    assert.equal(msg.content[1].name, 'get_weather')
    assert.deepEqual(msg.content[1].input, { city: 'Paris', unit: 'c' })
    assert.equal(msg.stop_reason, 'tool_use')
    assert.ok(msg.usage.input_tokens > 0, `input_tokens ${msg.usage.input_tokens}`)
    assert.ok(msg.usage.output_tokens > 0, `output_tokens ${msg.usage.output_tokens}`)

    const got = lastReceived()
    assert.equal(got.body.stream, true)
    assert.deepEqual(got.body.stream_options, { include_usage: true })
  })

  await t.test('an upstream 429 fails over to another channel: the SDK sees an answer', async () => {
    await activate('oai-limited', 'gpt-4.1')
    const before = received.length
    const msg = await anthropicClient().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
    assert.equal(msg.type, 'message')
    const urls = received.slice(before).map((r) => r.url)
    assert.equal(urls[0], '/limited/v1/chat/completions', `first try: ${urls}`)
    assert.ok(urls.length >= 2, `no failover after the 429: ${urls}`)
  })

  await t.test('when every channel answers 429, the SDK raises a RateLimitError naming the channel', async () => {
    for (const name of ['oai', 'claude', 'gem', 'resp']) {
      const res = await admin('PATCH', `/api/channels/${channels[name]}`, { enabled: false })
      assert.equal(res.status, 200, `disable ${name}: ${res.status}`)
    }
    try {
      await assert.rejects(
        anthropicClient().messages.create({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
        (e) => {
          assert.ok(e instanceof Anthropic.RateLimitError, `want RateLimitError, got ${e?.constructor?.name}: ${e?.message}`)
          assert.equal(e.status, 429)
          assert.match(e.message, /oai-limited/)
          assert.equal(e.error?.error?.type, 'rate_limit_error')
          return true
        },
      )
    } finally {
      for (const name of ['oai', 'claude', 'gem', 'resp']) {
        await admin('PATCH', `/api/channels/${channels[name]}`, { enabled: true })
      }
    }
  })
})

test('openai SDK served by an Anthropic channel streams tool-call chunks and usage', async () => {
  await activate('claude', 'claude-sonnet-4-6')
  const client = new OpenAI({ baseURL: routex.base + '/v1', apiKey: ACCESS_KEY, timeout: STEP_MS, maxRetries: 0 })
  const stream = await client.chat.completions.create({
    model: 'gpt-4o', stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Weather in Paris?' }],
    tools: [{ type: 'function', function: { name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.input_schema } }],
  })
  let text = ''
  let finish = null
  let last = null
  const calls = []
  for await (const chunk of stream) {
    last = chunk
    assert.equal(chunk.object, 'chat.completion.chunk')
    const choice = chunk.choices[0]
    if (!choice) continue
    text += choice.delta?.content ?? ''
    for (const tc of choice.delta?.tool_calls ?? []) {
      if (!calls[tc.index]) {
        assert.ok(tc.id && tc.function?.name, `first delta of call ${tc.index} lacks id or name: ${JSON.stringify(tc)}`)
        calls[tc.index] = { id: tc.id, name: tc.function.name, args: '' }
      }
      calls[tc.index].args += tc.function?.arguments ?? ''
    }
    finish = choice.finish_reason ?? finish
  }
  assert.equal(text, 'Let me check.')
  assert.equal(calls.length, 1)
  assert.equal(calls[0].name, 'get_weather')
  assert.deepEqual(JSON.parse(calls[0].args), { city: 'Paris', unit: 'c' })
  assert.equal(finish, 'tool_calls')
  assert.deepEqual(last.choices, [])
  assert.equal(last.usage?.prompt_tokens, 321)
  assert.equal(last.usage?.completion_tokens, 27)

  const got = lastReceived()
  assert.equal(got.url, '/v1/messages')
  assert.equal(got.headers['x-api-key'], CHANNEL_KEY)
  assert.ok(got.headers['anthropic-version'], 'no anthropic-version upstream')
  assert.equal(got.body.model, 'claude-sonnet-4-6')
  assert.equal(got.body.system?.[0]?.text ?? got.body.system, 'You are terse.')
  assert.ok(got.body.max_tokens > 0)
  assert.equal(got.body.tools[0].name, 'get_weather')
})

// What an OpenAI Responses client gets for "Weather in Paris?" with the
// get_weather tool, whatever the channel: the text, the call with its
// arguments, and the upstream's usage.
function checkWeatherResponse(r) {
  assert.equal(r.object, 'response')
  assert.equal(r.status, 'completed')
  assert.match(r.id, /^resp_/)
  assert.equal(r.output_text, 'Let me check.')
  const call = r.output.find((o) => o.type === 'function_call')
  assert.ok(call, `no function_call: ${JSON.stringify(r.output)}`)
  assert.equal(call.name, 'get_weather')
  assert.ok(call.call_id && call.id, `call without call_id or id: ${JSON.stringify(call)}`)
  assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris', unit: 'c' })
  assert.equal(r.usage.input_tokens, 321)
  assert.equal(r.usage.output_tokens, 27)
  assert.equal(r.usage.total_tokens, 348)
}

const responsesParams = {
  model: 'gpt-5-codex', instructions: 'You are terse.', input: 'Weather in Paris?',
  tools: [{ type: 'function', name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.input_schema, strict: false }],
}

// Where each channel's request must land upstream.
const upstreamPath = {
  oai: () => '/v1/chat/completions', claude: () => '/v1/messages', resp: () => '/v1/responses',
  gem: (stream) => (stream ? '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse' : '/v1beta/models/gemini-2.5-pro:generateContent'),
}

test('openai SDK responses.create and responses.stream on every channel type', async (t) => {
  const client = new OpenAI({ baseURL: routex.base + '/v1', apiKey: ACCESS_KEY, timeout: STEP_MS, maxRetries: 0 })
  for (const [name, model] of [['oai', 'gpt-4.1'], ['claude', 'claude-sonnet-4-6'], ['gem', 'gemini-2.5-pro'], ['resp', 'gpt-5-codex']]) {
    await activate(name, model)

    // Each channel gets its own conversation (prompt_cache_key is its
    // session key), so session affinity does not keep it on the last one.
    const params = { ...responsesParams, prompt_cache_key: `sdk-${name}` }

    await t.test(`${name}: responses.create`, async () => {
      const r = await client.responses.create(params)
      checkWeatherResponse(r)
      const got = lastReceived()
      assert.equal(got.url, upstreamPath[name](false))
      if (name === 'resp') {
        assert.equal(got.headers.authorization, `Bearer ${CHANNEL_KEY}`)
        assert.deepEqual(got.body.tools, params.tools, 'a Responses channel gets the tools as sent')
      } else {
        for (const k of ['input', 'instructions']) assert.ok(!(k in got.body), `Responses field ${k} leaked to the ${name} channel`)
      }
    })

    await t.test(`${name}: responses.stream`, async () => {
      const stream = client.responses.stream({ ...params, prompt_cache_key: `sdk-${name}-stream` })
      let text = ''
      let args = ''
      const types = new Set()
      stream.on('event', (e) => types.add(e.type))
      stream.on('response.output_text.delta', (e) => (text += e.delta))
      stream.on('response.function_call_arguments.delta', (e) => (args += e.delta))
      const r = await stream.finalResponse()
      checkWeatherResponse(r)
      assert.equal(text, 'Let me check.')
      assert.deepEqual(JSON.parse(args), { city: 'Paris', unit: 'c' })
      for (const want of ['response.created', 'response.output_item.added', 'response.output_item.done', 'response.completed']) {
        assert.ok(types.has(want), `no ${want} event: ${[...types]}`)
      }
      assert.equal(lastReceived().url, upstreamPath[name](true))
    })
  }

  await t.test('input_tokens counts on every channel', async () => {
    await activate('claude', 'claude-sonnet-4-6')
    const n = await client.responses.inputTokens.count({ model: 'gpt-5-codex', input: 'How long is this?' })
    assert.equal(n.object, 'response.input_tokens')
    assert.ok(n.input_tokens > 0, `input_tokens ${n.input_tokens}`)
  })
})
