import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, TOKEN_KEY, api, onUnauthorized, parseError, request, setToken } from './client'

function reply(status: number, body?: unknown, raw?: string): Response {
  const text = raw ?? (body === undefined ? '' : JSON.stringify(body))
  return new Response(status === 204 ? null : text, { status, headers: { 'Content-Type': 'application/json' } })
}

describe('parseError', () => {
  it('reads type, message and field errors from the engine error shape', () => {
    const err = parseError(400, JSON.stringify({
      error: {
        type: 'invalid_request',
        message: 'invalid channel',
        fields: { base_url: { code: 'url', message: 'must be an http(s) URL' }, name: { code: 'required', message: 'required' } },
      },
    }))
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(400)
    expect(err.type).toBe('invalid_request')
    expect(err.message).toBe('invalid channel')
    expect(err.fields).toEqual({
      base_url: { code: 'url', message: 'must be an http(s) URL' },
      name: { code: 'required', message: 'required' },
    })
  })

  it('keeps a 409 duplicate name as a field error with code unique', () => {
    const err = parseError(409, JSON.stringify({ error: { type: 'conflict', message: 'exists', fields: { name: { code: 'unique', message: 'taken' } } } }))
    expect(err.status).toBe(409)
    expect(err.fields.name?.code).toBe('unique')
  })

  it('survives a body that is not JSON', () => {
    const err = parseError(502, '<html>Bad Gateway</html>')
    expect(err.status).toBe(502)
    expect(err.type).toBe('http_error')
    expect(err.message).toContain('Bad Gateway')
    expect(err.fields).toEqual({})
  })

  it('survives an empty body and malformed fields', () => {
    expect(parseError(500, '').message).toBe('HTTP 500')
    expect(parseError(404, '{"error":"nope"}').message).toBe('HTTP 404')
    const err = parseError(400, '{"error":{"message":"bad","fields":{"x":"oops","y":{"code":3}}}}')
    expect(err.fields).toEqual({ y: { code: '', message: '' } })
  })
})

describe('request', () => {
  const fetchMock = vi.fn<typeof fetch>()

  beforeEach(() => {
    sessionStorage.clear()
    fetchMock.mockReset()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('sends no Authorization header when no token is stored (desktop window)', async () => {
    fetchMock.mockResolvedValue(reply(200, { channels: [] }))
    await expect(api.listChannels()).resolves.toEqual([])
    const init = fetchMock.mock.calls[0]?.[1]
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/channels')
    expect((init?.headers as Record<string, string>).Authorization).toBeUndefined()
  })

  it('sends the stored token as a bearer token', async () => {
    setToken('tok-123')
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('tok-123')
    fetchMock.mockResolvedValue(reply(200, { channels: [] }))
    await api.listChannels()
    const headers = fetchMock.mock.calls[0]?.[1]?.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer tok-123')
  })

  it('on 401 without a token notifies listeners with reason missing', async () => {
    const seen: string[] = []
    const off = onUnauthorized((r) => seen.push(r))
    fetchMock.mockResolvedValue(reply(401, { error: { type: 'unauthorized', message: 'admin token required' } }))
    const err = await api.listChannels().catch((e: unknown) => e)
    off()
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(401)
    expect(seen).toEqual(['missing'])
  })

  it('on 401 with a token drops the token and reports it invalid', async () => {
    setToken('wrong')
    const seen: string[] = []
    const off = onUnauthorized((r) => seen.push(r))
    fetchMock.mockResolvedValue(reply(401, { error: { type: 'unauthorized', message: 'bad token' } }))
    await expect(api.listChannels()).rejects.toBeInstanceOf(ApiError)
    off()
    expect(seen).toEqual(['invalid'])
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull()
  })

  it('retrying after setting a token succeeds', async () => {
    fetchMock
      .mockResolvedValueOnce(reply(401, { error: { type: 'unauthorized', message: 'token required' } }))
      .mockResolvedValueOnce(reply(200, { channels: [{ id: 1, name: 'a' }] }))
    await expect(api.listChannels()).rejects.toBeInstanceOf(ApiError)
    setToken('good')
    await expect(api.listChannels()).resolves.toHaveLength(1)
    const headers = fetchMock.mock.calls[1]?.[1]?.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer good')
  })

  it('posts JSON and returns the created channel', async () => {
    fetchMock.mockResolvedValue(reply(201, { id: 7, name: 'x' }))
    const ch = await api.createChannel({
      name: 'x', type: 'openai', base_url: 'https://api.openai.com/v1', api_key: 'k', models: [], priority: 1, weight: 1, enabled: true,
    })
    expect(ch.id).toBe(7)
    const [url, init] = fetchMock.mock.calls[0] ?? []
    expect(url).toBe('/api/channels')
    expect(init?.method).toBe('POST')
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json')
    expect(JSON.parse(init?.body as string)).toMatchObject({ name: 'x', api_key: 'k' })
  })

  it('PATCHes partial fields and handles 204 on DELETE', async () => {
    fetchMock.mockResolvedValueOnce(reply(200, { id: 3, enabled: false }))
    await api.updateChannel(3, { enabled: false })
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/channels/3')
    expect(fetchMock.mock.calls[0]?.[1]?.method).toBe('PATCH')
    expect(fetchMock.mock.calls[0]?.[1]?.body).toBe('{"enabled":false}')
    fetchMock.mockResolvedValueOnce(reply(204))
    await expect(api.deleteChannel(3)).resolves.toBeUndefined()
    expect(fetchMock.mock.calls[1]?.[1]?.method).toBe('DELETE')
  })

  it('throws the parsed validation error on 400', async () => {
    fetchMock.mockResolvedValue(reply(400, { error: { type: 'invalid_request', message: 'bad', fields: { base_url: { code: 'url', message: 'bad url' } } } }))
    const err = (await request('POST', '/api/channels', {}).catch((e: unknown) => e)) as ApiError
    expect(err.status).toBe(400)
    expect(err.fields.base_url).toEqual({ code: 'url', message: 'bad url' })
  })

  it('turns a network failure into status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const err = (await api.health().catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.type).toBe('network_error')
  })

  it('treats a null channel list as empty', async () => {
    fetchMock.mockResolvedValue(reply(200, { channels: null }))
    await expect(api.listChannels()).resolves.toEqual([])
  })
})
