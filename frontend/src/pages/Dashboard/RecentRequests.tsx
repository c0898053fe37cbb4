import { useTranslation } from 'react-i18next'
import type { LogEntry, RequestEvent } from '../../api/types'
import { Badge, card, statusTone } from '../../components/ui'
import { formatCost, formatDuration, formatNumber, formatRelative } from '../../lib/format'
import type { LiveMode } from '../../lib/live'

/** A log entry in the shape of a live event, so both lists render alike. */
export function logToEvent(l: LogEntry): RequestEvent {
  return {
    time: l.time, channel: l.channel_name, model: l.client_model || l.upstream_model, status: l.status, latency_ms: l.latency_ms,
    ttft_ms: l.ttft_ms, input_tokens: l.input_tokens, output_tokens: l.output_tokens, cost_usd: l.cost_usd, scenario: l.scenario, error: l.error,
    attempts: (l.attempts?.length ?? 0) + 1,
  }
}

const key = (e: RequestEvent) => `${Math.floor(new Date(e.time).getTime() / 1000)}|${e.channel}|${e.model}|${e.status}`

/** Live events first, then logged ones not already shown, newest first. */
export function mergeRecent(live: RequestEvent[], logged: RequestEvent[], limit: number): RequestEvent[] {
  const seen = new Set(live.map(key))
  return [...live, ...logged.filter((e) => !seen.has(key(e)))]
    .sort((a, b) => new Date(b.time).getTime() - new Date(a.time).getTime())
    .slice(0, limit)
}

/** "Failover": the request moved from the channel it would have used (a failure or a paused channel before the answer). */
export function FailoverChip({ attempts }: { attempts: number }) {
  const { t } = useTranslation()
  if (attempts <= 1) return null
  return <Badge tone="amber" testId="failover-chip" title={t('logs.failoverTitle', { n: String(attempts) })}>{t('logs.failover')}</Badge>
}

export function RecentRequests({ items, mode, now }: { items: RequestEvent[]; mode: LiveMode; now: number }) {
  const { t, i18n } = useTranslation()
  const l = i18n.language
  const th = 'px-4 py-2 font-medium'
  return (
    <section className={card} data-testid="recent-requests">
      <div className="flex items-center justify-between border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <h3 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{t('dashboard.recent.title')}</h3>
        <span className="flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-400" data-testid="live-mode" data-mode={mode}>
          <span aria-hidden="true" className={'size-2 rounded-full ' + (mode === 'off' ? 'bg-slate-400' : 'animate-pulse bg-emerald-500')} />
          {t(`dashboard.recent.mode.${mode}`)}
        </span>
      </div>
      {items.length === 0 ? (
        <p className="px-4 py-8 text-center text-sm text-slate-600 dark:text-slate-400">{t('dashboard.recent.empty')}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="text-left text-xs text-slate-600 dark:text-slate-400">
                <th scope="col" className={th}>{t('logs.columns.time')}</th>
                <th scope="col" className={th}>{t('logs.columns.channel')}</th>
                <th scope="col" className={th + ' hidden md:table-cell'}>{t('logs.columns.model')}</th>
                <th scope="col" className={th}>{t('logs.columns.status')}</th>
                <th scope="col" className={th + ' text-right'}>{t('logs.columns.latency')}</th>
                <th scope="col" className={th + ' hidden text-right xl:table-cell'}>{t('logs.columns.tokens')}</th>
                <th scope="col" className={th + ' hidden text-right lg:table-cell'}>{t('logs.columns.cost')}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {items.map((e, i) => (
                <tr key={`${key(e)}-${i}`} data-testid="recent-row" data-model={e.model} data-channel={e.channel} data-failover={e.attempts > 1 || undefined}>
                  <td className="px-4 py-2 whitespace-nowrap text-slate-600 dark:text-slate-400">{formatRelative(e.time, l, now)}</td>
                  <td className="px-4 py-2 font-medium">{e.channel || '–'}</td>
                  <td className="hidden max-w-[16rem] truncate px-4 py-2 font-mono text-xs md:table-cell" title={e.model}>{e.model}</td>
                  <td className="px-4 py-2">
                    <span className="inline-flex flex-wrap items-center gap-1">
                      <Badge tone={statusTone(e.status)} title={e.error || undefined}>{e.status || '–'}</Badge>
                      <FailoverChip attempts={e.attempts} />
                    </span>
                  </td>
                  <td className="px-4 py-2 text-right whitespace-nowrap tabular-nums">{formatDuration(e.latency_ms, l)}</td>
                  <td className="hidden px-4 py-2 text-right whitespace-nowrap tabular-nums xl:table-cell">
                    {`${formatNumber(e.input_tokens, l, true)} / ${formatNumber(e.output_tokens, l, true)}`}
                  </td>
                  <td className="hidden px-4 py-2 text-right whitespace-nowrap tabular-nums lg:table-cell">{formatCost(e.cost_usd, l)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
