import { useTranslation } from 'react-i18next'
import { useBalances } from '../../api/accountQueries'
import { useChannels } from '../../api/queries'
import { formatAmount } from '../../lib/amount'

/** A warning above the dashboard when a provider account is low or used up, before requests start failing. */
export function BalanceBanner() {
  const { t, i18n } = useTranslation()
  const balances = useBalances()
  const channels = useChannels()
  const enabled = new Set((channels.data ?? []).filter((c) => c.enabled).map((c) => c.id))
  const list = (balances.data?.balances ?? []).filter((b) => enabled.has(b.channel_id) && (b.level === 'low' || b.level === 'exhausted'))
  if (list.length === 0) return null
  const exhausted = list.some((b) => b.level === 'exhausted')
  const warn = balances.data?.thresholds.warn ?? {}
  return (
    <div role="alert" data-testid="balance-banner"
      className={'space-y-1 rounded-lg border px-4 py-3 text-sm ' + (exhausted
        ? 'border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300'
        : 'border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-300')}>
      <p className="font-medium">{t(exhausted ? 'accounts.banner.exhaustedTitle' : 'accounts.banner.lowTitle')}</p>
      <ul className="list-inside list-disc">
        {list.map((b) => {
          const amount = formatAmount(b.remaining, b.unit, i18n.language)
          const limit = warn[b.unit]
          return (
            <li key={b.channel_id} data-testid="balance-banner-item" data-level={b.level}>
              {b.level === 'exhausted'
                ? t('accounts.banner.exhausted', { name: b.channel, amount })
                : t('accounts.banner.low', { name: b.channel, amount, limit: limit !== undefined ? formatAmount(limit, b.unit, i18n.language) : '–' })}
            </li>
          )
        })}
      </ul>
      <a className="inline-block underline" href="#/channels">{t('accounts.banner.manage')}</a>
    </div>
  )
}
