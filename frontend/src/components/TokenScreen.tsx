import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Button } from './Button'

interface Props {
  /** True when a token was sent and refused, false when none was sent yet. */
  invalid: boolean
  onSubmit: (token: string) => void
}

/** Asks for the admin token that `routex serve` printed (browser use only). */
export function TokenScreen({ invalid, onSubmit }: Props) {
  const { t } = useTranslation()
  const [token, setTokenValue] = useState('')

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const v = token.trim()
    if (v) onSubmit(v)
  }

  return (
    <div className="mx-auto mt-8 max-w-md" data-testid="token-screen">
      <form
        onSubmit={submit}
        className="space-y-4 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 className="text-lg font-semibold">{t('token.title')}</h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('token.hint')}</p>
        <label className="block space-y-1.5">
          <span className="text-sm font-medium">{t('token.label')}</span>
          <input
            type="password"
            // The screen asks for this one value; focus starts in it.
            // eslint-disable-next-line jsx-a11y/no-autofocus
            autoFocus
            autoComplete="current-password"
            value={token}
            onChange={(e) => setTokenValue(e.target.value)}
            placeholder={t('token.placeholder')}
            data-testid="token-input"
            aria-invalid={invalid}
            className="input"
          />
        </label>
        {invalid && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400" data-testid="token-error">
            {t('token.invalid')}
          </p>
        )}
        <Button type="submit" variant="primary" className="w-full" data-testid="token-submit" disabled={!token.trim()}>
          {t('token.submit')}
        </Button>
      </form>
    </div>
  )
}
