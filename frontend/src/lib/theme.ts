import { useSyncExternalStore } from 'react'
import type { Theme } from '../api/types'

/** localStorage key holding the chosen theme. */
export const THEME_KEY = 'routex.theme'
export const THEMES: readonly Theme[] = ['light', 'dark', 'system']

function isTheme(v: unknown): v is Theme {
  return typeof v === 'string' && (THEMES as readonly string[]).includes(v)
}

/** The stored theme, "system" when none (or storage is unavailable). */
export function storedTheme(): Theme {
  try {
    const v = localStorage.getItem(THEME_KEY)
    return isTheme(v) ? v : 'system'
  } catch {
    return 'system'
  }
}

function systemDark(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    && window.matchMedia('(prefers-color-scheme: dark)').matches
}

/** Whether the page should be dark for a theme choice. */
export function resolveDark(theme: Theme, prefersDark: boolean): boolean {
  return theme === 'dark' || (theme === 'system' && prefersDark)
}

/** Puts or removes the `dark` class on <html> for the stored theme. */
export function applyTheme(theme: Theme = storedTheme()): void {
  if (typeof document === 'undefined') return
  const dark = resolveDark(theme, systemDark())
  document.documentElement.classList.toggle('dark', dark)
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light'
}

const listeners = new Set<() => void>()

/** Stores the choice and applies it at once. */
export function setTheme(theme: Theme): void {
  try {
    localStorage.setItem(THEME_KEY, theme)
  } catch {
    // Storage may be unavailable; the switch still applies to this page.
  }
  applyTheme(theme)
  for (const l of listeners) l()
}

function subscribe(l: () => void): () => void {
  listeners.add(l)
  const mq = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null
  // "system" follows the OS as it changes.
  const onSystem = () => {
    applyTheme()
    l()
  }
  mq?.addEventListener?.('change', onSystem)
  return () => {
    listeners.delete(l)
    mq?.removeEventListener?.('change', onSystem)
  }
}

/** The current theme choice, re-rendering when it changes. */
export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, storedTheme, () => 'system')
}

/** Whether the page is dark right now (for chart colours). */
export function useIsDark(): boolean {
  const theme = useTheme()
  return resolveDark(theme, systemDark())
}
