import { useState } from 'react'
import { useMutation } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type { ModelList } from '../../api/types'
import { errorMessage } from '../../api/errors'
import { Button } from '../../components/Button'

/** The id of the <datalist> of the provider's models, for any model input (slots, model-map targets). */
export const PROVIDER_MODELS_LIST = 'provider-models'

interface Props {
  /** Asks the provider for its model list (the saved channel's cache, or a draft's). */
  fetch(): Promise<ModelList>
  /** The channel's models now; picked ones are shown as such. */
  selected: string[]
  onToggle: (model: string) => void
  /** Called with the fetched list, so other fields can offer it. */
  onFetched?: (models: string[]) => void
}

/** "Fetch models": the provider's own list, to pick the channel's models from, and a datalist for other model fields. */
export function ModelPicker({ fetch, selected, onToggle, onFetched }: Props) {
  const { t } = useTranslation()
  const [filter, setFilter] = useState('')
  const list = useMutation({ mutationFn: fetch, onSuccess: (l) => onFetched?.(l.models) })
  const models = list.data?.models ?? []
  const shown = models.filter((m) => m.toLowerCase().includes(filter.trim().toLowerCase()))
  return (
    <div className="space-y-2 sm:col-span-2" data-testid="model-picker">
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={() => list.mutate()} disabled={list.isPending} data-testid="fetch-models">
          {list.isPending ? t('accounts.models.fetching') : t('accounts.models.fetch')}
        </Button>
        {models.length > 0 && (
          <>
            <input className="input max-w-[14rem] py-1 text-sm" value={filter} onChange={(e) => setFilter(e.target.value)}
              placeholder={t('accounts.models.filter')} aria-label={t('accounts.models.filter')} data-testid="model-filter" />
            <span className="text-xs text-slate-500 dark:text-slate-400" data-testid="model-count">
              {t('accounts.models.count', { count: models.length })}
            </span>
          </>
        )}
      </div>
      {list.isError && (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400">{t('accounts.models.failed', { message: errorMessage(t, list.error) })}</p>
      )}
      {list.data?.error ? (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400" data-testid="models-error">{t('accounts.models.failed', { message: list.data.error })}</p>
      ) : null}
      {list.isSuccess && !list.data.error && models.length === 0 && (
        <p className="text-xs text-slate-600 dark:text-slate-400">{t('accounts.models.empty')}</p>
      )}
      {shown.length > 0 && (
        <div className="flex max-h-40 flex-wrap gap-1 overflow-y-auto rounded-lg border border-slate-200 p-2 dark:border-slate-800" data-testid="model-options">
          {shown.map((m) => {
            const on = selected.includes(m)
            return (
              <button key={m} type="button" aria-pressed={on} onClick={() => onToggle(m)} data-testid="model-option" data-model={m}
                className={'rounded px-1.5 py-0.5 font-mono text-xs ring-1 ring-inset ' +
                  (on ? 'bg-indigo-600 text-white ring-indigo-600' : 'bg-white text-slate-700 ring-slate-300 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-700')}>
                {m}
              </button>
            )
          })}
        </div>
      )}
      <datalist id={PROVIDER_MODELS_LIST}>
        {[...new Set([...selected, ...models])].map((m) => <option key={m} value={m} />)}
      </datalist>
    </div>
  )
}
