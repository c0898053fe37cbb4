import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ApiKey } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { isMissing, useKeys, useRevokeKey } from '../../api/queries'
import { Button } from '../../components/Button'
import { ErrorBox, Notice, PageHeader } from '../../components/ui'
import { KeyDialog } from './KeyDialog'
import { KeyTable } from './KeyTable'

type DialogState = { mode: 'create' } | { mode: 'edit'; key: ApiKey } | null

/** Keys per person: each member of a team gets a key of their own, with limits and a budget, revocable at once. */
export function KeysPage() {
  const { t } = useTranslation()
  const keys = useKeys()
  const revoke = useRevokeKey()
  const [dialog, setDialog] = useState<DialogState>(null)
  const [confirming, setConfirming] = useState<number | null>(null)
  const [notice, setNotice] = useState<string | null>(null)

  const open = (d: DialogState) => {
    setNotice(null)
    setDialog(d)
  }

  return (
    <section className="space-y-6" data-testid="keys-page">
      <PageHeader
        title={t('keys.title')}
        subtitle={t('keys.subtitle')}
        actions={
          <Button variant="primary" onClick={() => open({ mode: 'create' })} data-testid="key-create">
            <span aria-hidden="true">+</span>
            {t('keys.create')}
          </Button>
        }
      />

      {notice && (
        <p role="status" data-testid="key-notice"
          className="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-300">
          {notice}
        </p>
      )}
      {revoke.error && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{errorMessage(t, revoke.error)}</p>}

      {dialog && (
        <KeyDialog
          key={dialog.mode === 'edit' ? `edit-${dialog.key.id}` : 'create'}
          apiKey={dialog.mode === 'edit' ? dialog.key : undefined}
          onCancel={() => setDialog(null)}
          onDone={(name, created) => {
            setDialog(null)
            setNotice(t(created ? 'keys.created' : 'keys.saved', { name }))
          }}
        />
      )}

      {keys.isPending ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('common.loading')}</p>
      ) : keys.isError ? (
        isMissing(keys.error) ? <Notice testId="keys-missing">{t('keys.missing')}</Notice> : (
          <ErrorBox error={keys.error} onRetry={() => void keys.refetch()} testId="keys-error" />
        )
      ) : keys.data.length === 0 ? (
        <Notice testId="keys-empty">{t('keys.empty')}</Notice>
      ) : (
        <KeyTable
          keys={keys.data}
          confirming={confirming}
          revoking={revoke.isPending}
          onEdit={(k) => open({ mode: 'edit', key: k })}
          onAskRevoke={(k) => setConfirming(k?.id ?? null)}
          onRevoke={(k) => revoke.mutate(k.id, {
            onSuccess: () => setNotice(t('keys.revoked', { name: k.name })),
            onSettled: () => setConfirming(null),
          })}
        />
      )}
      <p className="text-xs text-slate-500 dark:text-slate-400">{t('keys.footnote')}</p>
    </section>
  )
}
