import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { TRANSFORMERS } from '../../api/types'
import { Button } from '../../components/Button'
import { Field } from '../../components/ui'
import { rowId, transformerRows, type Draft, type HeaderRow, type TransformerRow } from './draft'

/** Header names whose values are credentials: typed hidden, shown masked. */
export function secretHeader(name: string): boolean {
  return /auth|key|token|secret|cookie/i.test(name)
}

/** Custom headers sent upstream: name and value rows; credential values hidden. */
export function HeadersEditor({ rows, onChange, error }: { rows: HeaderRow[]; onChange: (r: HeaderRow[]) => void; error?: string }) {
  const { t } = useTranslation()
  const [shown, setShown] = useState<Record<string, boolean>>({})
  const set = (id: string, patch: Partial<HeaderRow>) => onChange(rows.map((r) => (r.id === id ? { ...r, ...patch } : r)))
  return (
    <div className="space-y-2" data-testid="headers-editor">
      {rows.map((r) => {
        const secret = secretHeader(r.name)
        return (
          <div key={r.id} className="flex flex-wrap items-center gap-2" data-testid="header-row">
            <input className="input min-w-0 flex-1 basis-32 font-mono" value={r.name} placeholder={t('form.headerName')} aria-label={t('form.headerName')}
              onChange={(e) => set(r.id, { name: e.target.value })} data-testid="header-name" />
            <input className="input min-w-0 flex-[2] basis-40 font-mono" value={r.value} placeholder={t('form.headerValue')} aria-label={t('form.headerValue')}
              type={secret && !shown[r.id] ? 'password' : 'text'} autoComplete="off" onChange={(e) => set(r.id, { value: e.target.value })}
              data-testid="header-value" />
            {secret && (
              <Button variant="ghost" className="px-2 py-1" onClick={() => setShown((s) => ({ ...s, [r.id]: !s[r.id] }))}>
                {t(shown[r.id] ? 'settings.secrets.hide' : 'form.headerShow')}
              </Button>
            )}
            <Button variant="dangerGhost" className="px-2 py-1" aria-label={t('form.headerRemove')} onClick={() => onChange(rows.filter((x) => x.id !== r.id))}>✕</Button>
          </div>
        )
      })}
      {error && <p role="alert" className="text-xs text-red-700 dark:text-red-400" data-testid="field-error-headers">{error}</p>}
      <Button variant="ghost" className="px-2 py-1 text-indigo-700 dark:text-indigo-300" onClick={() => onChange([...rows, { id: rowId(), name: '', value: '' }])}
        data-testid="header-add">
        {t('form.headerAdd')}
      </Button>
    </div>
  )
}

