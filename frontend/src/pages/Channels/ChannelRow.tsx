import { useState, type KeyboardEvent, type PointerEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { Channel, TestResult } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { useDeleteChannel, useUpdateChannel } from '../../api/queries'
import { Button } from '../../components/Button'
import { Switch } from '../../components/Switch'
import { BalanceChip } from './BalanceChip'
import { HealthBadge } from './HealthBadge'
import { LatencyCell } from './LatencyCell'
import { TestResultView } from './TestResultView'
import { TypeBadge } from './TypeBadge'

const MAX_MODELS_SHOWN = 3

/** A connection test in progress or done, per channel. */
export interface TestState {
  pending: boolean
  result?: TestResult
  error?: unknown
}

interface Props {
  channel: Channel
  now: number
  test?: TestState
  dragging: boolean
  onTest: () => void
  onEdit: () => void
  onDuplicate: () => void
  onDragStart: (e: PointerEvent<HTMLButtonElement>) => void
  onKeyMove: (delta: number) => void
}

export function ChannelRow({ channel, now, test, dragging, onTest, onEdit, onDuplicate, onDragStart, onKeyMove }: Props) {
  const { t } = useTranslation()
  const update = useUpdateChannel()
  const remove = useDeleteChannel()
  const [confirming, setConfirming] = useState(false)
  const failure = update.error ?? remove.error
  const models = channel.models ?? []
  const extra = Math.max(0, models.length - MAX_MODELS_SHOWN)
  const keys = channel.api_key_previews?.length ? channel.api_key_previews : channel.api_key_preview ? [channel.api_key_preview] : []
  const td = 'px-3 py-3 align-top text-sm'

  const onHandleKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault()
      onKeyMove(e.key === 'ArrowUp' ? -1 : 1)
    }
  }

  return (
    <>
      <tr
        data-testid="channel-row"
        data-channel-name={channel.name}
        data-channel-id={channel.id}
        className={(channel.enabled ? '' : 'bg-slate-50/70 text-slate-500 dark:bg-slate-950/40 ') + (dragging ? 'bg-indigo-50 shadow-inner dark:bg-indigo-950/40' : '')}
      >
        <td className={td + ' w-8 pr-0'}>
          <button
            type="button"
            className="cursor-grab touch-none rounded p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-600 focus-visible:outline-2 focus-visible:outline-indigo-500 active:cursor-grabbing dark:hover:bg-slate-800"
            aria-label={t('channels.dragLabel', { name: channel.name })}
            title={t('channels.dragLabel', { name: channel.name })}
            onPointerDown={onDragStart}
            onKeyDown={onHandleKey}
            data-testid="channel-drag"
          >
            <svg viewBox="0 0 20 20" aria-hidden="true" className="size-4" fill="currentColor">
              <circle cx="7" cy="5" r="1.5" /><circle cx="13" cy="5" r="1.5" /><circle cx="7" cy="10" r="1.5" />
              <circle cx="13" cy="10" r="1.5" /><circle cx="7" cy="15" r="1.5" /><circle cx="13" cy="15" r="1.5" />
            </svg>
          </button>
        </td>
        <td className={td}>
          <div className="flex items-center gap-2">
            <span className="font-medium whitespace-nowrap text-slate-900 dark:text-slate-100" data-testid="channel-name">{channel.name}</span>
            <TypeBadge type={channel.type} />
          </div>
          <div className="mt-0.5 max-w-[18rem] truncate font-mono text-xs text-slate-500 dark:text-slate-400" title={channel.base_url} data-testid="channel-base-url">
            {channel.base_url}
          </div>
          {keys.length > 0 && (
            <div className="mt-0.5 font-mono text-xs text-slate-500 dark:text-slate-400" data-testid="channel-key">
              {t('channels.apiKey', { preview: keys.join(', ') })}
            </div>
          )}
          <BalanceChip channel={channel} now={now} />
          {failure && (
            <div role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400" data-testid="channel-error">
              {t('channels.actionFailed', { message: errorMessage(t, failure) })}
            </div>
          )}
        </td>
        <td className={td}>
          {models.length === 0 ? (
            <span className="text-xs text-slate-400">{t('channels.noModels')}</span>
          ) : (
            <div className="flex max-w-[14rem] flex-wrap gap-1" title={models.join(', ')} data-testid="channel-models">
              {models.slice(0, MAX_MODELS_SHOWN).map((m) => (
                <span key={m} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">{m}</span>
              ))}
              {extra ? <span className="px-1 text-xs text-slate-500">{`+${extra}`}</span> : null}
            </div>
          )}
        </td>
        <td className={td}>
          <HealthBadge channel={channel} now={now} />
          <LatencyCell channel={channel} />
        </td>
        <td className={td + ' text-center tabular-nums'} data-testid="channel-priority">{channel.priority}</td>
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
              <Button variant="danger" className="px-2 py-1" disabled={remove.isPending}
                onClick={() => remove.mutate(channel.id, { onSettled: () => setConfirming(false) })} data-testid="channel-delete-confirm">
                {t('channels.confirm')}
              </Button>
              <Button variant="ghost" className="px-2 py-1" onClick={() => setConfirming(false)} data-testid="channel-delete-cancel">
                {t('channels.cancel')}
              </Button>
            </div>
          ) : (
            <div className="inline-flex items-center gap-0.5">
              <Button variant="ghost" className="px-2 py-1" disabled={test?.pending} onClick={onTest} data-testid="channel-test"
                aria-label={t('channels.test.label', { name: channel.name })}>
                {test?.pending ? t('channels.test.running') : t('channels.test.button')}
              </Button>
              <Button variant="ghost" className="px-2 py-1" onClick={onEdit} data-testid="channel-edit" aria-label={t('channels.editLabel', { name: channel.name })}>
                {t('channels.edit')}
              </Button>
              <Button variant="ghost" className="px-2 py-1" onClick={onDuplicate} data-testid="channel-duplicate"
                aria-label={t('channels.duplicateLabel', { name: channel.name })}>
                {t('channels.duplicate')}
              </Button>
              <Button variant="dangerGhost" className="px-2 py-1" aria-label={t('channels.deleteLabel', { name: channel.name })}
                onClick={() => setConfirming(true)} data-testid="channel-delete">
                {t('channels.delete')}
              </Button>
            </div>
          )}
        </td>
      </tr>
      {test && !test.pending && (test.result || test.error) ? (
        <tr data-testid="channel-test-row">
          <td />
          <td colSpan={6} className="px-3 pb-3">
            <TestResultView result={test.result} error={test.error} />
          </td>
        </tr>
      ) : null}
    </>
  )
}
