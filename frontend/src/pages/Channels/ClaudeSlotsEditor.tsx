import { useTranslation } from 'react-i18next'
import type { ClaudeModels } from '../../api/types'
import { PROVIDER_MODELS_LIST } from './ModelPicker'

export const SLOTS = ['model', 'opus', 'sonnet', 'haiku', 'small_fast'] as const
export type Slot = (typeof SLOTS)[number]

/** The environment variable each slot sets in Claude Code's settings. */
export const SLOT_VARIABLES: Record<Slot, string> = {
  model: 'ANTHROPIC_MODEL',
  opus: 'ANTHROPIC_DEFAULT_OPUS_MODEL',
  sonnet: 'ANTHROPIC_DEFAULT_SONNET_MODEL',
  haiku: 'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  small_fast: 'ANTHROPIC_SMALL_FAST_MODEL',
}

/** Claude Code's model slots for this channel; empty slots leave the choice to Routex's routing. */
export function ClaudeSlotsEditor({ value, onChange }: { value: ClaudeModels; onChange: (v: ClaudeModels) => void }) {
  const { t } = useTranslation()
  return (
    <fieldset className="space-y-3" data-testid="claude-slots">
      <p className="text-xs text-slate-500 dark:text-slate-400">{t('accounts.slots.help')}</p>
      <div className="grid gap-3 sm:grid-cols-2">
        {SLOTS.map((slot) => (
          <label key={slot} className="block space-y-1">
            <span className="text-sm font-medium text-slate-700 dark:text-slate-300">{t(`accounts.slots.${slot}`)}</span>
            <input className="input font-mono text-sm" list={PROVIDER_MODELS_LIST} value={value[slot] ?? ''}
              onChange={(e) => onChange({ ...value, [slot]: e.target.value })}
              placeholder={t('accounts.slots.routed')} data-testid={`slot-${slot}`} />
            <span className="block font-mono text-[11px] text-slate-600 dark:text-slate-400">{SLOT_VARIABLES[slot]}</span>
          </label>
        ))}
      </div>
    </fieldset>
  )
}
