import { useId, useState, type KeyboardEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Button } from '../../components/Button'
import { rowId, splitList, type MapRow } from './draft'

/** The models a channel serves, as chips; typing a name (or several, comma-separated) and Enter adds them. */
export function ModelsEditor({ models, onChange, actions }: { models: string[]; onChange: (m: string[]) => void; actions?: ReactNode }) {
  const { t } = useTranslation()
  const [text, setText] = useState('')
  const add = () => {
    const more = splitList(text).filter((m) => !models.includes(m))
    if (more.length) onChange([...models, ...more])
    setText('')
  }
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault()
      add()
    } else if (e.key === 'Backspace' && !text && models.length) {
      onChange(models.slice(0, -1))
    }
  }
  return (
    <div className="space-y-2" data-testid="models-editor">
      <div className="flex flex-wrap gap-1.5" data-testid="model-chips">
        {models.map((m) => (
          <span key={m} className="inline-flex max-w-full items-center gap-1 rounded-md bg-slate-100 py-0.5 pr-1 pl-2 font-mono text-xs text-slate-800 dark:bg-slate-800 dark:text-slate-200"
            data-testid="model-chip">
            <span className="truncate">{m}</span>
            <button type="button" className="rounded px-1 text-slate-600 hover:bg-slate-200 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-700"
              aria-label={t('form.modelRemove', { model: m })} onClick={() => onChange(models.filter((x) => x !== m))}>✕</button>
          </span>
        ))}
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <input className="input min-w-0 flex-1 font-mono" value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKey} onBlur={add}
          placeholder={t('form.modelsPlaceholder')} aria-label={t('form.models')} data-testid="channel-models-input" />
        {/* Actions that fill the list (fetch from the provider) go here. */}
        <span className="flex flex-wrap gap-2" data-slot="models-actions">{actions}</span>
      </div>
    </div>
  )
}

/** client model → upstream model rows; the left side may use * (claude-*), the right offers the channel's models. */
export function ModelMapEditor({ rows, models, onChange, error }: { rows: MapRow[]; models: string[]; onChange: (r: MapRow[]) => void; error?: string }) {
  const { t } = useTranslation()
  const list = useId()
  const set = (id: string, patch: Partial<MapRow>) => onChange(rows.map((r) => (r.id === id ? { ...r, ...patch } : r)))
  return (
    <div className="space-y-2" data-testid="model-map-editor">
      <datalist id={list}>
        {models.map((m) => <option key={m} value={m} />)}
      </datalist>
      {rows.map((r) => (
        <div key={r.id} className="flex flex-wrap items-center gap-2" data-testid="model-map-row">
          <input className="input min-w-0 flex-1 basis-40 font-mono" value={r.from} placeholder={t('form.mapFromPlaceholder')}
            aria-label={t('form.mapFrom')} onChange={(e) => set(r.id, { from: e.target.value })} data-testid="map-from" />
          <span aria-hidden="true" className="text-slate-600 dark:text-slate-400">→</span>
          <input className="input min-w-0 flex-1 basis-40 font-mono" value={r.to} list={list} placeholder={models[0] ?? t('form.mapToPlaceholder')}
            aria-label={t('form.mapTo')} onChange={(e) => set(r.id, { to: e.target.value })} data-testid="map-to" />
          <Button variant="dangerGhost" className="px-2 py-1" aria-label={t('form.mapRemove')} onClick={() => onChange(rows.filter((x) => x.id !== r.id))}>✕</Button>
        </div>
      ))}
      {error && <p role="alert" className="text-xs text-red-700 dark:text-red-400" data-testid="field-error-model_map">{error}</p>}
      <Button variant="ghost" className="px-2 py-1 text-indigo-700 dark:text-indigo-300" data-testid="map-add"
        onClick={() => onChange([...rows, { id: rowId(), from: rows.length === 0 ? 'claude-*' : '', to: models[0] ?? '' }])}>
        {t('form.mapAdd')}
      </Button>
    </div>
  )
}
