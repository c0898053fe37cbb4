import { useTranslation } from 'react-i18next'
import type { ApiKey } from '../../api/client'
import { Button } from '../../components/Button'
import { Badge, card } from '../../components/ui'
import { formatNumber, formatRelative } from '../../lib/format'
import { keyState, type KeyState } from './keyForm'
import { UsageBar } from './UsageBar'

const STATE_TONE: Record<KeyState, 'green' | 'amber' | 'slate'> = { active: 'green', expired: 'amber', revoked: 'slate' }

/** What a key may do, in one line: limits and lists, or "no limits". */
function Limits({ k }: { k: ApiKey }) {
  const { t, i18n } = useTranslation()
  const parts: string[] = []
  if (k.rpm) parts.push(t('keys.limits.rpm', { n: formatNumber(k.rpm, i18n.language) }))
  if (k.tpm) parts.push(t('keys.limits.tpm', { n: formatNumber(k.tpm, i18n.language, true) }))
  if (k.models.length) parts.push(t('keys.limits.models', { list: k.models.join(', ') }))
  if (k.channels.length) parts.push(t('keys.limits.channels', { list: k.channels.join(', ') }))
  if (k.expires_at) parts.push(t('keys.limits.expires', { when: formatRelative(k.expires_at, i18n.language) }))
  return <span className="text-xs text-slate-500 dark:text-slate-400">{parts.length ? parts.join(' · ') : t('keys.limits.none')}</span>
}

interface Props {
  keys: ApiKey[]
  confirming: number | null
  revoking: boolean
  onEdit: (k: ApiKey) => void
  onAskRevoke: (k: ApiKey | null) => void
  onRevoke: (k: ApiKey) => void
}

/** The keys, active ones first, each with today's and this month's spend against its budgets. */
export function KeyTable({ keys, confirming, revoking, onEdit, onAskRevoke, onRevoke }: Props) {
  const { t, i18n } = useTranslation()
  const order: KeyState[] = ['active', 'expired', 'revoked']
  const sorted = [...keys].sort((a, b) => order.indexOf(keyState(a)) - order.indexOf(keyState(b)) || a.id - b.id)
  return (
    <ul className={card + ' divide-y divide-slate-200 dark:divide-slate-800'} data-testid="key-list">
      {sorted.map((k) => {
        const state = keyState(k)
        return (
          <li key={k.id} className="flex flex-wrap items-center gap-x-6 gap-y-3 px-5 py-4" data-testid="key-row" data-key-state={state}
            data-key-name={k.name}>
            <div className="min-w-48 flex-1 space-y-1">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium" data-testid="key-name">{k.name}</span>
                <code className="font-mono text-xs text-slate-600 dark:text-slate-400">{`${k.prefix}…`}</code>
                <Badge tone={STATE_TONE[state]} testId="key-state">{t(`keys.state.${state}`)}</Badge>
              </div>
              {k.owner && <div className="text-xs text-slate-600 dark:text-slate-400">{k.owner}</div>}
              <Limits k={k} />
            </div>
            <div className="text-sm tabular-nums" data-testid="key-requests-today">
              <div className="text-xs text-slate-500 dark:text-slate-400">{t('keys.requestsToday')}</div>
              {formatNumber(k.usage.today.requests, i18n.language)}
            </div>
            <UsageBar used={k.usage.today.cost_usd} budget={k.budget_daily_usd} label={t('keys.today')} testId="key-spend-today" />
            <UsageBar used={k.usage.month.cost_usd} budget={k.budget_monthly_usd} label={t('keys.month')} testId="key-spend-month" />
            {state !== 'revoked' && (
              <div className="flex gap-2">
                {confirming === k.id ? (
                  <>
                    <Button variant="danger" disabled={revoking} onClick={() => onRevoke(k)} data-testid="key-revoke-confirm">
                      {t('keys.revokeConfirm')}
                    </Button>
                    <Button variant="ghost" onClick={() => onAskRevoke(null)}>{t('common.cancel')}</Button>
                  </>
                ) : (
                  <>
                    <Button onClick={() => onEdit(k)} data-testid="key-edit">{t('keys.edit')}</Button>
                    <Button variant="dangerGhost" onClick={() => onAskRevoke(k)} data-testid="key-revoke">{t('keys.revoke')}</Button>
                  </>
                )}
              </div>
            )}
            {confirming === k.id && <p className="basis-full text-xs text-red-700 dark:text-red-300" role="alert">{t('keys.revokeWarn', { name: k.name })}</p>}
          </li>
        )
      })}
    </ul>
  )
}
