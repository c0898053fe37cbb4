import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import { api, getToken, normalizeRequestEvent } from '../api/client'
import type { PolledEvent, RequestEvent } from '../api/types'

/** How many live requests the dashboard keeps. */
export const LIVE_LIMIT = 12
export const POLL_MS = 2000

/** Adds newest-first, keeping at most limit. */
export function pushLive(list: RequestEvent[], ev: RequestEvent, limit = LIVE_LIMIT): RequestEvent[] {
  return [ev, ...list].slice(0, limit)
}

/** The request events of a polled batch, oldest first. */
export function requestEvents(events: PolledEvent[] | null | undefined): RequestEvent[] {
  return (events ?? [])
    .filter((e) => e.topic === 'request' && typeof e.data === 'object' && e.data !== null)
    .sort((a, b) => a.seq - b.seq)
    .map((e) => normalizeRequestEvent(e.data))
}

export type LiveMode = 'sse' | 'poll' | 'off'

/**
 * Follows /api/events. EventSource cannot send an Authorization header, so
 * with an admin token (a browser) it polls every 2 s; without one (the desktop
 * window) it streams. onRequest runs for every new request; onHealth for
 * health changes.
 */
export function useLiveEvents(onRequest: (ev: RequestEvent) => void, onHealth?: () => void): LiveMode {
  const [mode, setMode] = useState<LiveMode>('off')
  const cb = useRef({ onRequest, onHealth })
  useLayoutEffect(() => {
    cb.current = { onRequest, onHealth }
  })

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let source: EventSource | undefined

    const poll = async (since: number, first: boolean) => {
      let next = since
      try {
        const res = await api.pollEvents(since)
        next = res.next ?? since
        // The first answer only tells where "now" is; older events are history.
        if (!first) {
          for (const ev of requestEvents(res.events)) cb.current.onRequest(ev)
          if ((res.events ?? []).some((e) => e.topic === 'health' || e.topic === 'dropped')) cb.current.onHealth?.()
        }
        if (!stopped) setMode('poll')
      } catch {
        if (!stopped) setMode('off')
      }
      if (!stopped) timer = setTimeout(() => void poll(next, false), POLL_MS)
    }

    if (!getToken() && typeof EventSource !== 'undefined') {
      source = new EventSource('/api/events')
      source.addEventListener('open', () => setMode('sse'))
      source.addEventListener('request', (e) => {
        try {
          cb.current.onRequest(normalizeRequestEvent(JSON.parse((e as MessageEvent<string>).data)))
        } catch {
          // a malformed event is skipped
        }
      })
      source.addEventListener('health', () => cb.current.onHealth?.())
      source.addEventListener('error', () => {
        // The engine may not stream (older build, a proxy): fall back to polling.
        if (source?.readyState === EventSource.CLOSED) {
          source?.close()
          source = undefined
          if (!stopped && timer === undefined) void poll(0, true)
        }
      })
    } else {
      void poll(0, true)
    }
    return () => {
      stopped = true
      source?.close()
      if (timer) clearTimeout(timer)
    }
  }, [])
  return mode
}
