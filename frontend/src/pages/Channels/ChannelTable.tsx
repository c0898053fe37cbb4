import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/client'
import { ChannelRow } from './ChannelRow'

export function ChannelTable({ channels }: { channels: Channel[] }) {
  const { t } = useTranslation()
  const sorted = [...channels].sort((a, b) => a.priority - b.priority || a.id - b.id)
  const th = 'px-4 py-2.5 text-left text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400'
  return (
    <div className="overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full divide-y divide-slate-200 dark:divide-slate-800" data-testid="channel-table">
        <thead className="bg-slate-50/60 dark:bg-slate-900">
          <tr>
            <th scope="col" className={th}>{t('channels.columns.name')}</th>
            <th scope="col" className={th}>{t('channels.columns.type')}</th>
            <th scope="col" className={th}>{t('channels.columns.baseUrl')}</th>
            <th scope="col" className={th}>{t('channels.columns.models')}</th>
            <th scope="col" className={th}>{t('channels.columns.priority')}</th>
            <th scope="col" className={th}>{t('channels.columns.enabled')}</th>
            <th scope="col" className={th + ' text-right'}>{t('channels.columns.actions')}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {sorted.map((c) => (
            <ChannelRow key={c.id} channel={c} />
          ))}
        </tbody>
      </table>
    </div>
  )
}
