import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/types'
import { Button } from '../../components/Button'
import { move } from '../Channels/reorder'
import { formatTarget, parseTarget } from './targets'

interface Props {
  targets: string[]
  channels: Channel[]
  onChange: (t: string[]) => void
  testId: string
  error?: string
}

/** An ordered list of "channel,model" targets: pick the channel, type the model, move, remove. */
export function TargetsEditor({ targets, channels, onChange, testId, error }: Props) {
  const { t } = useTranslation()
  const set = (i: number, channel: string, model: string) => onChange(targets.map((x, j) => (j === i ? formatTarget(channel, model) : x)))
  return (
    <div className="space-y-2" data-testid={testId}>
      {targets.length === 0 && <p className="text-xs text-slate-400 dark:text-slate-500">{t('routing.noTargets')}</p>}
      {targets.map((tg, i) => {
        const { channel, model } = parseTarget(tg)
        const known = channels.some((c) => c.name === channel)
        return (
          <div key={i} className="flex items-center gap-2" data-testid="target-row">
            <span className="w-5 text-right text-xs text-slate-400 tabular-nums">{i + 1}</span>
            <select className="input w-40 shrink-0" value={channel} aria-label={t('routing.channel')} onChange={(e) => set(i, e.target.value, model)}
              data-testid="target-channel">
              {!known && <option value={channel}>{channel || t('routing.pickChannel')}</option>}
              {channels.map((c) => (
                <option key={c.id} value={c.name}>{c.name}</option>
              ))}
            </select>
            <input className="input font-mono" value={model} placeholder={t('routing.modelPlaceholder')} aria-label={t('routing.model')}
              onChange={(e) => set(i, channel, e.target.value)} data-testid="target-model" />
            <Button variant="ghost" className="px-2 py-1" disabled={i === 0} onClick={() => onChange(move(targets, i, i - 1))} aria-label={t('routing.up')}>↑</Button>
            <Button variant="ghost" className="px-2 py-1" disabled={i === targets.length - 1} onClick={() => onChange(move(targets, i, i + 1))}
              aria-label={t('routing.down')}>↓</Button>
            <Button variant="dangerGhost" className="px-2 py-1" onClick={() => onChange(targets.filter((_, j) => j !== i))} aria-label={t('routing.remove')}>
              ✕
            </Button>
          </div>
        )
      })}
      {error && <p role="alert" className="text-xs text-red-600 dark:text-red-400">{error}</p>}
      <Button variant="ghost" className="px-2 py-1 text-indigo-600 dark:text-indigo-400" disabled={channels.length === 0}
        onClick={() => onChange([...targets, channels[0]?.name ?? ''])} data-testid="target-add">
        {t('routing.addTarget')}
      </Button>
    </div>
  )
}
