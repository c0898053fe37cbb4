import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/types'
import { errorMessage } from '../../api/errors'
import { useSetActive } from '../../api/queries'
import { HealthDot, useActiveView } from '../../components/ActiveProvider'
import { Button } from '../../components/Button'
import { card } from '../../components/ui'
import { healthWords } from '../../lib/words'

/** The dashboard's switcher: which channel (and model) the coding tools talk to, and how it is doing. */
export function ActiveSwitcher({ channels, now }: { channels: Channel[]; now: number }) {
  const { t, i18n } = useTranslation()
  const view = useActiveView()
  const set = useSetActive()
  const enabled = channels.filter((c) => c.enabled)
  const [pick, setPick] = useState<{ id: number; model: string } | null>(null)
  const id = pick?.id ?? view.channel?.id ?? enabled[0]?.id ?? 0
  const chosen = channels.find((c) => c.id === id)
  const model = pick ? pick.model : chosen?.id === view.channel?.id ? view.picked : ''
  const w = view.channel ? healthWords(t, view.channel, now, i18n.language) : null
  const changed = chosen !== undefined && (chosen.id !== view.channel?.id || model !== view.picked)
  return (
    <section className={card + ' p-5'} data-testid="active-switcher">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h3 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{t('active.title')}</h3>
          {view.channel ? (
            <p className="mt-1 flex flex-wrap items-center gap-2 text-lg font-semibold" data-testid="active-switcher-current">
              <HealthDot tone={w?.tone ?? 'slate'} />
              <span>{view.channel.name}</span>
              <span className="font-mono text-sm font-normal text-slate-600 dark:text-slate-400">{view.model || t('active.asRequested')}</span>
              <span className="text-sm font-normal text-slate-600 dark:text-slate-400">{w?.label}</span>
            </p>
          ) : (
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t('active.none')}</p>
          )}
        </div>
        <div className="flex flex-wrap items-end gap-2">
          <label className="space-y-1 text-xs text-slate-600 dark:text-slate-400">
            <span className="block">{t('active.channel')}</span>
            <select className="input w-44" value={id} onChange={(e) => setPick({ id: Number(e.target.value), model: '' })} data-testid="switcher-channel">
              {enabled.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </label>
          <label className="space-y-1 text-xs text-slate-600 dark:text-slate-400">
            <span className="block">{t('active.model')}</span>
            <select className="input w-56" value={model} onChange={(e) => setPick({ id, model: e.target.value })} data-testid="switcher-model">
              <option value="">{chosen?.models?.[0] ? t('active.defaultModel', { model: chosen.models[0] }) : t('active.asRequested')}</option>
              {(chosen?.models ?? []).slice(1).map((m) => <option key={m} value={m}>{m}</option>)}
            </select>
          </label>
          <Button variant="primary" disabled={!changed || set.isPending} data-testid="switcher-apply"
            onClick={() => chosen && set.mutate({ channelId: chosen.id, model }, { onSuccess: () => setPick(null) })}>
            {t('active.switch')}
          </Button>
        </div>
      </div>
      {set.error && <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">{errorMessage(t, set.error)}</p>}
    </section>
  )
}

/**
 * Says so when the active provider is failing and requests go elsewhere:
 * which channel answers instead, and since when it is paused.
 */
export function FailoverBanner({ channels, now, servedBy }: { channels: Channel[]; now: number; servedBy: string[] }) {
  const { t, i18n } = useTranslation()
  const view = useActiveView()
  const ch = view.channel
  if (!ch) return null
  const w = healthWords(t, ch, now, i18n.language)
  const trouble = w.status === 'paused' || w.status === 'retrying' || w.status === 'failing' || w.status === 'rate_limited'
  if (!trouble) return null
  const other = servedBy.find((n) => n !== ch.name && channels.some((c) => c.name === n))
  return (
    <div role="alert" data-testid="failover-banner"
      className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
      <p className="font-medium">{t('dashboard.failover.title', { name: ch.name, status: w.label })}</p>
      <p className="mt-1">
        {other ? t('dashboard.failover.elsewhere', { other }) : t('dashboard.failover.nowhere')}
        {ch.health?.last_error ? ` ${t('dashboard.failover.lastError', { message: ch.health.last_error })}` : ''}
      </p>
    </div>
  )
}
