import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/types'
import { Badge } from '../../components/ui'
import { healthWords } from '../../lib/words'

const DOT = { green: 'bg-emerald-500', amber: 'bg-amber-500', red: 'bg-red-500' } as const

/** A channel's health in plain words, with its last error in the tooltip and below. */
export function HealthBadge({ channel, now }: { channel: Channel; now: number }) {
  const { t, i18n } = useTranslation()
  const w = healthWords(t, channel, now, i18n.language)
  const h = channel.health
  const err = w.status !== 'healthy' && w.status !== 'untested' && w.status !== 'disabled' ? h?.last_error : undefined
  return (
    <div className="flex min-w-0 flex-col items-start gap-0.5">
      <Badge tone={w.tone} title={err ? t('channels.health.lastError', { message: err }) : undefined} testId="channel-health" wrap>
        {w.tone in DOT && <span aria-hidden="true" className={'size-1.5 shrink-0 rounded-full ' + DOT[w.tone as keyof typeof DOT]} />}
        <span data-status={w.status}>{w.label}</span>
      </Badge>
      {(h?.requests ?? 0) > 0 && (
        <span className="text-[11px] whitespace-nowrap text-slate-600 tabular-nums dark:text-slate-400">
          {t('channels.health.counts', { requests: String(h?.requests ?? 0), failed: String(h?.failed ?? 0) })}
        </span>
      )}
      {err && (
        <span className="max-w-full truncate text-[11px] text-red-700 dark:text-red-400" title={err} data-testid="channel-last-error">{err}</span>
      )}
    </div>
  )
}
