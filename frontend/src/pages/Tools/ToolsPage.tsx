import { useState } from 'react'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { backupsKey, clientsKey, isMissing, useBackups } from '../../api/queries'
import { CLIENT_NAMES, type Backup, type ImportResult } from '../../api/types'
import { Button } from '../../components/Button'
import { ConfirmDialog, Notice, PageHeader, card } from '../../components/ui'
import { formatTime } from '../../lib/format'
import { ClientCard } from './ClientCard'

/** Export the channels and routes to a file (keys only when asked), import a Routex, claude-code-router or cc-switch file. */
function Transfer() {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [withKeys, setWithKeys] = useState(false)
  const [file, setFile] = useState<File | null>(null)
  const [plan, setPlan] = useState<ImportResult | null>(null)
  const [exported, setExported] = useState('')
  const exp = useMutation({
    mutationFn: () => api.exportFile(withKeys),
    onSuccess: (doc) => {
      const text = JSON.stringify(doc, null, 2) + '\n'
      setExported(text)
      const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }))
      const a = document.createElement('a')
      a.href = url
      a.download = 'routex-export.json'
      a.click()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    },
  })
  const imp = useMutation({
    mutationFn: ({ f, dry }: { f: File; dry: boolean }) => api.importFile(f, dry),
    onSuccess: (r) => {
      setPlan(r)
      if (!r.dry_run) void qc.invalidateQueries()
    },
  })
  const stepText = (s: ImportResult['steps'][number]) => {
    switch (s.kind) {
      case 'add':
      case 'update':
        return t(`tools.import.steps.${s.kind}`, { name: s.name ?? '', type: s.type ?? '', url: s.url ?? '' })
      case 'route':
        return t('tools.import.steps.route', { scenario: s.scenario ?? '', targets: (s.targets ?? []).join(' → ') })
      default:
        return t(`tools.import.steps.${s.kind}`)
    }
  }
  return (
    <section className={card + ' space-y-5 p-5'} data-testid="transfer">
      <h3 className="text-base font-semibold">{t('tools.transfer')}</h3>
      <div className="space-y-2">
        <div className="text-sm font-medium">{t('tools.export.title')}</div>
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('tools.export.help')}</p>
        <div className="flex flex-wrap items-center gap-3">
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" checked={withKeys} onChange={(e) => setWithKeys(e.target.checked)} data-testid="export-keys" />
            {t('tools.export.withKeys')}
          </label>
          <Button disabled={exp.isPending} onClick={() => exp.mutate()} data-testid="export">{t('tools.export.button')}</Button>
        </div>
        {exp.error && <p role="alert" className="text-sm text-red-700 dark:text-red-400">{errorMessage(t, exp.error)}</p>}
        {exported && (
          // A window that cannot download (the desktop app) still gets the file: copy it from here.
          <details className="rounded-lg border border-slate-200 dark:border-slate-800" data-testid="export-result">
            <summary className="cursor-pointer px-3 py-2 text-sm">{t('tools.export.show')}</summary>
            <textarea readOnly className="input h-40 rounded-none border-0 border-t font-mono text-xs" value={exported} aria-label={t('tools.export.title')} />
          </details>
        )}
      </div>
      <div className="space-y-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <div className="text-sm font-medium">{t('tools.import.title')}</div>
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('tools.import.help')}</p>
        <div className="flex flex-wrap items-center gap-3">
          <input type="file" className="max-w-full text-sm" aria-label={t('tools.import.file')} data-testid="import-file"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null
              setFile(f)
              setPlan(null)
              imp.reset()
              if (f) imp.mutate({ f, dry: true })
            }} />
          {file && plan?.dry_run && (
            <Button variant="primary" disabled={imp.isPending} onClick={() => imp.mutate({ f: file, dry: false })} data-testid="import-apply">
              {t('tools.import.apply')}
            </Button>
          )}
        </div>
        {imp.error && <p role="alert" className="text-sm break-words text-red-700 dark:text-red-400" data-testid="import-error">{errorMessage(t, imp.error)}</p>}
        {plan && (
          <div className="rounded-lg border border-slate-200 bg-slate-50 px-4 py-3 text-sm dark:border-slate-800 dark:bg-slate-950" data-testid="import-plan"
            data-dry-run={plan.dry_run}>
            <p className="font-medium">
              {t(plan.dry_run ? 'tools.import.preview' : 'tools.import.done', { source: plan.source, added: String(plan.added), updated: String(plan.updated) })}
            </p>
            <ul className="mt-2 list-inside list-disc space-y-0.5 text-slate-700 dark:text-slate-300">
              {plan.steps.map((s, i) => <li key={i} className="break-words">{stepText(s)}</li>)}
            </ul>
            {(plan.notes ?? []).map((n) => <p key={n} className="mt-1 text-amber-800 dark:text-amber-300">{n}</p>)}
          </div>
        )}
      </div>
    </section>
  )
}

/** The copies of each tool's settings file Routex took before changing it; any one can come back. */
function Backups() {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const backups = useBackups()
  const [confirm, setConfirm] = useState<Backup | null>(null)
  const restore = useMutation({
    mutationFn: (b: Backup) => api.restoreBackup(b),
    onSettled: () => {
      setConfirm(null)
      void qc.invalidateQueries({ queryKey: backupsKey })
      void qc.invalidateQueries({ queryKey: clientsKey })
    },
  })
  if (backups.isError && isMissing(backups.error)) return null
  const list = backups.data ?? []
  return (
    <section className={card + ' space-y-3 p-5'} data-testid="backups">
      <h3 className="text-base font-semibold">{t('tools.backups.title')}</h3>
      <p className="text-sm text-slate-600 dark:text-slate-400">{t('tools.backups.help')}</p>
      {list.length === 0 ? (
        <Notice testId="backups-empty">{t('tools.backups.empty')}</Notice>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {list.map((b) => (
            <li key={b.name} className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="backup-row">
              <div className="min-w-0">
                <div className="text-sm font-medium">{`${t(`dashboard.${b.client}.title`)} · ${formatTime(b.time, i18n.language)}`}</div>
                <div className="font-mono text-xs break-all text-slate-600 dark:text-slate-400">{b.file}</div>
              </div>
              <Button className="px-2 py-1" onClick={() => setConfirm(b)} data-testid="backup-restore">{t('tools.backups.restore')}</Button>
            </li>
          ))}
        </ul>
      )}
      {restore.error && <p role="alert" className="text-sm text-red-700 dark:text-red-400">{errorMessage(t, restore.error)}</p>}
      <ConfirmDialog open={confirm !== null} title={t('tools.backups.confirmTitle')} testId="restore-dialog"
        body={confirm ? t('tools.backups.confirmBody', { file: confirm.file, when: formatTime(confirm.time, i18n.language) }) : ''}
        confirm={t('tools.backups.restore')} pending={restore.isPending} onClose={() => setConfirm(null)}
        onConfirm={() => confirm && restore.mutate(confirm)} />
    </section>
  )
}

/** Coding tools, import/export and backups: what the CLI's claude/codex/gemini, import, export do, in the window. */
export function ToolsPage() {
  const { t } = useTranslation()
  return (
    <section className="space-y-6" data-testid="tools-page">
      <PageHeader title={t('tools.title')} subtitle={t('tools.subtitle')} />
      <div className="space-y-4" data-testid="client-cards">
        {CLIENT_NAMES.map((n) => <ClientCard key={n} name={n} />)}
      </div>
      <Transfer />
      <Backups />
    </section>
  )
}
