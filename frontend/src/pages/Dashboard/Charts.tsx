import { useTranslation } from 'react-i18next'
import {
  Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis,
} from 'recharts'
import type { PieLabelRenderProps } from 'recharts'
import type { ChannelStat, TimelineBucket } from '../../api/types'
import { card } from '../../components/ui'
import { formatBucket, formatDuration, formatNumber, formatPercent } from '../../lib/format'
import { useIsDark } from '../../lib/theme'

/** Colours that read on both white and slate-900. */
export const PALETTE = ['#6366f1', '#06b6d4', '#10b981', '#f59e0b', '#ec4899', '#8b5cf6', '#14b8a6', '#f97316']

function useChartColors() {
  const dark = useIsDark()
  return {
    grid: dark ? '#1e293b' : '#e2e8f0',
    // slate-400 on slate-900 and slate-600 on white: both over 4.5:1.
    axis: dark ? '#94a3b8' : '#475569',
    text: dark ? '#e2e8f0' : '#334155',
    tooltip: {
      backgroundColor: dark ? '#0f172a' : '#ffffff',
      border: `1px solid ${dark ? '#334155' : '#e2e8f0'}`,
      borderRadius: 8,
      color: dark ? '#f1f5f9' : '#0f172a',
      fontSize: 12,
    },
  }
}

export function ChartCard({ title, testId, children, empty }: { title: string; testId: string; children: React.ReactNode; empty: boolean }) {
  const { t } = useTranslation()
  return (
    <section className={card + ' p-4'} data-testid={testId}>
      <h3 className="mb-3 text-sm font-semibold text-slate-700 dark:text-slate-200">{title}</h3>
      {empty ? (
        <div className="grid h-56 place-items-center text-sm text-slate-600 dark:text-slate-400">{t('dashboard.noData')}</div>
      ) : (
        <div className="h-56" data-testid="chart">{children}</div>
      )}
    </section>
  )
}

export function TimelineChart({ buckets, bucket }: { buckets: TimelineBucket[]; bucket: string }) {
  const { t, i18n } = useTranslation()
  const c = useChartColors()
  const data = buckets.map((b) => ({
    label: formatBucket(b.start, i18n.language, bucket),
    ok: Math.max(0, b.requests - b.failed),
    failed: b.failed,
  }))
  return (
    <ChartCard title={t('dashboard.charts.timeline')} testId="chart-timeline" empty={!buckets.some((b) => b.requests > 0)}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} stroke={c.grid} />
          <XAxis dataKey="label" tick={{ fill: c.axis, fontSize: 11 }} tickLine={false} axisLine={false} minTickGap={16} />
          <YAxis allowDecimals={false} tick={{ fill: c.axis, fontSize: 11 }} tickLine={false} axisLine={false} />
          <Tooltip contentStyle={c.tooltip} cursor={{ fill: c.grid, opacity: 0.5 }} formatter={(v) => formatNumber(Number(v), i18n.language)} />
          <Legend wrapperStyle={{ fontSize: 12, color: c.text }} formatter={(v) => <span style={{ color: c.text }}>{v}</span>} />
          <Bar dataKey="ok" name={t('dashboard.charts.ok')} stackId="r" fill="#10b981" radius={[0, 0, 0, 0]} isAnimationActive={false} />
          <Bar dataKey="failed" name={t('dashboard.charts.failed')} stackId="r" fill="#ef4444" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  )
}

