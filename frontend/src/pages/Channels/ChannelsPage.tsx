import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useChannels } from '../../api/queries'
import { errorMessage } from '../../api/errors'
import { Button } from '../../components/Button'
import { ChannelForm } from './ChannelForm'
import { ChannelTable } from './ChannelTable'
import { EmptyState } from './EmptyState'

export function ChannelsPage() {
  const { t } = useTranslation()
  const channels = useChannels()
  const [formOpen, setFormOpen] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)

  const openForm = () => {
    setNotice(null)
    setFormOpen(true)
  }

  return (
    <section className="space-y-6" data-testid="channels-page">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h2 className="text-2xl font-semibold tracking-tight">{t('channels.title')}</h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t('channels.subtitle')}</p>
        </div>
        {!formOpen && (
          <Button variant="primary" onClick={openForm} data-testid="add-channel">
            <span aria-hidden="true">+</span>
            {t('channels.add')}
          </Button>
        )}
      </div>

      {notice && (
        <p
          role="status"
          className="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-300"
          data-testid="notice"
        >
          {notice}
        </p>
      )}

      {formOpen && (
        <ChannelForm
          onCancel={() => setFormOpen(false)}
          onCreated={(name) => {
            setFormOpen(false)
            setNotice(t('form.created', { name }))
          }}
        />
      )}

      {channels.isPending ? (
        <p className="text-sm text-slate-500" data-testid="channels-loading">
          {t('channels.loading')}
        </p>
      ) : channels.isError ? (
        <div
          role="alert"
          className="flex items-center justify-between gap-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300"
          data-testid="channels-error"
        >
          <span>{t('channels.loadFailed', { message: errorMessage(t, channels.error) })}</span>
          <Button onClick={() => void channels.refetch()}>{t('channels.retry')}</Button>
        </div>
      ) : channels.data.length === 0 ? (
        !formOpen && <EmptyState onAdd={openForm} />
      ) : (
        <ChannelTable channels={channels.data} />
      )}
    </section>
  )
}
