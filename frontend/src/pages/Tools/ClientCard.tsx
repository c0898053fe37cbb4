import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { backupsKey, clientsKey, isMissing, useClients } from '../../api/queries'
import type { ClientName } from '../../api/types'
import { Button } from '../../components/Button'
import { Badge, card } from '../../components/ui'

/** Attach and detach hooks for one coding tool, shared by its card and the first-run steps. */
export function useAttach(name: ClientName) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (on: boolean) => (on ? api.attachClient(name) : api.detachClient(name)),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: clientsKey })
      void qc.invalidateQueries({ queryKey: backupsKey })
    },
  })
}

/** One coding tool (Claude Code, Codex CLI, Gemini CLI): its status, its settings file, attach and detach. */
export function ClientCard({ name, compact = false }: { name: ClientName; compact?: boolean }) {
  const { t } = useTranslation()
  const clients = useClients()
  const attach = useAttach(name)
  if (clients.isPending || (clients.isError && isMissing(clients.error)) || !clients.data) return null
  const client = clients.data[name]
  if (!client) return null // an engine from before this tool was supported
  const attached = client.status === 'attached'
  return (
    <section className={card + (compact ? ' p-4' : ' p-5')} data-testid={`${name}-card`} data-status={client.status}>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="text-base font-semibold">{t(`dashboard.${name}.title`)}</h3>
            <Badge tone={attached ? 'green' : client.status === 'attached_elsewhere' ? 'amber' : client.status === 'error' ? 'red' : 'slate'}
              testId={`${name}-status`}>
              {t(`dashboard.${name}.status.${client.status}`)}
            </Badge>
          </div>
          {!compact && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t(attached ? `dashboard.${name}.undo` : `dashboard.${name}.explain`)}</p>}
          {client.path && <p className="mt-1 font-mono text-xs break-all text-slate-600 dark:text-slate-400" data-testid={`${name}-path`}>{client.path}</p>}
          {client.error && <p className="mt-1 text-sm text-amber-800 dark:text-amber-300">{client.error}</p>}
          {attach.error && (
            <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">{errorMessage(t, attach.error)}</p>
          )}
        </div>
        <Button variant={attached ? 'secondary' : 'primary'} disabled={attach.isPending} onClick={() => attach.mutate(!attached)} data-testid={`${name}-toggle`}>
          {t(attached ? `dashboard.${name}.detach` : `dashboard.${name}.attach`)}
        </Button>
      </div>
    </section>
  )
}
