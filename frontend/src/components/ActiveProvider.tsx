import { useTranslation } from 'react-i18next'
import type { Channel } from '../api/types'
import { useActive, useChannels, useSetActive } from '../api/queries'
import { errorMessage } from '../api/errors'
import { useNow } from '../lib/live'
import { healthWords } from '../lib/words'
import { Menu } from './Menu'

/** The active provider as the window shows it: its channel, and the model requests get. */
export interface ActiveView {
  channel?: Channel
  /** The model picked with it, "" for the channel's own choice. */
  picked: string
  /** What to show: the picked model, else the channel's first, else "as requested". */
  model: string
  loading: boolean
}

/** The model a channel serves when none is picked: its first listed one. */
export function defaultModel(c: Channel | undefined): string {
  return c?.models?.[0] ?? ''
}

/** Reads the active provider (GET /api/active) against the channel list. */
export function useActiveView(): ActiveView {
  const channels = useChannels()
  const active = useActive()
  const channel = channels.data?.find((c) => c.id === active.data?.channel_id)
  const picked = active.data?.model ?? ''
  return { channel, picked, model: picked || defaultModel(channel), loading: channels.isPending || active.isPending }
}

/** A dot in the colour of a health tone. */
export function HealthDot({ tone }: { tone: string }) {
  const color = tone === 'green' ? 'bg-emerald-500' : tone === 'red' ? 'bg-red-500' : tone === 'amber' ? 'bg-amber-500' : 'bg-slate-400'
  return <span aria-hidden="true" className={'inline-block size-2 shrink-0 rounded-full ' + color} />
}

/**
 * "Active: name · model" on every page, with a menu that switches to
 * another channel: the sidebar's (or top bar's) view of what the tray and
 * `routex model` switch too.
 */
export function ActiveProvider({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation()
  const channels = useChannels()
  const view = useActiveView()
  const set = useSetActive()
  const now = useNow(5000)
  const list = (channels.data ?? []).filter((c) => c.enabled)
  const ch = view.channel
  const words = ch ? healthWords(t, ch, now, i18n.language) : null
  const label = ch ? (
    <span className={'flex ' + (compact ? 'items-center gap-1.5' : 'flex-col items-start lg:gap-0.5')}>
      <span className="flex items-center gap-1.5">
        <HealthDot tone={words?.tone ?? 'slate'} />
        <span className="max-w-[12rem] truncate font-semibold whitespace-nowrap" data-testid="active-provider-name">{ch.name}</span>
      </span>
      <span className="max-w-[12rem] truncate pl-3.5 font-mono text-xs font-normal whitespace-nowrap text-slate-600 dark:text-slate-400" data-testid="active-provider-model">
        {view.model || t('active.asRequested')}
      </span>
    </span>
  ) : (
    <span className="text-slate-600 dark:text-slate-400" data-testid="active-provider-name">{view.loading ? '…' : t('active.none')}</span>
  )
  return (
    <div className={'min-w-0 max-w-60 ' + (compact ? '' : 'lg:px-2')} data-testid="active-provider" data-channel={ch?.name ?? ''} data-model={view.model}>
      <div className="text-xs font-medium text-slate-600 dark:text-slate-400">{t('active.label')}</div>
      <Menu
        label={
          <>
            {label}
            <span aria-hidden="true" className="text-xs text-slate-600 dark:text-slate-400">▾</span>
          </>
        }
        ariaLabel={ch ? t('active.switchLabel', { name: ch.name, model: view.model || t('active.asRequested') }) : t('active.switchNone')}
        title={t('active.switchTitle')}
        align="left"
        disabled={list.length === 0 || set.isPending}
        testId="active-switch"
        buttonClassName="max-w-full text-left px-1 py-0.5 -mx-1 text-slate-900 hover:bg-slate-100 dark:text-slate-100 dark:hover:bg-slate-800"
        items={list.map((c) => {
          const w = healthWords(t, c, now, i18n.language)
          return {
            key: String(c.id),
            label: c.name,
            hint: w.label,
            checked: c.id === ch?.id,
            testId: `active-option-${c.name}`,
            onSelect: () => {
              if (c.id !== ch?.id) set.mutate({ channelId: c.id, model: '' })
            },
          }
        })}
      />
      {ch && words && words.tone !== 'green' && (
        <div className="text-xs text-slate-600 dark:text-slate-400" data-testid="active-provider-health">{words.label}</div>
      )}
      {set.error && <p role="alert" className="text-xs text-red-700 dark:text-red-400">{errorMessage(t, set.error)}</p>}
    </div>
  )
}
