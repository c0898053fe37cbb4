import { useState } from 'react'
import { useInfiniteQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client'
import { isMissing, logsKey, useChannels } from '../../api/queries'
import { SCENARIOS, type LogEntry } from '../../api/types'
import { Button } from '../../components/Button'
import { Badge, ErrorBox, Notice, PageHeader, card, statusTone } from '../../components/ui'
import { formatCost, formatDuration, formatNumber, formatTime } from '../../lib/format'
import { FailoverChip } from '../Dashboard/RecentRequests'
import { EMPTY_FILTERS, logsQuery, type LogFilters } from './filters'
import { LogDrawer } from './LogDrawer'

const PAGE = 50
const RANGES = ['1h', '24h', '7d', '30d', ''] as const
const STATUSES = ['', 'ok', 'error', '4xx', '5xx'] as const

export function LogsPage() {
  const { t, i18n } = useTranslation()
  const l = i18n.language
  const channels = useChannels()
  const [filters, setFilters] = useState<LogFilters>(EMPTY_FILTERS)
  const [open, setOpen] = useState<LogEntry | null>(null)
  const logs = useInfiniteQuery({
    queryKey: [...logsKey, 'list', filters],
    queryFn: ({ pageParam }) => api.logs(logsQuery(filters, pageParam, PAGE)),
    initialPageParam: '' as number | string,
    getNextPageParam: (last) => last.next_cursor || undefined,
    retry: false,
  })
  const rows = logs.data?.pages.flatMap((p) => p.logs ?? []) ?? []
  const set = <K extends keyof LogFilters>(k: K, v: LogFilters[K]) => setFilters((f) => ({ ...f, [k]: v }))
  const th = 'px-3 py-2.5 whitespace-nowrap text-left text-xs font-medium tracking-wide text-slate-600 uppercase dark:text-slate-400'
  const num = 'px-3 py-2 text-right whitespace-nowrap tabular-nums'

  return (
    <section className="space-y-6" data-testid="logs-page">
      <PageHeader title={t('logs.title')} subtitle={t('logs.subtitle')} />
      <div className={card + ' grid gap-3 p-4 sm:grid-cols-3 lg:grid-cols-6'} data-testid="log-filters">
        <select className="input" value={filters.range} aria-label={t('logs.filters.range')} onChange={(e) => set('range', e.target.value as LogFilters['range'])}>
          {RANGES.map((r) => <option key={r} value={r}>{t(`logs.ranges.${r || 'all'}`)}</option>)}
        </select>
        <select className="input" value={filters.channel_id} aria-label={t('logs.filters.channel')} onChange={(e) => set('channel_id', e.target.value)}>
          <option value="">{t('logs.filters.allChannels')}</option>
          {(channels.data ?? []).map((c) => <option key={c.id} value={String(c.id)}>{c.name}</option>)}
        </select>
        <input className="input font-mono" value={filters.model} placeholder={t('logs.filters.model')} aria-label={t('logs.filters.model')}
          onChange={(e) => set('model', e.target.value)} />
        <select className="input" value={filters.status} aria-label={t('logs.filters.status')} onChange={(e) => set('status', e.target.value as LogFilters['status'])}>
          {STATUSES.map((s) => <option key={s} value={s}>{t(`logs.statuses.${s || 'all'}`)}</option>)}
        </select>
        <select className="input" value={filters.scenario} aria-label={t('logs.filters.scenario')} onChange={(e) => set('scenario', e.target.value)}>
          <option value="">{t('logs.filters.allScenarios')}</option>
          {SCENARIOS.map((s) => <option key={s} value={s}>{t(`routing.scenarios.${s}`)}</option>)}
        </select>
        <input className="input" type="search" value={filters.q} placeholder={t('logs.filters.search')} aria-label={t('logs.filters.search')}
          onChange={(e) => set('q', e.target.value)} data-testid="log-search" />
      </div>

      {logs.isError ? (
        isMissing(logs.error) ? <Notice testId="logs-unavailable">{t('logs.unavailable')}</Notice> : <ErrorBox error={logs.error} onRetry={() => void logs.refetch()} />
      ) : logs.isPending ? (
        <p className="text-sm text-slate-600">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <Notice testId="logs-empty">{t('logs.empty')}</Notice>
      ) : (
        <div className={card + ' overflow-x-auto'}>
          <table className="w-full divide-y divide-slate-200 text-sm dark:divide-slate-800" data-testid="log-table">
            <thead className="bg-slate-50/60 dark:bg-slate-900">
              <tr>
                <th scope="col" className={th}>{t('logs.columns.time')}</th>
                <th scope="col" className={th}>{t('logs.columns.channel')}</th>
                <th scope="col" className={th + ' hidden md:table-cell'}>{t('logs.columns.model')}</th>
                <th scope="col" className={th}>{t('logs.columns.status')}</th>
                <th scope="col" className={th + ' text-right'}>{t('logs.columns.latency')}</th>
                <th scope="col" className={th + ' hidden text-right xl:table-cell'}>{t('logs.columns.ttft')}</th>
                <th scope="col" className={th + ' hidden text-right lg:table-cell'}>{t('logs.columns.tokens')}</th>
                <th scope="col" className={th + ' text-right'}>{t('logs.columns.cost')}</th>
                <th scope="col" className={th + ' hidden xl:table-cell'}>{t('logs.columns.scenario')}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {rows.map((r) => (
                <tr key={r.id} tabIndex={0} data-testid="log-row" data-failover={(r.attempts?.length ?? 0) > 0 || undefined} onClick={() => setOpen(r)}
                  onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && setOpen(r)}
                  className="cursor-pointer hover:bg-slate-50 focus-visible:bg-indigo-50 focus-visible:outline-none dark:hover:bg-slate-800/50 dark:focus-visible:bg-indigo-950/40">
                  <td className="px-3 py-2 whitespace-nowrap text-slate-600 dark:text-slate-400">{formatTime(r.time, l)}</td>
                  <td className="px-3 py-2 font-medium whitespace-nowrap">{r.channel_name || '–'}</td>
                  <td className="hidden max-w-[14rem] truncate px-3 py-2 font-mono text-xs md:table-cell" title={r.client_model}>{r.client_model}</td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    <span className="inline-flex items-center gap-1">
                      <Badge tone={statusTone(r.status)} title={r.error || undefined}>{r.status}</Badge>
                      <FailoverChip attempts={(r.attempts?.length ?? 0) + 1} />
                    </span>
                  </td>
                  <td className={num}>{formatDuration(r.latency_ms, l)}</td>
                  <td className={num + ' hidden xl:table-cell'}>{formatDuration(r.ttft_ms, l)}</td>
                  <td className={num + ' hidden lg:table-cell'} title={r.usage_estimated ? t('logs.estimated') : undefined}>
                    {`${formatNumber(r.input_tokens, l, true)} / ${formatNumber(r.output_tokens, l, true)}${r.usage_estimated ? ' ~' : ''}`}
                  </td>
                  <td className={num}>{formatCost(r.cost_usd, l)}</td>
                  <td className="hidden px-3 py-2 text-xs whitespace-nowrap xl:table-cell">{r.scenario ? t(`routing.scenarios.${r.scenario}`, { defaultValue: r.scenario }) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {logs.hasNextPage && (
            <div className="border-t border-slate-200 p-3 text-center dark:border-slate-800">
              <Button disabled={logs.isFetchingNextPage} onClick={() => void logs.fetchNextPage()} data-testid="logs-more">{t('logs.more')}</Button>
            </div>
          )}
        </div>
      )}
      {open && <LogDrawer entry={open} onClose={() => setOpen(null)} />}
    </section>
  )
}
