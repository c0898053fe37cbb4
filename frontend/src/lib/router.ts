import { useSyncExternalStore } from 'react'

/** The dashboard's pages, in navigation order. */
export const PAGES = ['dashboard', 'channels', 'routing', 'logs', 'keys', 'settings'] as const
export type Page = (typeof PAGES)[number]

/** Reads "#/logs?x=1" → "logs"; anything unknown is the dashboard. */
export function parseHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? ''
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'dashboard'
}

export function hrefFor(page: Page): string {
  return `#/${page}`
}

/** Goes to a page (a hash change, so back/forward work). */
export function navigate(page: Page): void {
  window.location.hash = hrefFor(page)
}

function subscribe(l: () => void): () => void {
  window.addEventListener('hashchange', l)
  return () => window.removeEventListener('hashchange', l)
}

/** The page the hash names; re-renders on navigation. A tiny router: no dependency. */
export function usePage(): Page {
  return useSyncExternalStore(subscribe, () => parseHash(window.location.hash), () => 'dashboard')
}
