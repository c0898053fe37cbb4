import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { BalanceQuery } from '../../api/types'

export type QueryMode = 'builtin' | 'off' | 'custom'

/** Which mode a stored query is in. */
export function queryMode(q: BalanceQuery | null | undefined): QueryMode {
  if (!q) return 'builtin'
  if (q.off) return 'off'
  return 'custom'
}

/** "Name: value" lines, one header each. */
export function headersToText(h: Record<string, string> | undefined): string {
  return Object.entries(h ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n')
}

export function textToHeaders(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of s.split('\n')) {
    const i = line.indexOf(':')
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim()
  }
  return out
}

const FIELDS = ['remaining', 'used', 'unit', 'reset_at'] as const

/** How Routex asks the provider what the account has left: the built-in query, none, or the user's own. */
export function BalanceQueryEditor({ value, onChange, builtin }: {
  value: BalanceQuery | null
  onChange: (v: BalanceQuery | null) => void
  /** The built-in provider Routex recognised for this channel, if known. */
  builtin?: string
}) {
  const { t } = useTranslation()
  const mode = queryMode(value)
  const q = value ?? {}
  const setMode = (m: QueryMode) => onChange(m === 'builtin' ? null : m === 'off' ? { off: true } : { url: '', headers: { Authorization: 'Bearer {{key}}' }, remaining: '', unit: 'USD' })
  return (
    <fieldset className="space-y-3" data-testid="balance-query">
      <div className="flex flex-wrap gap-3 text-sm" role="radiogroup" aria-label={t('accounts.query.mode')}>
        {(['builtin', 'custom', 'off'] as const).map((m) => (
          <label key={m} className="inline-flex items-center gap-1.5">
            <input type="radio" name="balance-query-mode" checked={mode === m} onChange={() => setMode(m)} data-testid={`balance-mode-${m}`} />
            {t(`accounts.query.modes.${m}`)}
          </label>
        ))}
      </div>
      {mode === 'builtin' && (
        <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="balance-builtin">
          {builtin ? t('accounts.query.builtinFound', { provider: builtin }) : t('accounts.query.builtinHelp')}
        </p>
      )}
      {mode === 'custom' && (
        <div className="grid gap-3 sm:grid-cols-2">
          <label className="block space-y-1 sm:col-span-2">
            <span className="text-sm font-medium">{t('accounts.query.url')}</span>
            <input className="input font-mono text-sm" value={q.url ?? ''} onChange={(e) => onChange({ ...q, url: e.target.value })}
              placeholder={t('accounts.query.urlPlaceholder')} data-testid="balance-url" />
          </label>
          <label className="block space-y-1 sm:col-span-2">
            <span className="text-sm font-medium">{t('accounts.query.headers')}</span>
            <HeadersField value={q.headers} onChange={(headers) => onChange({ ...q, headers })} />
            <span className="block text-xs text-slate-500 dark:text-slate-400">{t('accounts.query.headersHelp', { key: '{{key}}' })}</span>
          </label>
          {FIELDS.map((f) => (
            <label key={f} className="block space-y-1">
              <span className="text-sm font-medium">{t(`accounts.query.${f}`)}</span>
              <input className="input font-mono text-sm" value={q[f] ?? ''} onChange={(e) => onChange({ ...q, [f]: e.target.value })}
                placeholder={t(`accounts.query.${f}Placeholder`)} data-testid={`balance-${f}`} />
            </label>
          ))}
          <p className="text-xs text-slate-500 sm:col-span-2 dark:text-slate-400">{t('accounts.query.expressionsHelp')}</p>
        </div>
      )}
    </fieldset>
  )
}

/** The headers as text the user edits freely; a line counts once it has a colon. */
function HeadersField({ value, onChange }: { value: Record<string, string> | undefined; onChange: (h: Record<string, string>) => void }) {
  const [text, setText] = useState(() => headersToText(value))
  return (
    <textarea className="input font-mono text-sm" rows={2} value={text} data-testid="balance-headers"
      onChange={(e) => {
        setText(e.target.value)
        onChange(textToHeaders(e.target.value))
      }} />
  )
}
