import { useCallback, useEffect, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { isMissing, logsKey, statsKey, useChannels, useChannelStats, useRecentLogs, useSummary, useTimeline } from '../../api/queries'
import type { RequestEvent, StatsRange } from '../../api/types'
import { ErrorBox, Notice, PageHeader, Segmented } from '../../components/ui'
import { bucketFor } from '../../lib/format'
import { LIVE_LIMIT, pushLive, useLiveEvents } from '../../lib/live'
import { LatencyChart, ShareChart, TimelineChart } from './Charts'
import { ClientCards, FirstRun } from './FirstRun'
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
    },
    [qc],
  )
  const mode = useLiveEvents(onRequest, () => void qc.invalidateQueries({ queryKey: ['channels'] }))

  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 15_000)
    return () => clearInterval(id)
  }, [])

  if (channels.isSuccess && channels.data.length === 0) {
    return (
      <section className="space-y-6" data-testid="dashboard-page">
        <PageHeader title={t('dashboard.title')} subtitle={t('dashboard.subtitle')} />
        <FirstRun />
      </section>
    )
  }

  const statsMissing = summary.isError && isMissing(summary.error)
  const items = mergeRecent(live, (recent.data ?? []).map(logToEvent), LIVE_LIMIT)

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
      {statsMissing ? (
        <Notice testId="stats-unavailable">{t('dashboard.statsUnavailable')}</Notice>
      ) : summary.isError ? (
        <ErrorBox error={summary.error} onRetry={() => void summary.refetch()} />
      ) : summary.data ? (
        <StatCards summary={summary.data} />
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
      <ClientCards />
    </section>
  )
}
