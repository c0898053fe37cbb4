import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, type Channel } from '../../api/client'
import { useChannels } from '../../api/queries'
import { Button } from '../../components/Button'
import { ErrorBox, PageHeader } from '../../components/ui'
import { ChannelDialog, draftOf, type Draft } from './ChannelDialog'
import type { TestState } from './ChannelRow'
import { ChannelTable } from './ChannelTable'
import { EmptyState } from './EmptyState'
import { TestAllButton } from './TestAllButton'

type DialogState = { mode: 'add'; initial?: Draft } | { mode: 'edit'; channel: Channel } | null

export function ChannelsPage() {
  const { t } = useTranslation()
  const channels = useChannels()
  const [dialog, setDialog] = useState<DialogState>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [tests, setTests] = useState<Record<number, TestState | undefined>>({})
  const now = Date.now()

  const runTest = async (c: Channel) => {
    setTests((s) => ({ ...s, [c.id]: { pending: true } }))
    try {
      const result = await api.testChannel(c.id)
      setTests((s) => ({ ...s, [c.id]: { pending: false, result } }))
    } catch (error) {
      setTests((s) => ({ ...s, [c.id]: { pending: false, error } }))
    }
    void channels.refetch()
  }

  const open = (d: DialogState) => {
    setNotice(null)
    setDialog(d)
  }

  return (
    <section className="space-y-6" data-testid="channels-page">
      <PageHeader
        title={t('channels.title')}
        subtitle={t('channels.subtitle')}
        actions={
          <>
            {(channels.data?.length ?? 0) > 0 && (
              <TestAllButton channels={channels.data ?? []} run={runTest} />
            )}
            <Button variant="primary" onClick={() => open({ mode: 'add' })} data-testid="add-channel">
              <span aria-hidden="true">+</span>
              {t('channels.add')}
            </Button>
          </>
        }
      />

      {notice && (
        <p role="status" data-testid="notice"
          className="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-300">
          {notice}
        </p>
      )}

      {dialog && (
        <ChannelDialog
          key={dialog.mode === 'edit' ? `edit-${dialog.channel.id}` : 'add'}
          channel={dialog.mode === 'edit' ? dialog.channel : undefined}
          initial={dialog.mode === 'add' ? dialog.initial : undefined}
          onCancel={() => setDialog(null)}
          onDone={(name, created) => {
            setDialog(null)
            setNotice(t(created ? 'form.created' : 'form.saved', { name }))
          }}
        />
      )}

      {channels.isPending ? (
        <p className="text-sm text-slate-500" data-testid="channels-loading">{t('channels.loading')}</p>
      ) : channels.isError ? (
        <ErrorBox error={channels.error} onRetry={() => void channels.refetch()} testId="channels-error" />
      ) : channels.data.length === 0 ? (
        !dialog && <EmptyState onAdd={() => open({ mode: 'add' })} />
      ) : (
        <ChannelTable
          channels={channels.data}
          now={now}
          tests={tests}
          onTest={(c) => void runTest(c)}
          onEdit={(c) => open({ mode: 'edit', channel: c })}
          onDuplicate={(c) => open({ mode: 'add', initial: draftOf(c, true) })}
        />
      )}
    </section>
  )
}
