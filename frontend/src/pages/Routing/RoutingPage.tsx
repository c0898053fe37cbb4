import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client'
import { errorMessage, fieldErrorMessage } from '../../api/errors'
import { useChannels, useRoutes, useSaveRoutes } from '../../api/queries'
import { SCENARIOS, STRATEGIES, type Routes } from '../../api/types'
import { Button } from '../../components/Button'
import { ErrorBox, Field, PageHeader, card } from '../../components/ui'
import { useUnsavedEdits } from '../../lib/router'
import { ExplainBox } from './ExplainBox'
import { RulesEditor } from './RulesEditor'
import { TargetsEditor } from './TargetsEditor'
import { mergeRoutes, routesKey } from './targets'

/**
 * Routes, strategies and rules. The form follows the server while it has
 * no edits (a switch from the tray or the CLI shows at once); with edits,
 * a change made elsewhere is announced, and saving puts only the user's
 * edits on top of it, never undoing it.
 */
export function RoutingPage() {
  const { t } = useTranslation()
  const routes = useRoutes()
  const channels = useChannels()
  const save = useSaveRoutes()
  const [seen, setSeen] = useState<Routes | undefined>(undefined)
  const [base, setBase] = useState<Routes | null>(null)
  const [draft, setDraft] = useState<Routes | null>(null)
  const [saved, setSaved] = useState(false)
  const server = routes.data
  const dirty = !!draft && !!base && routesKey(draft) !== routesKey(base)

  // Each new copy from the server (after a change event, on focus) becomes
  // the form when the form has no edits (state adjusted during render).
  if (server && server !== seen) {
    setSeen(server)
    if (!dirty) {
      setBase(server)
      setDraft(server)
    }
  }
  useUnsavedEdits(dirty)

  if (routes.isError) return <ErrorBox error={routes.error} onRetry={() => void routes.refetch()} />
  if (!draft || !base) return <p className="text-sm text-slate-600 dark:text-slate-400">{t('common.loading')}</p>

  const elsewhere = dirty && !!server && routesKey(server) !== routesKey(base)
  const fields = save.error instanceof ApiError ? save.error.fields : {}
  const fe = (k: string) => (fields[k] ? fieldErrorMessage(t, fields[k]) : undefined)
  const scenarioError = (s: string) =>
    Object.entries(fields).filter(([k]) => k === `routes.${s}` || k.startsWith(`routes.${s}[`)).map(([, v]) => fieldErrorMessage(t, v))[0]
  const set = (patch: Partial<Routes>) => {
    setSaved(false)
    setDraft((d) => (d ? { ...d, ...patch } : d))
  }
  const discard = () => {
    save.reset()
    setSaved(false)
    if (server) {
      setBase(server)
      setDraft(server)
    }
  }
  const submit = () => {
    const body = server && elsewhere ? mergeRoutes(base, draft, server) : draft
    save.mutate(body, {
      onSuccess: (r) => {
        setSaved(true)
        const next = r && 'routes' in r ? r : body
        setBase(next)
        setDraft(next)
      },
    })
  }
  const list = channels.data ?? []

  return (
    <section className="space-y-6" data-testid="routing-page" data-dirty={dirty}>
      <PageHeader
        title={t('routing.title')}
        subtitle={t('routing.subtitle')}
        actions={
          <>
            {saved && !dirty && <span className="text-sm text-emerald-700 dark:text-emerald-400" role="status" data-testid="routing-saved">{t('routing.saved')}</span>}
            <Button variant="primary" disabled={!dirty || save.isPending} data-testid="routing-save" onClick={submit}>
              {save.isPending ? t('form.submitting') : t('routing.save')}
            </Button>
          </>
        }
      />
      {elsewhere && (
        <div role="alert" data-testid="routing-elsewhere"
          className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          <span className="min-w-0 flex-1">{t('routing.elsewhere')}</span>
          <Button onClick={discard} data-testid="routing-reload">{t('routing.reload')}</Button>
        </div>
      )}
      {save.error && (
        <p role="alert" data-testid="routing-error"
          className="rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300">
          {t('routing.saveFailed', { message: errorMessage(t, save.error) })}
        </p>
      )}

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
            <div key={s} className={card + ' min-w-0 p-4'} data-testid={`scenario-${s}`}>
              <div className="mb-3 flex flex-wrap items-start justify-between gap-3">
                <div className="min-w-0 flex-1">
                  <div className="font-medium">{t(`routing.scenarios.${s}`)}</div>
                  <p className="text-xs text-slate-600 dark:text-slate-400">{t(`routing.scenarioHelp.${s}`)}</p>
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

      <ExplainBox />

      {dirty && (
        <div className="sticky bottom-4 z-20 flex flex-wrap items-center justify-between gap-3 rounded-xl border border-indigo-300 bg-white/95 px-4 py-3 shadow-lg backdrop-blur dark:border-indigo-800 dark:bg-slate-900/95"
          data-testid="unsaved-bar" role="region" aria-label={t('routing.unsaved')}>
          <span className="text-sm font-medium">{t('routing.unsaved')}</span>
          <span className="flex gap-2">
            <Button onClick={discard} disabled={save.isPending} data-testid="routing-discard">{t('routing.discard')}</Button>
            <Button variant="primary" onClick={submit} disabled={save.isPending} data-testid="routing-save-bar">
              {save.isPending ? t('form.submitting') : t('routing.save')}
            </Button>
          </span>
        </div>
      )}
    </section>
  )
}
