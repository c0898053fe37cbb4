import { useTranslation } from 'react-i18next'
import { useBalances, useRefreshBalance } from '../../api/accountQueries'
import { errorMessage } from '../../api/errors'
import type { Balance, Channel } from '../../api/types'
import { Badge } from '../../components/ui'
import { formatAmount } from '../../lib/amount'
import { formatRelative } from '../../lib/format'

const TONES = { ok: 'green', low: 'amber', exhausted: 'red', unknown: 'slate' } as const

/** The label of a balance: the amount, and what it means when it is low or used up. */
export function balanceLabel(t: (k: string, o?: Record<string, string>) => string, b: Balance, locale: string): string {
  const amount = formatAmount(b.remaining, b.unit, locale)
  if (b.remaining === null) return b.error ? t('accounts.balance.unknown') : t('accounts.balance.noAmount')
  if (b.level === 'exhausted') return t('accounts.balance.exhausted', { amount })
  if (b.level === 'low') return t('accounts.balance.low', { amount })
  return amount
}

/** What a channel's provider account has left, with a button to ask again; nothing for a channel without a balance query. */
export function BalanceChip({ channel, now }: { channel: Channel; now: number }) {
  const { t, i18n } = useTranslation()
  const balances = useBalances()
  const refresh = useRefreshBalance()
  const b = balances.data?.balances.find((x) => x.channel_id === channel.id)
  if (!b || !b.provider) return null
  const tip = [
    b.updated_at ? t('accounts.balance.updated', { when: formatRelative(b.updated_at, i18n.language, now) }) : '',
    b.used !== null ? t('accounts.balance.used', { amount: formatAmount(b.used, b.unit, i18n.language) }) : '',
    b.reset_at ? t('accounts.balance.resets', { when: formatRelative(b.reset_at, i18n.language, now) }) : '',
    b.provider !== 'custom' ? t('accounts.balance.builtin', { provider: b.provider }) : t('accounts.balance.custom'),
  ].filter(Boolean).join('\n')
  return (
    <div className="mt-1 flex flex-col items-start gap-0.5" data-testid="balance-chip" data-level={b.level}>
      <div className="flex items-center gap-1">
        <Badge tone={TONES[b.level]} title={tip} testId="balance-amount">
          <span className="sr-only">{t('accounts.balance.label')}</span>
          {balanceLabel(t, b, i18n.language)}
        </Badge>
        <button
          type="button"
          className="rounded p-0.5 text-slate-600 dark:text-slate-400 hover:bg-slate-100 hover:text-slate-600 disabled:opacity-50 dark:hover:bg-slate-800"
          onClick={() => refresh.mutate(channel.id)}
          disabled={refresh.isPending}
          aria-label={t('accounts.balance.refresh', { name: channel.name })}
          title={t('accounts.balance.refresh', { name: channel.name })}
          data-testid="balance-refresh"
        >
          <svg viewBox="0 0 20 20" aria-hidden="true" className={'size-3.5' + (refresh.isPending ? ' animate-spin' : '')} fill="none" stroke="currentColor" strokeWidth="1.8">
            <path d="M16 10a6 6 0 1 1-1.76-4.24M16 4v3.5h-3.5" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </button>
      </div>
      {b.error && (
        <span className="max-w-[16rem] truncate text-[11px] text-red-600 dark:text-red-400" title={b.error} data-testid="balance-error">
          {t('accounts.balance.failed', { message: b.error })}
        </span>
      )}
      {refresh.error ? (
        <span role="alert" className="text-[11px] text-red-600 dark:text-red-400">{errorMessage(t, refresh.error)}</span>
      ) : null}
    </div>
  )
}
