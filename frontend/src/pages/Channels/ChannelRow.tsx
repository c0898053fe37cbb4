import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { useDeleteChannel, useUpdateChannel } from '../../api/queries'
import { Button } from '../../components/Button'
import { Switch } from '../../components/Switch'
import { TypeBadge } from './TypeBadge'

const MAX_MODELS_SHOWN = 3

export function ChannelRow({ channel }: { channel: Channel }) {
  const { t } = useTranslation()
  const update = useUpdateChannel()
  const remove = useDeleteChannel()
  const [confirming, setConfirming] = useState(false)
  const failure = update.error ?? remove.error
  const models = channel.models ?? []
  const td = 'px-4 py-3 align-top text-sm'

  return (
    <tr
      data-testid="channel-row"
      data-channel-name={channel.name}
      className={channel.enabled ? '' : 'bg-slate-50/70 text-slate-500 dark:bg-slate-950/40'}
    >
      <td className={td}>
        <div className="font-medium text-slate-900 dark:text-slate-100" data-testid="channel-name">
          {channel.name}
        </div>
        {channel.api_key_preview && (
          <div className="mt-0.5 font-mono text-xs text-slate-500 dark:text-slate-400" data-testid="channel-key">
            {t('channels.apiKey', { preview: channel.api_key_preview })}
          </div>
        )}
        {failure && (
          <div role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400" data-testid="channel-error">
            {t('channels.actionFailed', { message: errorMessage(t, failure) })}
          </div>
        )}
      </td>
      <td className={td}>
        <TypeBadge type={channel.type} />
      </td>
      <td className={td}>
        <span className="font-mono text-xs break-all" data-testid="channel-base-url">
          {channel.base_url}
        </span>
      </td>
      <td className={td}>
        {models.length === 0 ? (
          <span className="text-xs text-slate-400">{t('channels.noModels')}</span>
        ) : (
          <div className="flex max-w-xs flex-wrap gap-1" title={models.join(', ')} data-testid="channel-models">
            {models.slice(0, MAX_MODELS_SHOWN).map((m) => (
              <span
                key={m}
                className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300"
              >
                {m}
              </span>
            ))}
            {models.length > MAX_MODELS_SHOWN && (
              <span className="px-1 text-xs text-slate-500">{`+${models.length - MAX_MODELS_SHOWN}`}</span>
            )}
          </div>
        )}
      </td>
      <td className={td + ' tabular-nums'} data-testid="channel-priority">
        {channel.priority}
      </td>
      <td className={td}>
        <Switch
          checked={channel.enabled}
          disabled={update.isPending}
          label={t(channel.enabled ? 'channels.disable' : 'channels.enable', { name: channel.name })}
          onChange={(enabled) => update.mutate({ id: channel.id, patch: { enabled } })}
          data-testid="channel-toggle"
        />
      </td>
      <td className={td + ' text-right whitespace-nowrap'}>
        {confirming ? (
          <div className="inline-flex items-center gap-2" data-testid="channel-delete-confirm-box">
            <span className="text-xs">{t('channels.confirmDelete', { name: channel.name })}</span>
            <Button
              variant="danger"
              className="px-2 py-1"
              disabled={remove.isPending}
              onClick={() => remove.mutate(channel.id, { onSettled: () => setConfirming(false) })}
              data-testid="channel-delete-confirm"
            >
              {t('channels.confirm')}
            </Button>
            <Button variant="ghost" className="px-2 py-1" onClick={() => setConfirming(false)} data-testid="channel-delete-cancel">
              {t('channels.cancel')}
            </Button>
          </div>
        ) : (
          <Button
            variant="dangerGhost"
            className="px-2 py-1"
            aria-label={t('channels.deleteLabel', { name: channel.name })}
            onClick={() => setConfirming(true)}
            data-testid="channel-delete"
          >
            {t('channels.delete')}
          </Button>
        )}
      </td>
    </tr>
  )
}
