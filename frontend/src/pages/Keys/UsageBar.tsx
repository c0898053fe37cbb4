import { useTranslation } from 'react-i18next'
import { formatCost } from '../../lib/format'
import { spentRatio } from './keyForm'

/** Spend against a budget as a bar: green, amber from 80%, red when spent; the amount alone without a budget. */
export function UsageBar({ used, budget, label, testId }: { used: number; budget: number; label: string; testId: string }) {
  const { t, i18n } = useTranslation()
  const ratio = spentRatio(used, budget)
  const tone = ratio >= 1 ? 'bg-red-500' : ratio >= 0.8 ? 'bg-amber-500' : 'bg-emerald-500'
  const text = budget > 0
    ? t('keys.spentOf', { used: formatCost(used, i18n.language), budget: formatCost(budget, i18n.language) })
    : t('keys.spentNoBudget', { used: formatCost(used, i18n.language) })
  return (
    <div className="min-w-36 space-y-1" data-testid={testId} data-ratio={ratio.toFixed(3)}>
      <div className="flex justify-between gap-2 text-xs text-slate-500 dark:text-slate-400">
        <span>{label}</span>
        <span className="tabular-nums">{text}</span>
      </div>
      {budget > 0 && (
        <div className="h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800" role="progressbar"
          aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(Math.min(ratio, 1) * 100)}>
          <div className={'h-full rounded-full ' + tone} style={{ width: `${Math.min(ratio, 1) * 100}%` }} />
        </div>
      )}
    </div>
  )
}
