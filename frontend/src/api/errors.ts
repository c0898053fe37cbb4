import type { TFunction } from 'i18next'
import { ApiError, type FieldError } from './client'

/** A user-facing sentence for any error thrown by the client. */
export function errorMessage(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('errors.network')
    return err.message || t('errors.unknown', { status: err.status })
  }
  return err instanceof Error ? err.message : String(err)
}

/** A field error translated by its code, falling back to the engine's message. */
export function fieldErrorMessage(t: TFunction, f: FieldError): string {
  if (!f.code) return f.message
  return t(`errors.${f.code}`, { defaultValue: f.message || f.code })
}
