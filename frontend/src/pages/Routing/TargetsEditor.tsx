import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/types'
import { Button } from '../../components/Button'
import { move } from '../Channels/reorder'
import { formatTarget, parseTarget, targetWarning } from './targets'

interface Props {
  targets: string[]
  channels: Channel[]
  onChange: (t: string[]) => void
  testId: string
  error?: string
}

/**
 * An ordered list of "channel,model" targets. The model is one of the
 * channel's own (or "as requested", whose fallback is shown); a channel
 * appears at most once in a list.
 */
export function TargetsEditor({ targets, channels, onChange, testId, error }: Props) {
  const { t } = useTranslation()
  const set = (i: number, channel: string, model: string) => onChange(targets.map((x, j) => (j === i ? formatTarget(channel, model) : x)))
  const used = targets.map((x) => parseTarget(x).channel)
  const free = channels.filter((c) => !used.includes(c.name))
  return (
    <div className="space-y-2" data-testid={testId}>
      {targets.length === 0 && <p className="text-xs text-slate-600 dark:text-slate-400">{t('routing.noTargets')}</p>}
      {targets.map((tg, i) => {
        const { channel, model } = parseTarget(tg)
        const ch = channels.find((c) => c.name === channel)
        const models = ch?.models ?? []
        const warning = targetWarning(ch, model)
        return (
          <div key={i} className="space-y-1" data-testid="target-row">
            <div className="flex flex-wrap items-center gap-2">
              <span className="w-5 text-right text-xs text-slate-600 tabular-nums dark:text-slate-400">{i + 1}</span>
              <select className="input w-40 min-w-0 flex-1 sm:flex-none" value={channel} aria-label={t('routing.channel')}
                onChange={(e) => set(i, e.target.value, '')} data-testid="target-channel">
                {!ch && <option value={channel}>{channel || t('routing.pickChannel')}</option>}
                {channels.filter((c) => c.name === channel || !used.includes(c.name)).map((c) => (
                  <option key={c.id} value={c.name}>{c.name}</option>
                ))}
              </select>
              <select className="input w-48 min-w-0 flex-1 font-mono" value={model} aria-label={t('routing.model')} onChange={(e) => set(i, channel, e.target.value)}
                data-testid="target-model">
                <option value="">{models.length ? t('routing.asRequestedOr', { model: models[0] ?? '' }) : t('routing.asRequested')}</option>
                {model && !models.includes(model) && <option value={model}>{t('routing.notListed', { model })}</option>}
                {models.map((m) => <option key={m} value={m}>{m}</option>)}
              </select>
              <span className="flex gap-1">
                <Button variant="ghost" className="px-2 py-1" disabled={i === 0} onClick={() => onChange(move(targets, i, i - 1))} aria-label={t('routing.up')}>↑</Button>
                <Button variant="ghost" className="px-2 py-1" disabled={i === targets.length - 1} onClick={() => onChange(move(targets, i, i + 1))}
                  aria-label={t('routing.down')}>↓</Button>
                <Button variant="dangerGhost" className="px-2 py-1" onClick={() => onChange(targets.filter((_, j) => j !== i))} aria-label={t('routing.remove')}
                  data-testid="target-remove">✕</Button>
              </span>
            </div>
            {warning && (
              <p className={'pl-7 text-xs ' + (warning.kind === 'missing' ? 'text-red-700 dark:text-red-400' : 'text-amber-800 dark:text-amber-300')}
                data-testid="target-warning" data-kind={warning.kind}>
                {t(`routing.targetWarnings.${warning.kind}`, { channel, model: warning.model, models: warning.models })}
              </p>
            )}
          </div>
        )
      })}
      {error && <p role="alert" className="text-xs text-red-700 dark:text-red-400">{error}</p>}
      <Button variant="ghost" className="px-2 py-1 text-indigo-700 dark:text-indigo-300" disabled={free.length === 0}
        onClick={() => onChange([...targets, free[0]?.name ?? ''])} data-testid="target-add">
        {t('routing.addTarget')}
      </Button>
    </div>
  )
}
