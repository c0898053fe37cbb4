import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Preset } from '../../api/types'
import { presetAbout, presetName, searchPresets } from './presets'

/** The provider list of the add form: searchable, by group, each with its docs and key links. */
export function PresetPicker({ selected, onPick }: { selected: string; onPick: (p: Preset | null) => void }) {
  const { t } = useTranslation()
  const [query, setQuery] = useState('')
  const groups = searchPresets(query, t)
  return (
    <div className="space-y-2" data-testid="preset-picker">
      <input type="search" className="input" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('form.presetSearch')}
        aria-label={t('form.presetSearch')} data-testid="preset-search" />
      <div className="max-h-56 space-y-3 overflow-y-auto rounded-lg border border-slate-200 p-2 dark:border-slate-700" role="group"
        aria-label={t('form.preset')}>
        {groups.length === 0 && <p className="px-2 py-3 text-sm text-slate-600 dark:text-slate-400">{t('form.presetNoMatch')}</p>}
        {groups.map((g) => (
          <div key={g.group}>
            <div className="px-2 pb-1 text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400">
              {t(`presets.groups.${g.group}`)}
            </div>
            <div className="grid gap-1 sm:grid-cols-2">
              {g.presets.map((p) => (
                <button key={p.id} type="button" aria-pressed={selected === p.id} onClick={() => onPick(selected === p.id ? null : p)}
                  data-testid={`preset-${p.id}`}
                  className={
                    'min-w-0 rounded-lg border px-3 py-2 text-left text-sm transition-colors focus-visible:outline-2 focus-visible:outline-indigo-500 ' +
                    (selected === p.id
                      ? 'border-indigo-500 bg-indigo-50 dark:border-indigo-400 dark:bg-indigo-950'
                      : 'border-transparent hover:bg-slate-100 dark:hover:bg-slate-800')
                  }>
                  <span className="block truncate font-medium">{presetName(p, t)}</span>
                  <span className="block truncate text-xs text-slate-600 dark:text-slate-400">{presetAbout(p, t)}</span>
                </button>
              ))}
            </div>
          </div>
        ))}
      </div>
    </div>
  )
}

/** The selected preset's links: its documentation and where to get a key. */
export function PresetLinks({ preset }: { preset: Preset }) {
  const { t } = useTranslation()
  const link = 'text-indigo-700 underline underline-offset-2 hover:text-indigo-900 dark:text-indigo-300 dark:hover:text-indigo-200'
  return (
    <span className="flex flex-wrap gap-x-4 gap-y-1 text-xs" data-testid="preset-links">
      <a className={link} href={preset.docs_url} target="_blank" rel="noreferrer" data-testid="preset-docs">{t('form.presetDocs')}</a>
      {preset.key_url && (
        <a className={link} href={preset.key_url} target="_blank" rel="noreferrer" data-testid="preset-key-link">{t('form.presetGetKey')}</a>
      )}
      {!preset.needs_key && <span className="text-slate-600 dark:text-slate-400">{t('form.presetNoKey')}</span>}
    </span>
  )
}
