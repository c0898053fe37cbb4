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

function Delta({ c, period }: { c: Change; period: string }) {
  const { t, i18n } = useTranslation()
  const p = t(`dashboard.periods.${period}`, { defaultValue: period })
  if (c.ratio === null) {
    // Nothing to compare with (no earlier data): a dash, not "new".
    return (
      <span className="text-xs text-slate-600 dark:text-slate-400" data-testid="stat-change" data-change="none" title={t('dashboard.noPrevious', { period: p })}>
        <span aria-hidden="true">—</span>
        <span className="sr-only">{t('dashboard.noPrevious', { period: p })}</span>
      </span>
    )
  }
  if (c.direction === 'flat') {
    return <span className="text-xs text-slate-600 dark:text-slate-400" data-testid="stat-change" data-change="flat">{t('dashboard.noChange', { period: p })}</span>
  }
  const color = c.good === null ? 'text-slate-600 dark:text-slate-400' : c.good ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'
  const pct = formatPercent(Math.abs(c.ratio), i18n.language)
  return (
    <span className={'text-xs font-medium tabular-nums ' + color} data-testid="stat-change" data-change={c.direction}>
      {t(c.direction === 'up' ? 'dashboard.changeUp' : 'dashboard.changeDown', { pct, period: p })}
    </span>
  )
}

export function StatCards({ summary, range }: { summary: Summary; range: string }) {
  const { t, i18n } = useTranslation()
  return (
    <div className="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-5" data-testid="stat-cards">
      {CARDS.map((c) => (
        <div key={c.key} className={card + ' p-4'} data-testid={`stat-${c.key}`}>
          <div className="text-xs font-medium tracking-wide text-slate-600 uppercase dark:text-slate-400">{t(`dashboard.cards.${c.key}`)}</div>
          <div className="mt-2 text-2xl font-semibold tabular-nums" data-testid="stat-value">
            {c.value(summary, i18n.language)}
          </div>
          <div className="mt-1">
            <Delta c={change(c.metric(summary), summary.previous && summary.previous.requests > 0 ? c.metric(summary.previous) : undefined, c.higherIsBetter)}
              period={range} />
          </div>
        </div>
      ))}
    </div>
  )
}
