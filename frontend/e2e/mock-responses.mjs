// The OpenAI Responses API as a mock upstream answers it: POST /v1/responses
// plain and streamed (every event named and numbered, as OpenAI streams
// them) and POST /v1/responses/input_tokens. It refuses what the real API
// refuses (unknown fields, function tools in the Chat Completions shape,
// tool outputs without their call, max_output_tokens under 16) with a 400
// in OpenAI's error envelope, so a conversion bug cannot hide behind it.

const KNOWN = new Set(['model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'reasoning', 'text',
  'max_output_tokens', 'temperature', 'top_p', 'store', 'stream', 'include', 'prompt_cache_key', 'metadata',
  'previous_response_id', 'user', 'safety_identifier', 'truncation', 'service_tier', 'background', 'conversation', 'prompt'])

/** What the real API would refuse in body, or ''. */
export function responsesProblem(body) {
  if (!body || typeof body !== 'object') return 'We could not parse the JSON body of your request.'
  for (const k of Object.keys(body)) if (!KNOWN.has(k)) return `Unrecognized request argument supplied: ${k}`
  if (!body.model) return "Missing required parameter: 'model'."
  if (body.max_output_tokens != null && body.max_output_tokens < 16) return "Invalid 'max_output_tokens': integer below minimum value."
  if ((body.user ?? '').length > 64) return "Invalid 'user': string too long. Expected a string with maximum length 64."
  for (const [i, t] of (body.tools ?? []).entries()) {
    if (t.type === 'function' && (!t.name || typeof t.parameters !== 'object' || t.function)) return `Invalid 'tools[${i}]': a function tool needs name and parameters.`
    if (!['function', 'custom', 'web_search', 'web_search_preview', 'file_search', 'local_shell'].includes(t.type)) return `Invalid 'tools[${i}].type': ${t.type}`
  }
  if (typeof body.input === 'string') return ''
  if (!Array.isArray(body.input)) return "Invalid type for 'input': expected a string or an array."
  const calls = new Set()
  for (const [i, it] of body.input.entries()) {
    const type = it.type ?? 'message'
    if (type === 'message' && !['user', 'assistant', 'system', 'developer'].includes(it.role)) return `Invalid 'input[${i}].role'.`
    if (type === 'function_call' || type === 'custom_tool_call') {
      if (!it.call_id || !it.name) return `Missing 'input[${i}].call_id' or 'name'.`
      calls.add(it.call_id)
    }
    if ((type === 'function_call_output' || type === 'custom_tool_call_output') && !calls.has(it.call_id)) {
      return `No tool call found for ${type} with call_id ${it.call_id}.`
    }
    if (type === 'reasoning' && (!Array.isArray(it.summary) || String(it.encrypted_content ?? '').startsWith('routex:'))) {
      return `The encrypted content for item input[${i}] could not be verified.`
    }
  }
  return ''
}

function responseObject(id, status, output, usage) {
  return {
    id, object: 'response', created_at: 1764950000, status, error: null, incomplete_details: null, instructions: null,
    max_output_tokens: null, model: 'gpt-5-codex', output, parallel_tool_calls: true, previous_response_id: null,
    reasoning: { effort: null, summary: null }, store: false, temperature: 1, text: { format: { type: 'text' } },
    tool_choice: 'auto', tools: [], top_p: 1, truncation: 'disabled', usage, user: null, metadata: {},
  }
}

const USAGE = { input_tokens: 321, input_tokens_details: { cached_tokens: 0 }, output_tokens: 27, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 348 }

/**
 * The reply to body: "Let me check." and, when the request offers tools, a
 * get_weather call (the first tool's name) for Paris; 321 tokens in, 27 out.
 */
export function responsesReply(body) {
  const message = { id: 'msg_mock1', type: 'message', status: 'completed', role: 'assistant',
    content: [{ type: 'output_text', text: 'Let me check.', annotations: [], logprobs: [] }] }
  const output = [message]
  const tool = (body.tools ?? []).find((t) => t.type === 'function')
  if (tool) {
    output.push({ id: 'fc_mock1', type: 'function_call', status: 'completed', call_id: 'call_mock1', name: tool.name,
      arguments: '{"city":"Paris","unit":"c"}' })
  }
  return responseObject('resp_mock1', 'completed', output, USAGE)
}

/** The same reply as a Responses event stream, in SSE frames. */
export function responsesEvents(body) {
  const done = responsesReply(body)
  const events = [
    { type: 'response.created', response: responseObject(done.id, 'in_progress', [], null) },
    { type: 'response.in_progress', response: responseObject(done.id, 'in_progress', [], null) },
  ]
  done.output.forEach((item, i) => {
    if (item.type === 'message') {
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] }
      events.push(
        { type: 'response.output_item.added', output_index: i, item: { ...item, status: 'in_progress', content: [] } },
        { type: 'response.content_part.added', item_id: item.id, output_index: i, content_index: 0, part },
        { type: 'response.output_text.delta', item_id: item.id, output_index: i, content_index: 0, delta: 'Let me ', logprobs: [] },
        { type: 'response.output_text.delta', item_id: item.id, output_index: i, content_index: 0, delta: 'check.', logprobs: [] },
        { type: 'response.output_text.done', item_id: item.id, output_index: i, content_index: 0, text: 'Let me check.', logprobs: [] },
        { type: 'response.content_part.done', item_id: item.id, output_index: i, content_index: 0, part: { ...part, text: 'Let me check.' } },
      )
    } else {
      events.push(
        { type: 'response.output_item.added', output_index: i, item: { ...item, status: 'in_progress', arguments: '' } },
        { type: 'response.function_call_arguments.delta', item_id: item.id, output_index: i, delta: '{"city":"Pa' },
        { type: 'response.function_call_arguments.delta', item_id: item.id, output_index: i, delta: 'ris","unit":"c"}' },
        { type: 'response.function_call_arguments.done', item_id: item.id, output_index: i, arguments: item.arguments },
      )
    }
    events.push({ type: 'response.output_item.done', output_index: i, item })
  })
  events.push({ type: 'response.completed', response: done })
  return events.map((e, i) => `event: ${e.type}\ndata: ${JSON.stringify({ ...e, sequence_number: i })}\n\n`)
}

/**
 * Answers a request to a /responses path, or returns false for other paths.
 * write(res, frames) sends SSE frames.
 */
export function serveResponses(req, body, res, write) {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (req.method !== 'POST' || !/\/v1\/responses(\/input_tokens)?$/.test(path)) return false
  const problem = responsesProblem(body)
  if (problem) {
    res.writeHead(400, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ error: { message: problem, type: 'invalid_request_error', param: null, code: null } }))
    return true
  }
  if (path.endsWith('/input_tokens')) {
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ object: 'response.input_tokens', input_tokens: 321 }))
    return true
  }
  if (body.stream) {
    write(res, responsesEvents(body))
    return true
  }
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(responsesReply(body)))
  return true
}
