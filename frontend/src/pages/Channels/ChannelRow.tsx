import { useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { Channel, TestResult } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { useDeleteChannel, useSetActive, useUpdateChannel } from '../../api/queries'
import { Button } from '../../components/Button'
import { Menu } from '../../components/Menu'
import { Switch } from '../../components/Switch'
import { Badge, ConfirmDialog } from '../../components/ui'
import { hasKey, needsKey } from './draft'
import { HealthBadge } from './HealthBadge'
import { TestResultView } from './TestResultView'
import { TypeBadge } from './TypeBadge'

const MAX_MODELS_SHOWN = 2

/** A connection test in progress or done, per channel. */
export interface TestState {
  pending: boolean
  result?: TestResult
  error?: unknown
}

/** Slots other views fill in a row: a balance chip beside the name, a latency cell under the health. */
export interface RowSlots {
  balance?: (c: Channel) => ReactNode
  latency?: (c: Channel) => ReactNode
  menuItems?: (c: Channel) => { key: string; label: string; onSelect: () => void }[]
}

interface Props {
  channel: Channel
  now: number
  test?: TestState
  dragging: boolean
  /** Whether it is the active provider, and with which model shown. */
  active: boolean
  activeModel: string
  onTest: () => void
  onEdit: () => void
  onDuplicate: () => void
  onDragStart: (e: PointerEvent<HTMLButtonElement>) => void
  onKeyMove: (delta: number) => void
  slots?: RowSlots
}

/** Models on one line: the first few as chips that never break mid-name, then +N. */
export function ModelChips({ models }: { models: string[] }) {
  const { t } = useTranslation()
  if (models.length === 0) return <span className="text-xs text-slate-600 dark:text-slate-400">{t('channels.noModels')}</span>
  const extra = models.length - MAX_MODELS_SHOWN
  return (
    <div className="flex min-w-0 flex-nowrap items-center gap-1 overflow-hidden" title={models.join(', ')} data-testid="channel-models">
      {models.slice(0, MAX_MODELS_SHOWN).map((m) => (
        <span key={m} className="max-w-[11rem] min-w-0 truncate rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs whitespace-nowrap text-slate-800 dark:bg-slate-800 dark:text-slate-200">
          {m}
        </span>
      ))}
      {extra > 0 && <span className="shrink-0 px-1 text-xs whitespace-nowrap text-slate-600 dark:text-slate-400" data-testid="channel-models-more">{`+${extra}`}</span>}
    </div>
  )
}

/** "● Active · model" for the active provider (its model switchable), "Use" with a model picker for the others. */
function ActiveOrUse({ channel, active, activeModel }: { channel: Channel; active: boolean; activeModel: string }) {
  const { t } = useTranslation()
  const set = useSetActive()
  const models = channel.models ?? []
  const activate = (model: string) => set.mutate({ channelId: channel.id, model })
  const items = models.map((m, i) => ({
    key: m, label: m, hint: i === 0 ? t('channels.defaultModel') : undefined, checked: active && activeModel === m,
    testId: `use-model-${m}`, onSelect: () => activate(i === 0 && !active ? '' : m),
  }))
  if (active) {
    const label = (
      <span className="flex min-w-0 flex-col items-start text-left" data-testid="channel-active">
        <span className="inline-flex items-center gap-1.5">
          <span aria-hidden="true" className="size-2 rounded-full bg-emerald-500" />
          <span>{t('channels.active')}</span>
          {models.length > 1 && <span aria-hidden="true" className="text-xs">▾</span>}
        </span>
        {activeModel && <span className="max-w-full truncate font-mono text-xs font-normal" data-testid="channel-active-model-name">{activeModel}</span>}
      </span>
    )
    const look = 'max-w-full rounded-md bg-emerald-50 px-2 py-1 text-emerald-800 ring-1 ring-emerald-600/20 ring-inset dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-400/20'
    return models.length > 1 ? (
      <Menu label={label} ariaLabel={t('channels.activeModelLabel', { name: channel.name })} items={items} align="left" className="max-w-full"
        title={t('channels.pickModel')} testId="channel-active-model" buttonClassName={look + ' hover:bg-emerald-100 dark:hover:bg-emerald-900'} />
    ) : (
      <span className={'inline-flex text-sm font-medium ' + look}>{label}</span>
    )
  }
  if (models.length <= 1) {
    return (
      <Button className="px-2.5 py-1" disabled={!channel.enabled || set.isPending} onClick={() => activate('')} data-testid="channel-use"
        aria-label={t('channels.useLabel', { name: channel.name })}>
        {t('channels.use')}
      </Button>
    )
  }
  return (
    <Menu label={<>{t('channels.use')}<span aria-hidden="true">▾</span></>} ariaLabel={t('channels.useLabel', { name: channel.name })}
      items={items} title={t('channels.pickModel')} disabled={!channel.enabled || set.isPending} testId="channel-use" align="left"
      buttonClassName="border border-slate-300 bg-white px-2.5 py-1 text-slate-800 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800" />
  )
}

/**
 * One channel: a row on wide windows, a card below 1000 px. The main
 * actions (use, enable, test) show; the others (edit, duplicate, delete)
 * are in its menu.
 */
export function ChannelRow({ channel, now, test, dragging, active, activeModel, onTest, onEdit, onDuplicate, onDragStart, onKeyMove, slots }: Props) {
  const { t } = useTranslation()
  const update = useUpdateChannel()
  const remove = useDeleteChannel()
  const [confirming, setConfirming] = useState(false)
  const failure = update.error ?? remove.error
  const keys = channel.api_key_previews?.length ? channel.api_key_previews : channel.api_key_preview ? [channel.api_key_preview] : []
  const noKey = !hasKey(channel) && needsKey(channel.base_url)
  const onHandleKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault()
      onKeyMove(e.key === 'ArrowUp' ? -1 : 1)
    }
  }
  const extraItems = slots?.menuItems?.(channel) ?? []
  return (
    <li
      data-testid="channel-row"
      data-channel-name={channel.name}
      data-channel-id={channel.id}
      data-active={active || undefined}
      className={
        'flex flex-col gap-3 rounded-2xl border bg-white p-4 shadow-sm min-[1000px]:grid min-[1000px]:grid-cols-[minmax(0,1fr)_10.5rem_11rem_8.5rem] ' +
        'min-[1000px]:items-center min-[1000px]:gap-4 min-[1000px]:px-3 min-[1000px]:py-3 dark:bg-slate-900 ' +
        (active ? 'border-emerald-300 dark:border-emerald-800 ' : 'border-slate-200 dark:border-slate-800 ') +
        (channel.enabled ? '' : 'opacity-80 ') +
        (dragging ? 'bg-indigo-50 shadow-inner dark:bg-indigo-950/40' : '')
      }
    >
      <div className="flex min-w-0 items-start gap-2">
        <button
          type="button"
          className="mt-0.5 shrink-0 cursor-grab touch-none rounded p-1 text-slate-600 hover:bg-slate-100 hover:text-slate-700 focus-visible:outline-2 focus-visible:outline-indigo-500 active:cursor-grabbing dark:text-slate-400 dark:hover:bg-slate-800"
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
        <div className="min-w-0 flex-1">
          <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
            <button type="button" onClick={onEdit} className="max-w-full truncate text-left font-medium text-slate-900 hover:underline dark:text-slate-100"
              data-testid="channel-name" title={t('channels.editLabel', { name: channel.name })}>
              {channel.name}
            </button>
            <TypeBadge type={channel.type} />
            <span data-slot="balance">{slots?.balance?.(channel)}</span>
          </div>
          <div className="mt-0.5 truncate font-mono text-xs text-slate-600 dark:text-slate-400" title={channel.base_url} data-testid="channel-base-url">
            {channel.base_url}
          </div>
          {noKey ? (
            <div className="mt-1"><Badge tone="red" testId="channel-no-key">{t('channels.noKey')}</Badge></div>
          ) : keys.length > 0 && (
            <div className="mt-0.5 truncate font-mono text-xs text-slate-600 dark:text-slate-400" data-testid="channel-key" title={keys.join(', ')}>
              {keys.length > 1 ? t('channels.apiKeys', { preview: keys[0] ?? '', n: String(keys.length - 1) }) : t('channels.apiKey', { preview: keys[0] ?? '' })}
            </div>
          )}
          <div className="mt-1.5 min-w-0">
            <ModelChips models={channel.models ?? []} />
          </div>
          {failure && (
            <div role="alert" className="mt-1 text-xs text-red-700 dark:text-red-400" data-testid="channel-error">
              {t('channels.actionFailed', { message: errorMessage(t, failure) })}
            </div>
          )}
        </div>
      </div>
      <div className="flex min-w-0 flex-wrap items-start gap-x-3 gap-y-1">
        <HealthBadge channel={channel} now={now} />
        <span data-slot="latency">{slots?.latency?.(channel)}</span>
      </div>
      {/* On a card, who serves and the actions share a line; on a row they are two columns. */}
      <div className="flex flex-wrap items-center justify-between gap-2 min-[1000px]:contents">
      <div className="min-w-0" data-testid="channel-provider">
        <ActiveOrUse channel={channel} active={active} activeModel={activeModel} />
      </div>
      <div className="flex flex-wrap items-center gap-2 min-[1000px]:flex-nowrap min-[1000px]:justify-end">
        <Switch
          checked={channel.enabled}
          disabled={update.isPending}
          label={t(channel.enabled ? 'channels.disable' : 'channels.enable', { name: channel.name })}
          onChange={(enabled) => update.mutate({ id: channel.id, patch: { enabled } })}
          data-testid="channel-toggle"
        />
        <Button variant="ghost" className="px-2 py-1" disabled={test?.pending} onClick={onTest} data-testid="channel-test"
          aria-label={t('channels.test.label', { name: channel.name })}>
          {test?.pending ? t('channels.test.running') : t('channels.test.button')}
        </Button>
        <Menu
          label={<span aria-hidden="true" className="px-1 text-base leading-none">⋯</span>}
          ariaLabel={t('channels.moreLabel', { name: channel.name })}
          testId="channel-menu"
          items={[
            { key: 'edit', label: t('channels.edit'), onSelect: onEdit, testId: 'channel-edit' },
            { key: 'duplicate', label: t('channels.duplicate'), onSelect: onDuplicate, testId: 'channel-duplicate' },
            ...extraItems,
            { key: 'delete', label: t('channels.delete'), danger: true, onSelect: () => setConfirming(true), testId: 'channel-delete' },
          ]}
        />
      </div>
      </div>
      {test && !test.pending && (test.result || test.error) ? (
        <div className="col-span-full" data-testid="channel-test-row">
          <TestResultView result={test.result} error={test.error} />
        </div>
      ) : null}
      <ConfirmDialog open={confirming} title={t('channels.confirmDelete', { name: channel.name })} body={t('channels.confirmDeleteBody', { name: channel.name })}
        confirm={t('channels.confirm')} pending={remove.isPending} onClose={() => setConfirming(false)} testId="channel-delete-dialog"
        onConfirm={() => remove.mutate(channel.id, { onSettled: () => setConfirming(false) })} />
    </li>
  )
}
