import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, type Channel, type NewChannel, type TestResult } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { Button } from '../../components/Button'
import { Badge } from '../../components/ui'
import { useNow } from '../../lib/live'
import { formatIn, noteText } from '../../lib/words'
import { rowId, type KeyRow } from './draft'

const VERDICT_TONE = { ok: 'green', slow: 'amber' } as const

interface Props {
  keys: KeyRow[]
  onChange: (keys: KeyRow[]) => void
  /** The stored channel, for each key's state and its own test. */
  channel?: Channel
  /** The channel as the form has it, to test a key typed in. */
  body: () => NewChannel
  missing: boolean
}

type KeyTest = { pending: boolean; result?: TestResult; error?: unknown }

/** A channel's API keys: each stored one by its last four characters with its state, new ones typed in, each testable alone. */
export function KeysEditor({ keys, onChange, channel, body, missing }: Props) {
  const { t, i18n } = useTranslation()
  const [tests, setTests] = useState<Record<string, KeyTest>>({})
  const now = useNow()
  const set = (id: string, patch: Partial<KeyRow>) => onChange(keys.map((k) => (k.id === id ? { ...k, ...patch } : k)))
  const run = async (k: KeyRow) => {
    setTests((s) => ({ ...s, [k.id]: { pending: true } }))
    try {
      const result =
        k.stored !== undefined && channel
          ? await api.testChannel(channel.id, k.stored)
          : await api.testDraft({ ...body(), api_key: k.value.trim(), api_keys: undefined, ...(channel ? { id: channel.id } : {}) })
      setTests((s) => ({ ...s, [k.id]: { pending: false, result } }))
    } catch (error) {
      setTests((s) => ({ ...s, [k.id]: { pending: false, error } }))
    }
  }
  return (
    <div className="space-y-2" data-testid="keys-editor">
      {keys.length === 0 && (
        <p className={'text-sm ' + (missing ? 'font-medium text-red-700 dark:text-red-400' : 'text-slate-600 dark:text-slate-400')}
          role={missing ? 'alert' : undefined} data-testid={missing ? 'no-api-key' : undefined}>
          {t(missing ? 'form.noKey' : 'form.noKeyNeeded')}
        </p>
      )}
      {keys.map((k, i) => {
        const state = k.stored !== undefined ? channel?.health?.keys?.[k.stored] : undefined
        const cooling = state?.cooldown_until ? new Date(state.cooldown_until).getTime() - now : 0
        const test = tests[k.id]
        const verdict = test?.result?.verdict ?? (k.stored !== undefined ? state?.last_test?.verdict : undefined)
        return (
          <div key={k.id} className="space-y-1 rounded-lg border border-slate-200 p-2 dark:border-slate-700" data-testid="key-row">
            <div className="flex flex-wrap items-center gap-2">
              {k.stored !== undefined ? (
                <code className="min-w-0 flex-1 truncate font-mono text-sm" data-testid="key-preview">{k.preview || '…'}</code>
              ) : (
                <input className="input min-w-0 flex-1 font-mono" type="password" autoComplete="off" value={k.value}
                  placeholder={t('form.keyPlaceholder')} aria-label={t('form.keyLabel', { n: String(i + 1) })}
                  onChange={(e) => set(k.id, { value: e.target.value })} data-testid="key-input" />
              )}
              {cooling > 0 && <Badge tone="amber" testId="key-state">{t('health.rateLimitedUntil', { in: formatIn(cooling, i18n.language) })}</Badge>}
              {verdict && (
                <Badge tone={VERDICT_TONE[verdict as keyof typeof VERDICT_TONE] ?? 'red'} testId="key-verdict">
                  {t(`channels.test.verdicts.${verdict}`, { defaultValue: verdict })}
                </Badge>
              )}
              {!verdict && k.stored !== undefined && !cooling && <Badge tone="slate" testId="key-state">{t('health.untested')}</Badge>}
              <Button className="px-2 py-1" disabled={test?.pending || (k.stored === undefined && !k.value.trim())} onClick={() => void run(k)}
                data-testid="key-test">
                {test?.pending ? t('channels.test.running') : t('channels.test.button')}
              </Button>
              <Button variant="dangerGhost" className="px-2 py-1" onClick={() => onChange(keys.filter((x) => x.id !== k.id))}
                aria-label={t('form.keyRemove', { n: String(i + 1) })} data-testid="key-remove">✕</Button>
            </div>
            {test?.result && test.result.verdict !== 'ok' && (
              <p className="text-xs break-words text-red-700 dark:text-red-400" data-testid="key-test-message">{noteText(t, test.result)}</p>
            )}
            {test?.error != null && <p className="text-xs text-red-700 dark:text-red-400" role="alert">{errorMessage(t, test.error)}</p>}
          </div>
        )
      })}
      <Button variant="ghost" className="px-2 py-1 text-indigo-700 dark:text-indigo-300" onClick={() => onChange([...keys, { id: rowId(), value: '' }])}
        data-testid="key-add">
        {t('form.keyAdd')}
      </Button>
    </div>
  )
}
