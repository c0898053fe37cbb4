import { useTranslation } from 'react-i18next'
import type { Summary, SummaryFields } from '../../api/types'
import { card } from '../../components/ui'
import { change, formatCost, formatDuration, formatNumber, formatPercent, type Change } from '../../lib/format'

interface CardDef {
  key: string
  value: (s: SummaryFields, locale: string) => string
  metric: (s: SummaryFields) => number
  /** Which way is good news; null = neutral. */
  higherIsBetter: boolean | null
  sub?: (s: SummaryFields, locale: string) => string
}

const CARDS: CardDef[] = [
  { key: 'requests', value: (s, l) => formatNumber(s.requests, l, true), metric: (s) => s.requests, higherIsBetter: true },
  { key: 'successRate', value: (s, l) => (s.requests ? formatPercent(s.success_rate, l) : '–'), metric: (s) => s.success_rate, higherIsBetter: true },
  { key: 'latency', value: (s, l) => formatDuration(s.avg_latency_ms, l), metric: (s) => s.avg_latency_ms, higherIsBetter: false },
  {
    key: 'tokens',
    value: (s, l) => formatNumber(s.input_tokens + s.output_tokens, l, true),
    metric: (s) => s.input_tokens + s.output_tokens,
    higherIsBetter: null,
  },
  { key: 'cost', value: (s, l) => formatCost(s.cost_usd, l), metric: (s) => s.cost_usd, higherIsBetter: null },
]

function Delta({ c }: { c: Change }) {
  const { t, i18n } = useTranslation()
  if (c.direction === 'flat' && c.ratio === 0) {
    return <span className="text-xs text-slate-500 dark:text-slate-400">{t('dashboard.noChange')}</span>
  }
  if (c.ratio === null && c.direction === 'flat') {
    return <span className="text-xs text-slate-400 dark:text-slate-500">{t('dashboard.noPrevious')}</span>
  }
  const color = c.good === null ? 'text-slate-500 dark:text-slate-400' : c.good ? 'text-emerald-600 dark:text-emerald-400' : 'text-red-600 dark:text-red-400'
  const arrow = c.direction === 'up' ? '↑' : '↓'
  const pct = c.ratio === null ? t('dashboard.new') : formatPercent(Math.abs(c.ratio), i18n.language)
  return (
    <span className={'text-xs font-medium tabular-nums ' + color} data-testid="stat-change">
      <span aria-hidden="true">{arrow}</span>
      {` ${pct} `}
      <span className="font-normal text-slate-500 dark:text-slate-400">{t('dashboard.vsPrevious')}</span>
    </span>
  )
}

export function StatCards({ summary }: { summary: Summary }) {
  const { t, i18n } = useTranslation()
  return (
    <div className="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-5" data-testid="stat-cards">
      {CARDS.map((c) => (
        <div key={c.key} className={card + ' p-4'} data-testid={`stat-${c.key}`}>
          <div className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">{t(`dashboard.cards.${c.key}`)}</div>
          <div className="mt-2 text-2xl font-semibold tabular-nums" data-testid="stat-value">
            {c.value(summary, i18n.language)}
          </div>
          <div className="mt-1">
            <Delta c={change(c.metric(summary), summary.previous ? c.metric(summary.previous) : undefined, c.higherIsBetter)} />
          </div>
        </div>
      ))}
    </div>
  )
}
