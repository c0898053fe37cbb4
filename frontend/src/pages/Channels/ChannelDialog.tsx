import { useState, type FormEvent } from 'react'
import { useMutation } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { ApiError, CHANNEL_TYPES, PRESET_GROUPS, api, type Channel, type ChannelPatch, type ChannelType, type NewChannel } from '../../api/client'
import { useBalances } from '../../api/accountQueries'
import { accountsApi } from '../../api/accounts'
import type { BalanceQuery, ClaudeModels } from '../../api/types'
import { errorMessage, fieldErrorMessage } from '../../api/errors'
import { useCreateChannel, useUpdateChannel } from '../../api/queries'
import { Button } from '../../components/Button'
import { Dialog, Field } from '../../components/ui'
import { PRESETS, presetByKey, presetName } from './presets'
import { TestResultView } from './TestResultView'
import { BalanceQueryEditor } from './BalanceQueryEditor'
import { ClaudeSlotsEditor } from './ClaudeSlotsEditor'
import { ModelPicker } from './ModelPicker'

/** Where each provider documents its API; shown as the base URL placeholder. */
export const BASE_URL_PLACEHOLDERS: Record<ChannelType, string> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
  'openai-responses': 'https://api.openai.com/v1',
}

/** Form fields that can show an error of their own; others go to the form-level alert. */
const FORM_FIELDS = ['name', 'type', 'base_url', 'api_key', 'api_keys', 'models', 'priority', 'weight'] as const

export interface Draft {
  name: string
  type: ChannelType
  base_url: string
  api_key: string
  models: string
  priority: string
  weight: string
  enabled: boolean
  /** Claude Code's model slots; empty ones are left to routing. */
  claude_models: ClaudeModels
  /** null: the built-in balance query of a known provider. */
  balance_query: BalanceQuery | null
}

export const EMPTY: Draft = { name: '', type: 'openai', base_url: '', api_key: '', models: '', priority: '1', weight: '1', enabled: true,
  claude_models: {}, balance_query: null }

/** The slots that are set, trimmed. */
export function cleanSlots(m: ClaudeModels): ClaudeModels {
  const out: ClaudeModels = {}
  for (const [k, v] of Object.entries(m) as [keyof ClaudeModels, string | undefined][]) {
    if (v && v.trim()) out[k] = v.trim()
  }
  return out
}

/** Splits "a, b,,c " (or one per line) into ["a","b","c"]. */
export function parseModels(s: string): string[] {
  return s
    .split(/[,\n]/)
    .map((m) => m.trim())
    .filter((m) => m !== '')
}

function num(s: string, fallback: number): number {
  if (s.trim() === '') return fallback
  const n = Number(s.trim())
  // A non-number is sent as NaN (null on the wire) so the engine's range check names the field.
  return Number.isFinite(n) ? n : NaN
}

/** The draft as the engine's channel JSON; several keys (one per line) go as api_keys. */
export function toNewChannel(d: Draft): NewChannel & { api_keys?: string[] } {
  const keys = parseModels(d.api_key)
  const out: NewChannel & { api_keys?: string[] } = {
    name: d.name.trim(),
    type: d.type,
    base_url: d.base_url.trim(),
    api_key: keys.length > 1 ? '' : d.api_key.trim(),
    models: parseModels(d.models),
    priority: num(d.priority, 1),
    weight: num(d.weight, 1),
    enabled: d.enabled,
    claude_models: cleanSlots(d.claude_models),
    // {} is the built-in query (null would leave the stored one as it is).
    balance_query: d.balance_query ?? {},
  }
  if (keys.length > 1) out.api_keys = keys
  return out
}

/** The draft of an existing channel (the key stays empty: blank keeps the stored one). */
export function draftOf(c: Channel, copy = false): Draft {
  return {
    name: copy ? `${c.name}-copy` : c.name, type: c.type, base_url: c.base_url, api_key: '', models: (c.models ?? []).join(', '),
    priority: String(c.priority), weight: String(c.weight || 1), enabled: c.enabled,
    claude_models: c.claude_models ?? {}, balance_query: c.balance_query ?? null,
  }
}

interface Props {
  /** The channel being edited; absent to add one (optionally prefilled). */
  channel?: Channel
  initial?: Draft
  onDone: (name: string, created: boolean) => void
  onCancel: () => void
}

