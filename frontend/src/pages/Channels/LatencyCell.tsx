import { useTranslation } from 'react-i18next'
import { useLatency } from '../../api/accountQueries'
import type { Channel } from '../../api/types'
import { formatDuration, formatPercent } from '../../lib/format'

/** A channel's success rate and median time to first token over the last hour, from the request log. */
export function LatencyCell({ channel }: { channel: Channel }) {
  const { t, i18n } = useTranslation()
  const latency = useLatency('1h')
  const l = latency.data?.find((x) => x.channel_id === channel.id)
  if (!l || l.requests === 0) {
    return (
      <span className="text-[11px] text-slate-600 dark:text-slate-400" data-testid="channel-latency" title={t('accounts.latency.none')}>
        {t('accounts.latency.noRequests')}
      </span>
    )
  }
  const tone = l.success_rate >= 0.95 ? 'text-emerald-700 dark:text-emerald-400' : l.success_rate >= 0.8 ? 'text-amber-700 dark:text-amber-400' : 'text-red-600 dark:text-red-400'
  return (
    <span className="text-[11px] whitespace-nowrap tabular-nums" data-testid="channel-latency"
      title={t('accounts.latency.tip', { requests: String(l.requests), failed: String(l.failed) })}>
      <span className={tone} data-testid="channel-success-rate">{formatPercent(l.success_rate, i18n.language)}</span>
      <span className="text-slate-600 dark:text-slate-400">{' · '}</span>
      <span className="text-slate-600 dark:text-slate-300" data-testid="channel-ttft">
        {l.p50_ttft_ms > 0 ? t('accounts.latency.ttft', { value: formatDuration(l.p50_ttft_ms, i18n.language) }) : t('accounts.latency.noTTFT')}
      </span>
    </span>
  )
}