/** Built-in transformers with their options (JSON), or the whole list as JSON when it uses model groups. */
export function TransformersEditor({ draft, set, error }: { draft: Draft; set: (patch: Partial<Draft>) => void; error?: string }) {
  const { t } = useTranslation()
  const rows = draft.transformers
  const setRow = (id: string, patch: Partial<TransformerRow>) => set({ transformers: rows.map((r) => (r.id === id ? { ...r, ...patch } : r)) })
  const asJSON = () => {
    const v = rows.filter((r) => r.name).map((r) => {
      try {
        return r.options.trim() ? [r.name, JSON.parse(r.options) as unknown] : r.name
      } catch {
        return r.options.trim() ? [r.name, r.options] : r.name
      }
    })
    set({ transformersRaw: true, transformersJSON: JSON.stringify(v, null, 2) })
  }
  const asRows = () => {
    try {
      const parsed = JSON.parse(draft.transformersJSON || '[]') as unknown
      const back = Array.isArray(parsed) ? transformerRows(parsed) : null
      if (back) set({ transformersRaw: false, transformers: back })
    } catch {
      // stays JSON until it parses
    }
  }
  return (
    <div className="space-y-2" data-testid="transformers-editor">
      {draft.transformersRaw ? (
        <textarea className="input h-40 font-mono text-xs" value={draft.transformersJSON} aria-label={t('form.transformers')} spellCheck={false}
          aria-invalid={!!error} onChange={(e) => set({ transformersJSON: e.target.value })} data-testid="transformers-json" />
      ) : (
        rows.map((r) => (
          <div key={r.id} className="space-y-1 rounded-lg border border-slate-200 p-2 dark:border-slate-700" data-testid="transformer-row">
            <div className="flex flex-wrap items-center gap-2">
              <select className="input w-auto min-w-40" value={r.name} aria-label={t('form.transformer')} onChange={(e) => setRow(r.id, { name: e.target.value })}
                data-testid="transformer-name">
                {!(TRANSFORMERS as readonly string[]).includes(r.name) && <option value={r.name}>{r.name}</option>}
                {TRANSFORMERS.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
              <span className="min-w-0 flex-1 text-xs text-slate-600 dark:text-slate-400">{t(`form.transformerHelp.${r.name}`, { defaultValue: '' })}</span>
              <Button variant="dangerGhost" className="px-2 py-1" aria-label={t('form.transformerRemove')}
                onClick={() => set({ transformers: rows.filter((x) => x.id !== r.id) })}>✕</Button>
            </div>
            <textarea className="input h-16 font-mono text-xs" value={r.options} placeholder={t(`form.transformerExample.${r.name}`, { defaultValue: '{}' })}
              aria-label={t('form.transformerOptions', { name: r.name })} spellCheck={false} onChange={(e) => setRow(r.id, { options: e.target.value })}
              data-testid="transformer-options" />
          </div>
        ))
      )}
      {error && <p role="alert" className="text-xs break-words text-red-700 dark:text-red-400" data-testid="field-error-transformers">{error}</p>}
      <div className="flex flex-wrap gap-2">
        {!draft.transformersRaw && (
          <Button variant="ghost" className="px-2 py-1 text-indigo-700 dark:text-indigo-300" data-testid="transformer-add"
            onClick={() => set({ transformers: [...rows, { id: rowId(), name: TRANSFORMERS[0], options: '' }] })}>
            {t('form.transformerAdd')}
          </Button>
        )}
        <Button variant="ghost" className="px-2 py-1" onClick={draft.transformersRaw ? asRows : asJSON} data-testid="transformers-mode">
          {t(draft.transformersRaw ? 'form.transformersAsList' : 'form.transformersAsJSON')}
        </Button>
      </div>
    </div>
  )
}

/** Timeouts and balancing: first-byte timeout, priority, weight. */
export function LimitsEditor({ draft, set, fieldError }: { draft: Draft; set: (patch: Partial<Draft>) => void; fieldError: (f: string) => string | undefined }) {
  const { t } = useTranslation()
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <Field label={t('form.timeout')} field="timeout_ms" error={fieldError('timeout_ms')} help={t('form.timeoutHelp')}>
        <input className="input" type="number" min={0} step={1000} value={draft.timeoutMS} onChange={(e) => set({ timeoutMS: e.target.value })}
          aria-invalid={!!fieldError('timeout_ms')} data-testid="channel-timeout-input" />
      </Field>
      <Field label={t('form.priority')} error={fieldError('priority')} help={t('form.priorityHelp')} field="priority">
        <input className="input" type="number" min={0} step={1} value={draft.priority} onChange={(e) => set({ priority: e.target.value })}
          aria-invalid={!!fieldError('priority')} data-testid="channel-priority-input" />
      </Field>
      <Field label={t('form.weight')} error={fieldError('weight')} help={t('form.weightHelp')} field="weight">
        <input className="input" type="number" min={1} step={1} value={draft.weight} onChange={(e) => set({ weight: e.target.value })}
          aria-invalid={!!fieldError('weight')} data-testid="channel-weight-input" />
      </Field>
    </div>
  )
}
