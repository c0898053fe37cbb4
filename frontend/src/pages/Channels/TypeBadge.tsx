import { useTranslation } from 'react-i18next'
import type { ChannelType } from '../../api/client'

const colors: Record<ChannelType, string> = {
  anthropic: 'bg-orange-100 text-orange-800 ring-orange-600/20 dark:bg-orange-950 dark:text-orange-300',
  openai: 'bg-emerald-100 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-950 dark:text-emerald-300',
  gemini: 'bg-sky-100 text-sky-800 ring-sky-600/20 dark:bg-sky-950 dark:text-sky-300',
  'openai-responses': 'bg-teal-100 text-teal-800 ring-teal-600/20 dark:bg-teal-950 dark:text-teal-300',
}

export function TypeBadge({ type }: { type: ChannelType }) {
  const { t } = useTranslation()
  return (
    <span
      className={
        'inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset ' +
        (colors[type] ?? 'bg-slate-100 text-slate-700 ring-slate-500/20')
      }
      data-testid="channel-type"
    >
      {t(`channels.types.${type}`, { defaultValue: type })}
    </span>
  )
}