/** Each channel's share of requests: a donut with its values, and a legend listing count and share. */
export function ShareChart({ channels }: { channels: ChannelStat[] }) {
  const { t, i18n } = useTranslation()
  const c = useChartColors()
  const l = i18n.language
  const data = channels.filter((ch) => ch.requests > 0).map((ch) => ({ name: ch.channel_name, value: ch.requests, share: ch.share }))
  const total = data.reduce((n, d) => n + d.value, 0)
  return (
    <ChartCard title={t('dashboard.charts.share')} testId="chart-share" empty={data.length === 0}>
      <div className="flex h-full flex-col gap-2 sm:flex-row sm:items-center">
        <div className="h-40 min-w-0 flex-1 sm:h-full">
          <ResponsiveContainer width="100%" height="100%">
            <PieChart>
              <Pie data={data} dataKey="value" nameKey="name" innerRadius="55%" outerRadius="80%" paddingAngle={2} stroke="none" isAnimationActive={false}
                label={(p: PieLabelRenderProps) =>
                  (p.percent ?? 0) >= 0.08 ? (
                    <text x={Number(p.x ?? 0)} y={Number(p.y ?? 0)} fill={c.text} fontSize={11} textAnchor={p.textAnchor} dominantBaseline="central">
                      {formatPercent(p.percent ?? 0, l)}
                    </text>
                  ) : null
                }
                labelLine={false}>
                {data.map((d, i) => (
                  <Cell key={d.name} fill={PALETTE[i % PALETTE.length]} />
                ))}
              </Pie>
              <Tooltip
                contentStyle={c.tooltip}
                itemStyle={{ color: c.tooltip.color }}
                formatter={(v, _n, item) => {
                  const share = (item.payload as { share?: number }).share
                  return `${formatNumber(Number(v), l)}${share ? ` · ${formatPercent(share, l)}` : ''}`
                }}
              />
            </PieChart>
          </ResponsiveContainer>
        </div>
        <ul className="min-w-0 space-y-1 text-xs sm:w-48" data-testid="share-legend">
          {data.map((d, i) => (
            <li key={d.name} className="flex min-w-0 items-center gap-2" data-testid="share-legend-item">
              <span aria-hidden="true" className="size-2.5 shrink-0 rounded-full" style={{ background: PALETTE[i % PALETTE.length] }} />
              <span className="min-w-0 flex-1 truncate text-slate-800 dark:text-slate-200" title={d.name}>{d.name}</span>
              <span className="text-slate-700 tabular-nums dark:text-slate-300">
                {`${formatNumber(d.value, l)} · ${formatPercent(total ? d.value / total : 0, l)}`}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </ChartCard>
  )
}

export function LatencyChart({ buckets, bucket }: { buckets: TimelineBucket[]; bucket: string }) {
  const { t, i18n } = useTranslation()
  const c = useChartColors()
  const data = buckets.map((b) => ({
    label: formatBucket(b.start, i18n.language, bucket),
    latency: b.requests ? Math.round(b.avg_latency_ms) : null,
    ttft: b.requests && b.avg_ttft_ms ? Math.round(b.avg_ttft_ms) : null,
  }))
  // A line needs two points; with fewer, dots show the values.
  const dot = data.filter((d) => d.latency !== null).length < 3 ? { r: 3 } : false
  return (
    <ChartCard title={t('dashboard.charts.latency')} testId="chart-latency" empty={!buckets.some((b) => b.requests > 0)}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid vertical={false} stroke={c.grid} />
          <XAxis dataKey="label" tick={{ fill: c.axis, fontSize: 11 }} tickLine={false} axisLine={false} minTickGap={16} />
          <YAxis tick={{ fill: c.axis, fontSize: 11 }} tickLine={false} axisLine={false} tickFormatter={(v: number) => (v ? formatDuration(v, i18n.language) : '0')} width={64} />
          <Tooltip contentStyle={c.tooltip} formatter={(v) => formatDuration(Number(v), i18n.language)} />
          <Legend wrapperStyle={{ fontSize: 12, color: c.text }} formatter={(v) => <span style={{ color: c.text }}>{v}</span>} />
          <Line type="monotone" dataKey="latency" name={t('dashboard.charts.avgLatency')} stroke="#6366f1" strokeWidth={2} dot={dot} connectNulls isAnimationActive={false} />
          <Line type="monotone" dataKey="ttft" name={t('dashboard.charts.avgTtft')} stroke="#06b6d4" strokeWidth={2} dot={dot} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  )
}

/** Tokens per bucket, in and out (used when there is room). */
export function TokensChart({ buckets, bucket }: { buckets: TimelineBucket[]; bucket: string }) {
  const { t, i18n } = useTranslation()
  const c = useChartColors()
  const data = buckets.map((b) => ({ label: formatBucket(b.start, i18n.language, bucket), input: b.input_tokens, output: b.output_tokens }))
  return (
    <ChartCard title={t('dashboard.charts.tokens')} testId="chart-tokens" empty={!buckets.some((b) => b.input_tokens + b.output_tokens > 0)}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid vertical={false} stroke={c.grid} />
          <XAxis dataKey="label" tick={{ fill: c.axis, fontSize: 11 }} tickLine={false} axisLine={false} minTickGap={16} />
          <YAxis tick={{ fill: c.axis, fontSize: 11 }} tickLine={false} axisLine={false} tickFormatter={(v: number) => formatNumber(v, i18n.language, true)} />
          <Tooltip contentStyle={c.tooltip} formatter={(v) => formatNumber(Number(v), i18n.language)} />
          <Legend wrapperStyle={{ fontSize: 12, color: c.text }} formatter={(v) => <span style={{ color: c.text }}>{v}</span>} />
          <Area type="monotone" dataKey="input" name={t('dashboard.charts.input')} stackId="t" stroke="#8b5cf6" fill="#8b5cf6" fillOpacity={0.25} isAnimationActive={false} />
          <Area type="monotone" dataKey="output" name={t('dashboard.charts.output')} stackId="t" stroke="#f59e0b" fill="#f59e0b" fillOpacity={0.25} isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </ChartCard>
  )
}
