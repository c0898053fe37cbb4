import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/types'
import { Badge } from '../../components/ui'
import { formatRelative } from '../../lib/format'

/** The breaker state, with the cooldown and the last error in its tooltip. */
export function HealthBadge({ channel, now }: { channel: Channel; now: number }) {
  const { t, i18n } = useTranslation()
  const h = channel.health
  if (!channel.enabled) return <Badge tone="slate" testId="channel-health">{t('channels.health.disabled')}</Badge>
  if (!h) return <Badge tone="slate" testId="channel-health">{t('channels.health.unknown')}</Badge>
  const cooling = h.cooldown_until && new Date(h.cooldown_until).getTime() > now
  const tone = h.state === 'open' ? 'red' : h.state === 'half_open' || cooling ? 'amber' : 'green'
  const label = cooling && h.state === 'closed' ? 'cooling' : h.state
  const tip = [
    cooling && h.cooldown_until ? t('channels.health.cooldownUntil', { when: formatRelative(h.cooldown_until, i18n.language, now) }) : '',
    h.last_error ? t('channels.health.lastError', { message: h.last_error }) : '',
  ].filter(Boolean).join('\n')
  return (
    <div className="flex flex-col items-start gap-0.5">
      <Badge tone={tone} title={tip || undefined} testId="channel-health">
        <span aria-hidden="true" className={'size-1.5 rounded-full ' + (tone === 'green' ? 'bg-emerald-500' : tone === 'amber' ? 'bg-amber-500' : 'bg-red-500')} />
        {t(`channels.health.${label}`, { defaultValue: label })}
      </Badge>
      {(h.requests ?? 0) > 0 && (
        <span className="text-[11px] whitespace-nowrap text-slate-500 tabular-nums dark:text-slate-400">
          {t('channels.health.counts', { requests: String(h.requests ?? 0), failed: String(h.failed ?? 0) })}
        </span>
      )}
      {h.last_error && (
        <span className="max-w-[12rem] truncate text-[11px] text-red-600 dark:text-red-400" title={h.last_error}>{h.last_error}</span>
      )}
    </div>
  )
}
