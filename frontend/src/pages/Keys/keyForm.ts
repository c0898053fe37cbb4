// The key dialog's form as plain strings, and its conversions to and from
// the engine's JSON. Pure: tested without a browser.
import type { ApiKey, KeyInput } from '../../api/types'

export interface KeyDraft {
  name: string
  owner: string
  /** A date (YYYY-MM-DD): the key works until the end of that day, local time; "" = never. */
  expires: string
  models: string
  channels: string
  rpm: string
  tpm: string
  daily: string
  monthly: string
}

export const EMPTY_KEY: KeyDraft = { name: '', owner: '', expires: '', models: '', channels: '', rpm: '', tpm: '', daily: '', monthly: '' }

/** Splits "a, b,,c " (or one per line) into ["a","b","c"]. */
export function splitList(s: string): string[] {
  return s
    .split(/[,\n]/)
    .map((v) => v.trim())
    .filter((v) => v !== '')
}

/** A blank limit is 0 (none); anything else must be a number, else NaN so the engine names the field. */
function limit(s: string): number {
  if (s.trim() === '') return 0
  const n = Number(s.trim())
  return Number.isFinite(n) ? n : NaN
}

/** The end of a local day as an RFC 3339 time, or null for "" (never). */
export function endOfDay(date: string): string | null {
  if (!date) return null
  const t = new Date(`${date}T23:59:59`)
  return Number.isNaN(t.getTime()) ? date : t.toISOString()
}

/** The local date (YYYY-MM-DD) of an RFC 3339 time, for the date input. */
export function dateOf(time: string | null): string {
  if (!time) return ''
  const t = new Date(time)
  if (Number.isNaN(t.getTime())) return ''
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`
}

/** The draft as the body of POST or PATCH /api/keys (every field sent: a PATCH with all of them replaces them all). */
export function toKeyInput(d: KeyDraft): KeyInput {
  return {
    name: d.name.trim(),
    owner: d.owner.trim(),
    expires_at: endOfDay(d.expires),
    models: splitList(d.models),
    channels: splitList(d.channels),
    rpm: limit(d.rpm),
    tpm: limit(d.tpm),
    budget_daily_usd: limit(d.daily),
    budget_monthly_usd: limit(d.monthly),
  }
}

/** The draft of an existing key; limits of 0 show blank (none). */
export function draftOfKey(k: ApiKey): KeyDraft {
  const n = (v: number) => (v ? String(v) : '')
  return {
    name: k.name, owner: k.owner, expires: dateOf(k.expires_at), models: k.models.join(', '), channels: k.channels.join(', '),
    rpm: n(k.rpm), tpm: n(k.tpm), daily: n(k.budget_daily_usd), monthly: n(k.budget_monthly_usd),
  }
}

/** A key is active, expired or revoked. */
export type KeyState = 'active' | 'expired' | 'revoked'

export function keyState(k: ApiKey): KeyState {
  if (k.revoked) return 'revoked'
  if (k.expired) return 'expired'
  return 'active'
}

/** How much of a budget is spent, 0..1 and beyond; 0 when there is no budget. */
export function spentRatio(used: number, budget: number): number {
  return budget > 0 ? used / budget : 0
}
