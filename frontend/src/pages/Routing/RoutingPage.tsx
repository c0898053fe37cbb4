import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client'
import { errorMessage, fieldErrorMessage } from '../../api/errors'
import { useChannels, useRoutes, useSaveRoutes } from '../../api/queries'
import { SCENARIOS, STRATEGIES, type Routes } from '../../api/types'
import { Button } from '../../components/Button'
import { ErrorBox, Field, PageHeader, card } from '../../components/ui'
import { ExplainBox } from './ExplainBox'
import { RulesEditor } from './RulesEditor'
import { TargetsEditor } from './TargetsEditor'

export function RoutingPage() {
  const { t } = useTranslation()
  const routes = useRoutes()
  const channels = useChannels()
  const save = useSaveRoutes()
  const [draft, setDraft] = useState<Routes | null>(null)
  const [saved, setSaved] = useState(false)

  // The draft starts as the stored routes once they arrive (state adjusted
  // during render, not in an effect: no extra render with an empty page).
  if (routes.data && !draft) setDraft(routes.data)

  if (routes.isError) return <ErrorBox error={routes.error} onRetry={() => void routes.refetch()} />
  if (!draft) return <p className="text-sm text-slate-500">{t('common.loading')}</p>

  const fields = save.error instanceof ApiError ? save.error.fields : {}
  const fe = (k: string) => (fields[k] ? fieldErrorMessage(t, fields[k]) : undefined)
  const scenarioError = (s: string) =>
    Object.entries(fields).filter(([k]) => k === `routes.${s}` || k.startsWith(`routes.${s}[`)).map(([, v]) => fieldErrorMessage(t, v))[0]
  const set = (patch: Partial<Routes>) => {
    setSaved(false)
    setDraft((d) => (d ? { ...d, ...patch } : d))
  }
  const list = channels.data ?? []

  return (
    <section className="space-y-6" data-testid="routing-page">
      <PageHeader
        title={t('routing.title')}
        subtitle={t('routing.subtitle')}
        actions={
          <>
            {saved && <span className="text-sm text-emerald-600 dark:text-emerald-400" role="status" data-testid="routing-saved">{t('routing.saved')}</span>}
            <Button disabled={save.isPending} onClick={() => { setDraft(routes.data ?? null); save.reset(); setSaved(false) }}>{t('routing.revert')}</Button>
            <Button variant="primary" disabled={save.isPending} data-testid="routing-save"
              onClick={() => save.mutate(draft, { onSuccess: (r) => { setSaved(true); if (r && 'routes' in r) setDraft(r) } })}>
              {save.isPending ? t('form.submitting') : t('routing.save')}
            </Button>
          </>
        }
      />
      {save.error && (
        <p role="alert" data-testid="routing-error"
          className="rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300">
          {t('routing.saveFailed', { message: errorMessage(t, save.error) })}
        </p>
      )}

      <ExplainBox />

      <section className={card + ' p-5'}>
        <h3 className="mb-4 text-base font-semibold">{t('routing.general')}</h3>
        <div className="grid gap-4 md:grid-cols-3">
          <Field label={t('routing.strategy')} field="strategy" error={fe('strategy')} help={t('routing.strategyHelp')}>
            <select className="input" value={draft.strategy || 'priority'} onChange={(e) => set({ strategy: e.target.value })} data-testid="routing-strategy">
              {STRATEGIES.map((s) => <option key={s} value={s}>{t(`routing.strategies.${s}`)}</option>)}
            </select>
          </Field>
          <Field label={t('routing.longContext')} field="long_context_threshold" error={fe('long_context_threshold')} help={t('routing.longContextHelp')}>
            <input className="input" type="number" min={0} step={1000} value={draft.long_context_threshold || ''}
              onChange={(e) => set({ long_context_threshold: Number(e.target.value) || 0 })} data-testid="routing-threshold" />
          </Field>
          <Field label={t('routing.backgroundModel')} field="background_model" error={fe('background_model')} help={t('routing.backgroundModelHelp')}>
            <input className="input font-mono" value={draft.background_model ?? ''} placeholder={t('routing.backgroundPlaceholder')}
              onChange={(e) => set({ background_model: e.target.value })} data-testid="routing-background" />
          </Field>
        </div>
      </section>

      <section className="space-y-3">
        <h3 className="text-base font-semibold">{t('routing.scenariosTitle')}</h3>
        <div className="grid gap-4 xl:grid-cols-2">
          {SCENARIOS.map((s) => (
            <div key={s} className={card + ' p-4'} data-testid={`scenario-${s}`}>
              <div className="mb-3 flex items-start justify-between gap-3">
                <div>
                  <div className="font-medium">{t(`routing.scenarios.${s}`)}</div>
                  <p className="text-xs text-slate-500 dark:text-slate-400">{t(`routing.scenarioHelp.${s}`)}</p>
                </div>
                <select className="input w-40" aria-label={t('routing.strategy')} value={draft.strategies?.[s] ?? ''}
                  onChange={(e) => set({ strategies: { ...draft.strategies, [s]: e.target.value || undefined } })}>
                  <option value="">{t('routing.inherit')}</option>
                  {STRATEGIES.map((x) => <option key={x} value={x}>{t(`routing.strategies.${x}`)}</option>)}
                </select>
              </div>
              <TargetsEditor targets={draft.routes?.[s] ?? []} channels={list} testId={`targets-${s}`} error={scenarioError(s)}
                onChange={(targets) => set({ routes: { ...draft.routes, [s]: targets } })} />
            </div>
          ))}
        </div>
      </section>

      <section className="space-y-3">
        <h3 className="text-base font-semibold">{t('routing.rules.title')}</h3>
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('routing.rules.hint')}</p>
        <RulesEditor rules={draft.rules ?? []} channels={list} fields={fields} onChange={(rules) => set({ rules })} />
      </section>
    </section>
  )
}
