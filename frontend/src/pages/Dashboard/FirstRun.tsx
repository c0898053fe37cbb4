import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { isMissing, useClients } from '../../api/queries'
import type { ClientName } from '../../api/types'
import { Button } from '../../components/Button'
import { Badge, card } from '../../components/ui'
import { navigate } from '../../lib/router'

/** Attaching one coding tool (Claude Code, Codex CLI): shown only when the engine has the clients API. */
export function ClientCard({ name }: { name: ClientName }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const clients = useClients()
  const attach = useMutation({
    mutationFn: (on: boolean) => (on ? api.attachClient(name) : api.detachClient(name)),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['clients'] }),
  })
  if (clients.isPending || (clients.isError && isMissing(clients.error)) || !clients.data) return null
  const client = clients.data[name]
  if (!client) return null // an engine from before this tool was supported
  const attached = client.status === 'attached'
  return (
    <section className={card + ' p-5'} data-testid={`${name}-card`}>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <h3 className="text-base font-semibold">{t(`dashboard.${name}.title`)}</h3>
            <Badge tone={attached ? 'green' : client.status === 'attached_elsewhere' ? 'amber' : 'slate'}>
              {t(`dashboard.${name}.status.${client.status}`)}
            </Badge>
          </div>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t(attached ? `dashboard.${name}.undo` : `dashboard.${name}.explain`)}</p>
          {client.path && <p className="mt-1 font-mono text-xs text-slate-500 dark:text-slate-400">{client.path}</p>}
          {client.error && <p className="mt-1 text-sm text-amber-700 dark:text-amber-400">{client.error}</p>}
          {attach.error && (
            <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">{errorMessage(t, attach.error)}</p>
          )}
        </div>
        <Button variant={attached ? 'secondary' : 'primary'} disabled={attach.isPending} onClick={() => attach.mutate(!attached)} data-testid={`${name}-toggle`}>
          {t(attached ? `dashboard.${name}.detach` : `dashboard.${name}.attach`)}
        </Button>
      </div>
    </section>
  )
}

/** The tools a user can attach from the dashboard, one card each. */
export function ClientCards() {
  return (
    <>
      <ClientCard name="claude" />
      <ClientCard name="codex" />
    </>
  )
}

/** What a new user sees before any channel exists: the three steps to a first request. */
export function FirstRun() {
  const { t } = useTranslation()
  const steps = ['add', 'attach', 'watch'] as const
  return (
    <div className="space-y-6" data-testid="first-run">
      <section className={card + ' p-8'}>
        <h3 className="text-xl font-semibold">{t('dashboard.firstRun.title')}</h3>
        <p className="mt-2 max-w-2xl text-sm text-slate-600 dark:text-slate-400">{t('dashboard.firstRun.body')}</p>
        <ol className="mt-6 grid gap-4 md:grid-cols-3">
          {steps.map((s, i) => (
            <li key={s} className="rounded-xl border border-slate-200 p-4 dark:border-slate-800">
              <div className="mb-2 grid size-7 place-items-center rounded-full bg-indigo-100 text-sm font-semibold text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300">
                {i + 1}
              </div>
              <div className="text-sm font-medium">{t(`dashboard.firstRun.steps.${s}.title`)}</div>
              <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">{t(`dashboard.firstRun.steps.${s}.body`)}</p>
            </li>
          ))}
        </ol>
        <Button variant="primary" className="mt-6" onClick={() => navigate('channels')} data-testid="first-run-add">
          {t('dashboard.firstRun.action')}
        </Button>
      </section>
      <ClientCards />
    </div>
  )
}
