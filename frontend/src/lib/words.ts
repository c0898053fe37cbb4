// Turning the engine's codes into the user's language: health statuses,
// routing reasons, connection-test notes and skipped attempts. The engine
// sends codes with parameters; the words live in locales/*.json, shared
// with the CLI.
import type { TFunction } from 'i18next'
import type { Attempt, Channel, HealthStatus, Reason, TestResult } from '../api/types'

export type Tone = 'green' | 'red' | 'amber' | 'slate' | 'indigo' | 'sky'

/** A channel's health as the window shows it. */
export interface HealthWords {
  /** A HealthStatus, or disabled / unknown (an engine without health). */
  status: HealthStatus | 'disabled' | 'unknown'
  tone: Tone
  label: string
}

const TONES: Record<HealthWords['status'], Tone> = {
  healthy: 'green', untested: 'slate', test_failed: 'red', failing: 'amber', paused: 'red', retrying: 'amber',
  rate_limited: 'amber', disabled: 'slate', unknown: 'slate',
}

/** "30 sec" / "2 min" / "30秒", for a countdown. */
export function formatIn(ms: number, locale: string): string {
  const s = Math.max(1, Math.ceil(ms / 1000))
  if (s < 90) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short' }).format(s)
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'short' }).format(Math.round(s / 60))
}

/** The words for a channel's health at now: "Healthy", "Failing — paused, retrying in 25 sec", "Untested". */
export function healthWords(t: TFunction, c: Channel, now: number, locale: string): HealthWords {
  if (!c.enabled) return { status: 'disabled', tone: 'slate', label: t('health.disabled') }
  const h = c.health
  if (!h || !h.status) return { status: 'unknown', tone: 'slate', label: t('channels.health.unknown') }
  const until = h.cooldown_until ? new Date(h.cooldown_until).getTime() - now : 0
  let label = t(`health.${h.status}`)
  if (h.status === 'paused' && until > 0) label = t('health.pausedUntil', { in: formatIn(until, locale) })
  if (h.status === 'rate_limited' && until > 0) label = t('health.rateLimitedUntil', { in: formatIn(until, locale) })
  return { status: h.status, tone: TONES[h.status] ?? 'slate', label }
}

/** Whether a status means the channel is not serving well right now. */
export function isTrouble(status: HealthWords['status']): boolean {
  return status === 'paused' || status === 'retrying' || status === 'failing' || status === 'rate_limited' || status === 'test_failed'
}

/** A routing reason in the user's language. */
export function reasonText(t: TFunction, r: Reason): string {
  const params: Record<string, string> = { ...(r.params ?? {}) }
  if (r.conditions?.length) params.conditions = r.conditions.map((c) => reasonText(t, c)).join(t('routing.reasons.separator'))
  return t(`routing.reasons.${r.code}`, { ...params, defaultValue: r.code })
}

/** A connection test's message in the user's language (the engine's English when it sent no code). */
export function noteText(t: TFunction, res: TestResult): string {
  const n = res.note
  if (!n?.code) return res.message
  let s = t(`channels.test.codes.${n.code}`, { ...(n.params ?? {}), defaultValue: res.message })
  if (n.hint) s += t('channels.test.hintSeparator') + t(`channels.test.hints.${n.hint}`, { defaultValue: '' })
  if (res.stream_failed) s = t('channels.test.streamFailed', { message: s })
  return s
}

/** Why a request passed a channel over: "Skipped: paused after 3 failures". */
export function skipText(t: TFunction, a: Attempt): string {
  switch (a.skipped) {
    case 'paused':
      return t('logs.skipped.paused', { failures: String(a.failures ?? 0) })
    case 'rate_limited':
      return t('logs.skipped.rate_limited')
    default:
      return t('logs.skipped.probing')
  }
}

/** Whether a logged request moved between channels (a failure or a skip before the answer). */
export function isFailover(attempts: number | Attempt[] | null | undefined): boolean {
  if (typeof attempts === 'number') return attempts > 1
  return (attempts?.length ?? 0) > 0
}