export function ChannelDialog({ channel, initial, onDone, onCancel }: Props) {
  const { t } = useTranslation()
  const create = useCreateChannel()
  const update = useUpdateChannel()
  // Editing, the draft goes with the channel's id: with no key typed the engine uses the stored one.
  const test = useMutation({ mutationFn: (c: NewChannel) => api.testDraft(channel ? { ...c, id: channel.id } : c) })
  const [draft, setDraft] = useState<Draft>(initial ?? (channel ? draftOf(channel) : EMPTY))
  const [preset, setPreset] = useState('')
  const editing = channel !== undefined
  const save = editing ? update : create
  const balances = useBalances()
  const builtin = balances.data?.balances.find((b) => b.channel_id === channel?.id && b.provider !== 'custom')?.provider || undefined
  // A saved channel whose URL, type and key are unchanged refreshes its
  // cached list (which /v1/models lists too); a draft is asked as typed.
  const fetchModels = () =>
    channel && draft.base_url.trim() === channel.base_url && draft.type === channel.type && !draft.api_key.trim()
      ? accountsApi.channelModels(channel.id, true)
      : accountsApi.draftModels({ ...toNewChannel(draft), id: channel?.id })

  const err = save.error
  const fields = err instanceof ApiError ? err.fields : {}
  const fieldError = (f: string): string | undefined => {
    const fe = fields[f]
    return fe ? fieldErrorMessage(t, fe) : undefined
  }
  const otherFieldErrors = Object.entries(fields).filter(([f]) => !(FORM_FIELDS as readonly string[]).includes(f))
  const showGeneral = err && (Object.keys(fields).length === 0 || otherFieldErrors.length > 0)

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }))
  const toggleModel = (m: string) => {
    const list = parseModels(draft.models)
    set('models', (list.includes(m) ? list.filter((x) => x !== m) : [...list, m]).join(', '))
  }

  const applyPreset = (key: string) => {
    setPreset(key)
    const p = presetByKey(key)
    if (!p) return
    setDraft((d) => ({ ...d, name: d.name || p.id, type: p.type, base_url: p.base_url, models: p.models.join(', '),
      claude_models: p.claude_models ?? {} }))
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const body = toNewChannel(draft)
    if (editing) {
      const patch: ChannelPatch & { api_keys?: string[] } = { ...body }
      if (!body.api_key) delete patch.api_key
      update.mutate({ id: channel.id, patch }, { onSuccess: (c) => onDone(c.name, false) })
    } else {
      create.mutate(body, { onSuccess: (c) => onDone(c.name, true) })
    }
  }

  return (
    <Dialog open title={t(editing ? 'form.editTitle' : 'form.title')} onClose={onCancel} wide>
      <form noValidate onSubmit={submit} data-testid="channel-form">
        <div className="grid gap-4 sm:grid-cols-2">
          {!editing && (
            <Field label={t('form.preset')} field="preset" help={t('form.presetHelp')} wide>
              <select className="input" value={preset} onChange={(e) => applyPreset(e.target.value)} data-testid="channel-preset-select">
                <option value="">{t('form.presetNone')}</option>
                {PRESET_GROUPS.map((g) => (
                  <optgroup key={g} label={t(`presets.groups.${g}`)}>
                    {PRESETS.filter((p) => p.group === g).map((p) => (
                      <option key={p.id} value={p.id}>{presetName(p, t)}</option>
                    ))}
                  </optgroup>
                ))}
              </select>
            </Field>
          )}
          <Field label={t('form.name')} error={fieldError('name')} field="name">
            {/* The dialog's first text field: <dialog> gives it focus on open, as the dialog pattern asks. */}
            {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
            <input autoFocus className="input" value={draft.name} onChange={(e) => set('name', e.target.value)} placeholder={t('form.namePlaceholder')}
              aria-invalid={!!fieldError('name')} data-testid="channel-name-input" />
          </Field>
          <Field label={t('form.type')} error={fieldError('type')} field="type">
            <select className="input" value={draft.type} onChange={(e) => set('type', e.target.value as ChannelType)}
              aria-invalid={!!fieldError('type')} data-testid="channel-type-select">
              {CHANNEL_TYPES.map((ty) => (
                <option key={ty} value={ty}>{t(`channels.types.${ty}`)}</option>
              ))}
            </select>
          </Field>
          <Field label={t('form.baseUrl')} error={fieldError('base_url')} help={t('form.baseUrlHelp')} field="base_url" wide>
            <input className="input font-mono" type="text" inputMode="url" value={draft.base_url} onChange={(e) => set('base_url', e.target.value)}
              placeholder={BASE_URL_PLACEHOLDERS[draft.type]} aria-invalid={!!fieldError('base_url')} data-testid="channel-base-url-input" />
          </Field>
          <Field label={t('form.apiKey')} error={fieldError('api_key') ?? fieldError('api_keys')}
            help={t(editing ? 'form.apiKeyKeep' : 'form.apiKeyHelp')} field="api_key" wide>
            <input className="input font-mono" type="password" autoComplete="off" value={draft.api_key} onChange={(e) => set('api_key', e.target.value)}
              placeholder={editing ? (channel.api_key_previews ?? [channel.api_key_preview]).join(', ') : undefined}
              aria-invalid={!!fieldError('api_key')} data-testid="channel-api-key-input" />
          </Field>
          <Field label={t('form.models')} error={fieldError('models')} help={t('form.modelsHelp')} field="models" wide>
            <input className="input font-mono" value={draft.models} onChange={(e) => set('models', e.target.value)} placeholder={t('form.modelsPlaceholder')}
              aria-invalid={!!fieldError('models')} data-testid="channel-models-input" />
          </Field>
          <ModelPicker fetch={fetchModels} selected={parseModels(draft.models)} onToggle={toggleModel} />
          <Field label={t('form.priority')} error={fieldError('priority')} help={t('form.priorityHelp')} field="priority">
            <input className="input" type="number" min={0} step={1} value={draft.priority} onChange={(e) => set('priority', e.target.value)}
              aria-invalid={!!fieldError('priority')} data-testid="channel-priority-input" />
          </Field>
          <Field label={t('form.weight')} error={fieldError('weight')} help={t('form.weightHelp')} field="weight">
            <input className="input" type="number" min={1} step={1} value={draft.weight} onChange={(e) => set('weight', e.target.value)}
              aria-invalid={!!fieldError('weight')} data-testid="channel-weight-input" />
          </Field>
          <details className="sm:col-span-2" data-testid="section-claude-slots">
            <summary className="cursor-pointer text-sm font-medium">{t('accounts.slots.title')}</summary>
            <div className="pt-3"><ClaudeSlotsEditor value={draft.claude_models} onChange={(v) => set('claude_models', v)} /></div>
          </details>
          <details className="sm:col-span-2" data-testid="section-balance-query">
            <summary className="cursor-pointer text-sm font-medium">{t('accounts.query.title')}</summary>
            <div className="pt-3"><BalanceQueryEditor value={draft.balance_query} onChange={(v) => set('balance_query', v)} builtin={builtin} /></div>
          </details>
        </div>

        {showGeneral && (
          <div role="alert" data-testid="form-error"
            className="mt-4 rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300">
            <p>{t('form.failed', { message: errorMessage(t, err) })}</p>
            {otherFieldErrors.length > 0 && (
              <ul className="mt-1 list-inside list-disc">
                {otherFieldErrors.map(([f, fe]) => (
                  <li key={f}>
                    <span className="font-mono">{f}</span>
                    {`: ${fieldErrorMessage(t, fe)}`}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}

        {(test.data || test.error) && (
          <div className="mt-4">
            <TestResultView result={test.data} error={test.error} />
          </div>
        )}

        <div className="mt-6 flex flex-wrap items-center justify-between gap-2">
          <Button onClick={() => test.mutate(toNewChannel(draft))} disabled={test.isPending} data-testid="channel-dialog-test">
            {test.isPending ? t('channels.test.running') : t('channels.test.button')}
          </Button>
          <div className="flex gap-2">
            <Button variant="ghost" onClick={onCancel} data-testid="channel-cancel">{t('form.cancel')}</Button>
            <Button type="submit" variant="primary" disabled={save.isPending} data-testid="channel-submit">
              {save.isPending ? t('form.submitting') : t(editing ? 'form.save' : 'form.submit')}
            </Button>
          </div>
        </div>
      </form>
    </Dialog>
  )
}
