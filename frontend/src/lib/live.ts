import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react'
import { api, getToken, normalizeRequestEvent } from '../api/client'
import type { PolledEvent, RequestEvent } from '../api/types'

/** How many live requests the dashboard keeps. */
export const LIVE_LIMIT = 12
export const POLL_MS = 2000

/** The topics of /api/events the window follows. */
export const TOPICS = ['request', 'health', 'change', 'dropped'] as const
export type Topic = (typeof TOPICS)[number]

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

type Listener = (topic: Topic, data: unknown) => void

// One connection to /api/events for the whole window, shared by every
// component that listens: opened with the first listener, closed with the
// last.
const listeners = new Set<Listener>()
const modeListeners = new Set<() => void>()
let mode: LiveMode = 'off'
let stopStream: (() => void) | null = null

function setMode(m: LiveMode) {
  if (m === mode) return
  mode = m
  for (const l of modeListeners) l()
}

function emit(topic: Topic, data: unknown) {
  for (const l of [...listeners]) l(topic, data)
}

/**
 * Follows /api/events. EventSource cannot send an Authorization header, so
 * with an admin token (a browser) it polls every 2 s; without one (the desktop
 * window) it streams.
 */
function startStream(): () => void {
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
        for (const e of [...(res.events ?? [])].sort((a, b) => a.seq - b.seq)) {
          if ((TOPICS as readonly string[]).includes(e.topic)) emit(e.topic as Topic, e.data)
        }
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
    for (const topic of TOPICS) {
      source.addEventListener(topic, (e) => {
        let data: unknown = null
        try {
          data = JSON.parse((e as MessageEvent<string>).data)
        } catch {
          // a malformed event still says that something happened
        }
        emit(topic, data)
      })
    }
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
    setMode('off')
  }
}

/** Listens to every event of /api/events; returns the unsubscribe function. */
export function subscribeEvents(l: Listener): () => void {
  listeners.add(l)
  if (!stopStream) stopStream = startStream()
  return () => {
    listeners.delete(l)
    if (listeners.size === 0 && stopStream) {
      stopStream()
      stopStream = null
    }
  }
}

/** How the window follows the engine right now. */
export function useLiveMode(): LiveMode {
  return useSyncExternalStore(
    (l) => {
      modeListeners.add(l)
      return () => modeListeners.delete(l)
    },
    () => mode,
    () => 'off',
  )
}

/** Calls onEvent for every event of the given topics while mounted. */
export function useServerEvents(topics: readonly Topic[], onEvent: (topic: Topic, data: unknown) => void): void {
  const cb = useRef({ topics, onEvent })
  useLayoutEffect(() => {
    cb.current = { topics, onEvent }
  })
  useEffect(
    () =>
      subscribeEvents((topic, data) => {
        if (cb.current.topics.includes(topic)) cb.current.onEvent(topic, data)
      }),
    [],
  )
}

/**
 * The dashboard's live list: onRequest runs for every new request, onHealth
 * for health changes (or when events were dropped).
 */
export function useLiveEvents(onRequest: (ev: RequestEvent) => void, onHealth?: () => void): LiveMode {
  useServerEvents(['request', 'health', 'dropped'], (topic, data) => {
    if (topic === 'request') {
      if (typeof data === 'object' && data !== null) onRequest(normalizeRequestEvent(data))
    } else {
      onHealth?.()
    }
  })
  return useLiveMode()
}

/** The time, updated every intervalMs while mounted: countdowns and "5 s ago" follow the clock. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(id)
  }, [intervalMs])
  return now
}
