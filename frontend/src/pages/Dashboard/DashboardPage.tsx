import { useCallback, useEffect, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { channelsKey, isMissing, logsKey, statsKey, useChannelStats, useChannels, useClients, useRecentLogs, useSummary, useTimeline } from '../../api/queries'
import type { RequestEvent, StatsRange } from '../../api/types'
import { ErrorBox, Notice, PageHeader, Segmented } from '../../components/ui'
import { bucketFor } from '../../lib/format'
import { LIVE_LIMIT, pushLive, useLiveEvents } from '../../lib/live'
import { ClientCard } from '../Tools/ClientCard'
import { ActiveSwitcher, FailoverBanner } from './ActiveSwitcher'
import { LatencyChart, ShareChart, TimelineChart } from './Charts'
import { FirstRun } from './FirstRun'
import { RecentRequests, logToEvent, mergeRecent } from './RecentRequests'
import { StatCards } from './StatCards'
import { BalanceBanner } from './BalanceBanner'

const RANGES: readonly StatsRange[] = ['24h', '7d', '30d']

export function DashboardPage() {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [range, setRange] = useState<StatsRange>('24h')
  const bucket = bucketFor(range)
  const channels = useChannels()
  const clients = useClients()
  const summary = useSummary(range)
  const timeline = useTimeline(range, bucket)
  const share = useChannelStats(range)
  const recent = useRecentLogs(LIVE_LIMIT)
  const [live, setLive] = useState<RequestEvent[]>([])
  const [now, setNow] = useState(() => Date.now())

  const onRequest = useCallback(
    (ev: RequestEvent) => {
      setLive((l) => pushLive(l, ev))
      setNow(Date.now())
      // New data: refresh the numbers (debounced by TanStack's dedupe).
      void qc.invalidateQueries({ queryKey: statsKey })
      void qc.invalidateQueries({ queryKey: logsKey })
      // A failure or a failover changes a channel's health.
      if (ev.attempts > 1 || ev.status >= 400) void qc.invalidateQueries({ queryKey: channelsKey })
    },
    [qc],
  )
  const mode = useLiveEvents(onRequest, () => void qc.invalidateQueries({ queryKey: channelsKey }))

  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 5_000)
    return () => clearInterval(id)
  }, [])

  const list = channels.data ?? []
  const items = mergeRecent(live, (recent.data ?? []).map(logToEvent), LIVE_LIMIT)
  const requests = Math.max(summary.data?.requests ?? 0, items.length)

  if (channels.isSuccess && list.length === 0) {
    return (
      <section className="space-y-6" data-testid="dashboard-page">
        <PageHeader title={t('dashboard.title')} subtitle={t('dashboard.subtitle')} />
        <FirstRun channels={list} clients={clients.data} requests={requests} />
      </section>
    )
  }

  const statsMissing = summary.isError && isMissing(summary.error)
  const servedBy = items.filter((e) => e.status >= 200 && e.status < 400).map((e) => e.channel)

  return (
    <section className="space-y-6" data-testid="dashboard-page">
      <PageHeader
        title={t('dashboard.title')}
        subtitle={t('dashboard.subtitle')}
        actions={
          <Segmented value={range} options={RANGES} label={t('dashboard.range')} render={(r) => t(`dashboard.ranges.${r}`)} onChange={setRange} testId="range" />
        }
      />
      <BalanceBanner />
      <FailoverBanner channels={list} now={now} servedBy={servedBy} />
      <FirstRun channels={list} clients={clients.data} requests={requests} />
      {list.length > 0 && <ActiveSwitcher channels={list} now={now} />}
      {statsMissing ? (
        <Notice testId="stats-unavailable">{t('dashboard.statsUnavailable')}</Notice>
      ) : summary.isError ? (
        <ErrorBox error={summary.error} onRetry={() => void summary.refetch()} />
      ) : summary.data ? (
        <StatCards summary={summary.data} range={range} />
      ) : (
        <div className="h-28 animate-pulse rounded-2xl bg-slate-100 dark:bg-slate-900" />
      )}
      {!statsMissing && (
        <>
          <TimelineChart buckets={timeline.data ?? []} bucket={bucket} />
          <div className="grid gap-6 lg:grid-cols-2">
            <ShareChart channels={share.data ?? []} />
            <LatencyChart buckets={timeline.data ?? []} bucket={bucket} />
          </div>
        </>
      )}
      <RecentRequests items={items} mode={mode} now={now} />
      <div className="grid gap-4 xl:grid-cols-2">
        <ClientCard name="claude" compact />
        <ClientCard name="codex" compact />
      </div>
    </section>
  )
}
