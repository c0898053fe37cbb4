// A tiny Anthropic Messages upstream for the browser tests: answers
// POST /v1/messages (plain and streamed) and GET /v1/models, refuses the key
// "sk-bad" with 401 like the real API, and counts what it served. It also
// answers POST /v1/responses as the OpenAI Responses API (mock-responses.mjs),
// for a channel of type openai-responses pointed at its /v1, and GET
// /user/balance as DeepSeek's balance endpoint does (amounts as strings, per
// currency), with a total the test sets through setBalance.
import http from 'node:http'
import { serveResponses } from './mock-responses.mjs'

export const GOOD_MODEL = 'claude-sonnet-4-5'

function message(model) {
  return {
    id: 'msg_e2e', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'Hello from the mock.' }],
    stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 42, output_tokens: 7 },
  }
}

function stream(res, model) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
  const send = (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  send('message_start', { type: 'message_start', message: { ...message(model), content: [], stop_reason: null, usage: { input_tokens: 42, output_tokens: 1 } } })
  send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
  send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello from the mock.' } })
  send('content_block_stop', { type: 'content_block_stop', index: 0 })
  send('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } })
  send('message_stop', { type: 'message_stop' })
  res.end()
}

/** Starts the mock on a free loopback port; resolves to {url, served, close}. */
export function startMockAnthropic() {
  const served = { messages: 0, models: 0, responses: 0, balance: 0 }
  let balance = '110.00'
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const key = req.headers['x-api-key'] ?? String(req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (key === 'sk-bad') {
        res.writeHead(401, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }))
        return
      }
      const url = new URL(req.url ?? '/', 'http://x')
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        served.models++
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ data: [{ id: GOOD_MODEL, type: 'model' }, { id: 'claude-haiku-4-5', type: 'model' }, { id: 'claude-opus-4-1', type: 'model' }],
          has_more: false, first_id: GOOD_MODEL, last_id: 'claude-opus-4-1' }))
        return
      }
      if (req.method === 'GET' && url.pathname === '/user/balance') {
        served.balance++
        if (!String(req.headers.authorization ?? '').startsWith('Bearer sk-')) {
          res.writeHead(401, { 'Content-Type': 'application/json' })
          res.end(JSON.stringify({ error: { message: 'Authentication Fails', type: 'authentication_error' } }))
          return
        }
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ is_available: Number(balance) > 0,
          balance_infos: [{ currency: 'CNY', total_balance: balance, granted_balance: '0.00', topped_up_balance: balance }] }))
        return
      }
      if (req.method === 'POST' && url.pathname === '/v1/messages') {
        served.messages++
        let parsed = {}
        try {
          parsed = JSON.parse(body)
        } catch {
          // answered below with the default model
        }
        const model = parsed.model ?? GOOD_MODEL
        if (parsed.stream) return stream(res, model)
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify(message(model)))
        return
      }
      let parsed = null
      try {
        parsed = JSON.parse(body)
      } catch {
        // refused as unparsable below
      }
      const write = (r, frames) => {
        r.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
        for (const f of frames) r.write(f)
        r.end()
      }
      if (serveResponses(req, parsed, res, write)) {
        served.responses++
        return
      }
      res.writeHead(404, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not found' } }))
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({ url: `http://127.0.0.1:${port}`, served, setBalance: (total) => { balance = total },
        close: () => new Promise((r) => server.close(r)) })
    })
  })
}
