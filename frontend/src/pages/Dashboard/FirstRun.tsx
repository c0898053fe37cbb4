import { useTranslation } from 'react-i18next'
import type { Channel, Clients } from '../../api/types'
import { Button } from '../../components/Button'
import { card } from '../../components/ui'
import { navigate } from '../../lib/router'
import { ClientCard, useAttach } from '../Tools/ClientCard'

/** The three steps to a first request, and whether each is done. */
export function firstRunSteps(channels: Channel[], clients: Clients | undefined, requests: number) {
  return {
    add: channels.length > 0,
    attach: Object.values(clients ?? {}).some((c) => c?.status === 'attached'),
    watch: requests > 0,
  }
}

interface Props {
  channels: Channel[]
  clients?: Clients
  requests: number
}

/**
 * What a new user sees: add a channel, attach a coding tool, watch the
 * first request. Each step ticks off as it is done; "Attach Claude Code"
 * is offered once a channel exists. Gone when all three are done.
 */
export function FirstRun({ channels, clients, requests }: Props) {
  const { t } = useTranslation()
  const attach = useAttach('claude')
  const done = firstRunSteps(channels, clients, requests)
  const steps = ['add', 'attach', 'watch'] as const
  if (done.add && done.attach && done.watch) return null
  const empty = channels.length === 0
  return (
    <div className="space-y-6" data-testid="first-run">
      <section className={card + (empty ? ' p-8' : ' p-5')}>
        <h3 className={empty ? 'text-xl font-semibold' : 'text-base font-semibold'}>{t(empty ? 'dashboard.firstRun.title' : 'dashboard.firstRun.nextTitle')}</h3>
        {empty && <p className="mt-2 max-w-2xl text-sm text-slate-600 dark:text-slate-400">{t('dashboard.firstRun.body')}</p>}
        <ol className="mt-4 grid gap-4 md:grid-cols-3">
          {steps.map((s, i) => (
            <li key={s} className={'rounded-xl border p-4 ' + (done[s] ? 'border-emerald-300 dark:border-emerald-800' : 'border-slate-200 dark:border-slate-800')}
              data-testid={`first-run-step-${s}`} data-done={done[s]}>
              <div className={'mb-2 grid size-7 place-items-center rounded-full text-sm font-semibold ' +
                (done[s] ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300' : 'bg-indigo-100 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300')}>
                {done[s] ? <span aria-label={t('dashboard.firstRun.done')}>✓</span> : i + 1}
              </div>
              <div className="text-sm font-medium">{t(`dashboard.firstRun.steps.${s}.title`)}</div>
              <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{t(`dashboard.firstRun.steps.${s}.body`)}</p>
              {s === 'add' && !done.add && (
                <Button variant="primary" className="mt-3" onClick={() => navigate('channels')} data-testid="first-run-add">
                  {t('dashboard.firstRun.action')}
                </Button>
              )}
              {s === 'attach' && !done.attach && done.add && (
                <div className="mt-3 flex flex-wrap gap-2">
                  <Button variant="primary" disabled={attach.isPending} onClick={() => attach.mutate(true)} data-testid="first-run-attach">
                    {t('dashboard.claude.attach')}
                  </Button>
                  <Button variant="ghost" onClick={() => navigate('tools')}>{t('dashboard.firstRun.otherTools')}</Button>
                </div>
              )}
            </li>
          ))}
        </ol>
      </section>
      {empty && <ClientCard name="claude" compact />}
    </div>
  )
}
