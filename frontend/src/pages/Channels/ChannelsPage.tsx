import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, type Channel } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { useChannels, useDuplicateChannel } from '../../api/queries'
import { Button } from '../../components/Button'
import { ErrorBox, PageHeader } from '../../components/ui'
import { ChannelDialog } from './ChannelDialog'
import { ChannelList } from './ChannelList'
import type { TestState } from './ChannelRow'
import { EmptyState } from './EmptyState'
import { TestAllButton } from './TestAllButton'
import { BalanceChip } from './BalanceChip'
import { LatencyCell } from './LatencyCell'

type DialogState = { mode: 'add' } | { mode: 'edit'; channel: Channel } | null

export function ChannelsPage() {
  const { t } = useTranslation()
  const channels = useChannels()
  const duplicate = useDuplicateChannel()
  const [dialog, setDialog] = useState<DialogState>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [tests, setTests] = useState<Record<number, TestState | undefined>>({})
  const [now, setNow] = useState(() => Date.now())

  // Countdowns ("retrying in 25 sec") follow the clock.
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(id)
  }, [])

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
  // Duplicate copies the channel on the server, keys included, then opens the copy to rename it.
  const copy = (c: Channel) =>
    duplicate.mutate(c.id, {
      onSuccess: (created) => {
        setNotice(t('channels.duplicated', { name: created.name, from: c.name }))
        setDialog({ mode: 'edit', channel: created })
      },
    })

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
      {duplicate.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400" data-testid="duplicate-error">
          {t('channels.actionFailed', { message: errorMessage(t, duplicate.error) })}
        </p>
      )}
      {dialog && (
        <ChannelDialog
          key={dialog.mode === 'edit' ? `edit-${dialog.channel.id}` : 'add'}
          channel={dialog.mode === 'edit' ? dialog.channel : undefined}
          onCancel={() => setDialog(null)}
          onDone={(name, created) => {
            setDialog(null)
            setNotice(t(created ? 'form.created' : 'form.saved', { name }))
          }}
        />
      )}
      {channels.isPending ? (
        <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="channels-loading">{t('channels.loading')}</p>
      ) : channels.isError ? (
        <ErrorBox error={channels.error} onRetry={() => void channels.refetch()} testId="channels-error" />
      ) : channels.data.length === 0 ? (
        !dialog && <EmptyState onAdd={() => open({ mode: 'add' })} />
      ) : (
        <ChannelList
          channels={channels.data}
          now={now}
          tests={tests}
          onTest={(c) => void runTest(c)}
          onEdit={(c) => open({ mode: 'edit', channel: c })}
          onDuplicate={copy}
          slots={{
            balance: (c) => <BalanceChip channel={c} now={now} />,
            latency: (c) => <LatencyCell channel={c} />,
          }}
        />
      )}
    </section>
  )
}
