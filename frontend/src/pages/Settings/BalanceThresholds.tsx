import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client'
import { errorMessage, fieldErrorMessage } from '../../api/errors'
import { useSaveSettings } from '../../api/queries'
import type { Settings } from '../../api/types'
import { Button } from '../../components/Button'
import { card } from '../../components/ui'

interface Row {
  unit: string
  warn: string
  floor: string
}

/** The thresholds as editable rows, one per unit. */
export function rowsOf(warn: Record<string, number> = {}, floor: Record<string, number> = {}): Row[] {
  const units = [...new Set([...Object.keys(warn), ...Object.keys(floor)])].sort()
  return units.map((u) => ({ unit: u, warn: warn[u] !== undefined ? String(warn[u]) : '', floor: floor[u] !== undefined ? String(floor[u]) : '' }))
}

/** The rows as the settings API takes them; empty cells are left out. */
export function thresholdsOf(rows: Row[]): { balance_warn: Record<string, number>; balance_floor: Record<string, number> } {
  const warn: Record<string, number> = {}
  const floor: Record<string, number> = {}
  for (const r of rows) {
    const unit = r.unit.trim()
    if (!unit) continue
    if (r.warn.trim() !== '') warn[unit] = Number(r.warn)
    if (r.floor.trim() !== '') floor[unit] = Number(r.floor)
  }
  return { balance_warn: warn, balance_floor: floor }
}

/** Settings: below which amount a balance is low (a warning) or counts as used up (the channel is skipped). */
export function BalanceThresholds({ settings }: { settings: Settings }) {
  const { t } = useTranslation()
  const save = useSaveSettings()
  const [rows, setRows] = useState<Row[]>(() => rowsOf(settings.balance_warn, settings.balance_floor))
  // The rows follow the saved thresholds when they change (after a save,
  // or in another window), during render rather than in an effect.
  const source = JSON.stringify([settings.balance_warn, settings.balance_floor])
  const [seen, setSeen] = useState(source)
  if (seen !== source) {
    setSeen(source)
    setRows(rowsOf(settings.balance_warn, settings.balance_floor))
  }
  const set = (i: number, k: keyof Row, v: string) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [k]: v } : r)))
  const fields = save.error instanceof ApiError ? save.error.fields : {}
  const fieldErr = fields.balance_warn ?? fields.balance_floor
  return (
    <section className={card + ' space-y-4 p-5'} data-testid="balance-thresholds">
      <div>
        <h3 className="text-base font-semibold">{t('accounts.thresholds.title')}</h3>
        <p className="text-xs text-slate-500 dark:text-slate-400">{t('accounts.thresholds.help')}</p>
      </div>
      <table className="text-sm">
        <thead>
          <tr className="text-left text-xs text-slate-500 dark:text-slate-400">
            <th className="pr-3 font-medium">{t('accounts.thresholds.unit')}</th>
            <th className="pr-3 font-medium">{t('accounts.thresholds.warn')}</th>
            <th className="pr-3 font-medium">{t('accounts.thresholds.floor')}</th>
            <th><span className="sr-only">{t('accounts.thresholds.remove')}</span></th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} data-testid="threshold-row">
              <td className="py-1 pr-3"><input className="input w-24 font-mono" value={r.unit} onChange={(e) => set(i, 'unit', e.target.value)}
                aria-label={t('accounts.thresholds.unit')} data-testid="threshold-unit" /></td>
              <td className="py-1 pr-3"><input className="input w-28" type="number" min={0} step="any" value={r.warn} onChange={(e) => set(i, 'warn', e.target.value)}
                aria-label={t('accounts.thresholds.warn')} data-testid="threshold-warn" /></td>
              <td className="py-1 pr-3"><input className="input w-28" type="number" min={0} step="any" value={r.floor} onChange={(e) => set(i, 'floor', e.target.value)}
                aria-label={t('accounts.thresholds.floor')} data-testid="threshold-floor" /></td>
              <td className="py-1"><Button variant="ghost" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
                aria-label={t('accounts.thresholds.remove')}>{t('accounts.thresholds.remove')}</Button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={() => setRows((rs) => [...rs, { unit: '', warn: '', floor: '' }])} data-testid="threshold-add">{t('accounts.thresholds.add')}</Button>
        <Button variant="primary" disabled={save.isPending} onClick={() => save.mutate(thresholdsOf(rows))} data-testid="threshold-save">
          {t('accounts.thresholds.save')}
        </Button>
        {save.isSuccess && <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">{t('accounts.thresholds.saved')}</span>}
      </div>
      {save.error ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400" data-testid="threshold-error">
          {fieldErr ? fieldErrorMessage(t, fieldErr) : errorMessage(t, save.error)}
        </p>
      ) : null}
    </section>
  )
}
