import { useEffect, useSyncExternalStore } from 'react'

/** The dashboard's pages, in navigation order. */
export const PAGES = ['dashboard', 'channels', 'routing', 'tools', 'logs', 'keys', 'settings'] as const
export type Page = (typeof PAGES)[number]

/** Reads "#/logs?x=1" → "logs"; anything unknown is the dashboard. */
export function parseHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? ''
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'dashboard'
}

export function hrefFor(page: Page): string {
  return `#/${page}`
}

// A page with unsaved edits holds navigation: leaving asks first (an
// in-window dialog), and closing or reloading the browser tab asks too.
let dirty = false
let pending: Page | null = null
let shown: Page | null = null
const listeners = new Set<() => void>()

function notify() {
  for (const l of listeners) l()
}

function currentHash(): string {
  return typeof window === 'undefined' ? '' : window.location.hash
}

if (typeof window !== 'undefined') {
  shown = parseHash(currentHash())
  // Registered before React's listener, so a held navigation is put back
  // before any page re-renders.
  window.addEventListener('hashchange', () => {
    const next = parseHash(currentHash())
    if (dirty && shown !== null && next !== shown) {
      pending = next
      window.history.replaceState(null, '', hrefFor(shown))
      notify()
      return
    }
    shown = next
  })
  window.addEventListener('beforeunload', (e) => {
    if (dirty) e.preventDefault()
  })
}

/** Goes to a page (a hash change, so back/forward work), unless unsaved edits hold it. */
export function navigate(page: Page): void {
  if (dirty && page !== shown) {
    pending = page
    notify()
    return
  }
  shown = page
  window.location.hash = hrefFor(page)
}

/** Marks the current page as holding unsaved edits while mounted with dirty true. */
export function useUnsavedEdits(isDirty: boolean): void {
  useEffect(() => {
    dirty = isDirty
    return () => {
      dirty = false
    }
  }, [isDirty])
}

/** The page the user tried to leave for, while the leave dialog asks. */
export function usePendingNavigation(): Page | null {
  return useSyncExternalStore(subscribeGuard, () => pending, () => null)
}

/** Leaves for the held page, dropping the unsaved edits. */
export function confirmLeave(): void {
  const to = pending
  pending = null
  dirty = false
  notify()
  if (to) navigate(to)
}

/** Stays on the page with its edits. */
export function cancelLeave(): void {
  pending = null
  notify()
}

function subscribeGuard(l: () => void): () => void {
  listeners.add(l)
  return () => listeners.delete(l)
}

function subscribe(l: () => void): () => void {
  window.addEventListener('hashchange', l)
  return () => window.removeEventListener('hashchange', l)
}

/** The page the hash names; re-renders on navigation. A tiny router: no dependency. */
export function usePage(): Page {
  return useSyncExternalStore(subscribe, () => parseHash(window.location.hash), () => 'dashboard')
}
