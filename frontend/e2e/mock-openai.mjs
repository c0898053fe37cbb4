// A DeepSeek-like OpenAI Chat Completions upstream for the browser tests,
// as strict as the real one where it matters here: it refuses a key it does
// not know (401) and a model it does not serve (400 "Model Not Exist", as
// DeepSeek answers a Claude model name), answers plain and streamed
// completions and GET /v1/models, and can be made to fail (503) to show a
// failover. It records the model of every completion it served.
import http from 'node:http'

/** Starts the mock on a free loopback port with the keys and models it accepts. */
export function startMockOpenAI({ keys, models }) {
  const state = { failing: false, served: [], refused: [] }
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const reply = (status, obj) => {
        res.writeHead(status, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify(obj))
      }
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (!keys.includes(key)) {
        return reply(401, { error: { message: 'Authentication Fails (no such user)', type: 'authentication_error', code: 'invalid_request_error' } })
      }
      const url = new URL(req.url ?? '/', 'http://x')
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        return reply(200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'mock' })) })
      }
      if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
        return reply(404, { error: { message: 'Not Found', type: 'invalid_request_error' } })
      }
      let parsed
      try {
        parsed = JSON.parse(body)
      } catch {
        return reply(400, { error: { message: 'Failed to deserialize the JSON body', type: 'invalid_request_error' } })
      }
      if (!models.includes(parsed.model)) {
        state.refused.push(parsed.model)
        return reply(400, { error: { message: 'Model Not Exist', type: 'invalid_request_error', param: null, code: 'invalid_request_error' } })
      }
      if (state.failing) {
        return reply(503, { error: { message: 'Service is too busy, please try again later', type: 'service_unavailable_error' } })
      }
      state.served.push(parsed.model)
      const id = `chatcmpl-${state.served.length}`
      const created = Math.floor(Date.now() / 1000)
      if (parsed.stream) {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
        const chunk = (delta, finish = null) =>
          res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: parsed.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`)
        chunk({ role: 'assistant', content: '' })
        chunk({ content: 'Hello from DeepSeek.' })
        chunk({}, 'stop')
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: parsed.model, choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } })}\n\n`)
        res.write('data: [DONE]\n\n')
        return res.end()
      }
      reply(200, {
        id, object: 'chat.completion', created, model: parsed.model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from DeepSeek.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
      })
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({
        url: `http://127.0.0.1:${port}`, state,
        setFailing: (v) => (state.failing = v),
        close: () => new Promise((r) => server.close(r)),
      })
    })
  })
}
