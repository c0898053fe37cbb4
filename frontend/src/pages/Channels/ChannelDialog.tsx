import { useState, type FormEvent } from 'react'
import { useMutation } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { ApiError, CHANNEL_TYPES, api, type Channel, type ChannelType, type Preset } from '../../api/client'
import { useBalances } from '../../api/accountQueries'
import { accountsApi } from '../../api/accounts'
import { errorMessage, fieldErrorMessage } from '../../api/errors'
import { useChannels, useCreateChannel, useUpdateChannel } from '../../api/queries'
import { Button } from '../../components/Button'
import { Dialog, Field } from '../../components/ui'
import { HeadersEditor, LimitsEditor, TransformersEditor } from './AdvancedEditor'
import { EMPTY, draftOf, needsKey, rowId, toNewChannel, toPatch, validate, type Draft } from './draft'
import { KeysEditor } from './KeysEditor'
import { ModelMapEditor, ModelsEditor } from './ModelsEditor'
import { PresetLinks, PresetPicker } from './PresetPicker'
import { presetByKey } from './presets'
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

/** Fields that show an error of their own; others go to the form-level alert. */
const FORM_FIELDS = ['name', 'type', 'base_url', 'api_key', 'api_keys', 'keep_keys', 'models', 'model_map', 'headers', 'transformers', 'timeout_ms',
  'priority', 'weight'] as const

function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800" data-testid={testId}>
      <h4 className="text-sm font-semibold text-slate-800 dark:text-slate-200">{title}</h4>
      {children}
    </section>
  )
}

interface Props {
  /** The channel being edited; absent to add one. */
  channel?: Channel
  onDone: (name: string, created: boolean) => void
  onCancel: () => void
  /** Extra actions beside the models (fetch them from the provider). */
  modelActions?: (draft: Draft, setModels: (m: string[]) => void) => React.ReactNode
}

/** The whole channel in one form: provider, keys, models and model map, headers, transformers, limits. */
export function ChannelDialog({ channel, onDone, onCancel, modelActions }: Props) {
  const { t } = useTranslation()
  const create = useCreateChannel()
  const update = useUpdateChannel()
  const channels = useChannels()
  // Editing, the draft goes with the channel's id: with no key typed the engine uses the stored one.
  const test = useMutation({ mutationFn: () => api.testDraft(channel ? { ...toNewChannel(draft), id: channel.id } : toNewChannel(draft)) })
  const [draft, setDraft] = useState<Draft>(() => (channel ? draftOf(channel) : EMPTY))
  const [tried, setTried] = useState(false)
  const editing = channel !== undefined
  const save = editing ? update : create
  const balances = useBalances()
  const builtin = balances.data?.balances.find((b) => b.channel_id === channel?.id && b.provider !== 'custom')?.provider || undefined
  // A saved channel whose URL, type and keys are unchanged refreshes its
  // cached list (which /v1/models lists too); a draft is asked as typed.
  const fetchModels = () =>
    channel && draft.base_url.trim() === channel.base_url && draft.type === channel.type && !draft.keys.some((k) => k.value.trim())
      ? accountsApi.channelModels(channel.id, true)
      : accountsApi.draftModels({ ...toNewChannel(draft), id: channel?.id })
  const err = save.error
  const fields = err instanceof ApiError ? err.fields : {}
  const local = validate(draft)
  const fieldError = (f: string): string | undefined => {
    const mine = (local as Record<string, string | undefined>)[f]
    if (mine && (tried || f === 'api_key' || f === 'transformers')) return t(mine)
    const fe = fields[f] ?? (f === 'api_key' ? (fields.api_keys ?? fields.keep_keys) : undefined)
    return fe ? fieldErrorMessage(t, fe) : undefined
  }
  const otherFieldErrors = Object.entries(fields).filter(([f]) => !(FORM_FIELDS as readonly string[]).includes(f))
  const showGeneral = err && (Object.keys(fields).length === 0 || otherFieldErrors.length > 0)
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }))
  const keyMissing = needsKey(draft.base_url, draft.preset) && !draft.keys.some((k) => k.stored !== undefined || k.value.trim())
  const preset = presetByKey(draft.preset)
  const toggleModel = (m: string) => set({ models: draft.models.includes(m) ? draft.models.filter((x) => x !== m) : [...draft.models, m] })
  const taken = (name: string) => (channels.data ?? []).some((c) => c.id !== channel?.id && c.name.toLowerCase() === name.toLowerCase())

  const pick = (p: Preset | null) => {
    if (!p) {
      set({ preset: '' })
      return
    }
    let name = p.id
    for (let n = 2; taken(name); n++) name = `${p.id}-${n}`
    setDraft((d) => ({
      ...d, preset: p.id, name: d.name || name, type: p.type, base_url: p.base_url, models: [...p.models], claude_models: p.claude_models ?? {},
      keys: d.keys.length || !p.needs_key ? d.keys : [{ id: rowId(), value: '' }],
    }))
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    if (Object.keys(local).length > 0) return
    if (editing) {
      update.mutate({ id: channel.id, patch: toPatch(draft, channel.key_count || (channel.api_key_preview ? 1 : 0)) }, {
        onSuccess: (c) => onDone(c.name, false),
      })
    } else {
      create.mutate(toNewChannel(draft), { onSuccess: (c) => onDone(c.name, true) })
    }
  }

  const footer = (
    <div className="space-y-3">
    {(test.data || test.error) && (
      // The test's result shows above the buttons, however long: it scrolls, they stay.
      <div className="max-h-40 overflow-y-auto" data-testid="dialog-test-result">
        <TestResultView result={test.data} error={test.error} onUseModels={(found) => set({ models: [...found] })} />
      </div>
    )}
    <div className="flex flex-wrap items-center justify-between gap-2">
      <Button onClick={() => test.mutate()} disabled={test.isPending} data-testid="channel-dialog-test">
        {test.isPending ? t('channels.test.running') : t('channels.test.button')}
      </Button>
      <div className="flex flex-wrap items-center gap-2">
        {keyMissing && <span className="text-sm font-medium text-red-700 dark:text-red-400" data-testid="footer-no-key">{t('form.noKeyShort')}</span>}
        <Button variant="ghost" onClick={onCancel} data-testid="channel-cancel">{t('form.cancel')}</Button>
        <Button type="submit" variant="primary" disabled={save.isPending || keyMissing} data-testid="channel-submit">
          {save.isPending ? t('form.submitting') : t(editing ? 'form.save' : 'form.submit')}
        </Button>
      </div>
    </div>
    </div>
  )

  return (
    <Dialog open title={t(editing ? 'form.editTitle' : 'form.title')} onClose={onCancel} wide onSubmit={submit} footer={footer}
      testId="channel-dialog" formTestId="channel-form">
      <div className="space-y-4">
        {!editing && (
          <Field label={t('form.preset')} field="preset" help={t('form.presetHelp')}>
            <PresetPicker selected={draft.preset} onPick={pick} />
          </Field>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('form.name')} error={fieldError('name')} field="name">
            {/* The dialog's first text field when editing: <dialog> gives it focus on open. */}
            {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
            <input autoFocus={editing} className="input" value={draft.name} onChange={(e) => set({ name: e.target.value })} placeholder={t('form.namePlaceholder')}
              aria-invalid={!!fieldError('name')} data-testid="channel-name-input" />
          </Field>
          <Field label={t('form.type')} error={fieldError('type')} field="type">
            <select className="input" value={draft.type} onChange={(e) => set({ type: e.target.value as ChannelType })}
              aria-invalid={!!fieldError('type')} data-testid="channel-type-select">
              {CHANNEL_TYPES.map((ty) => (
                <option key={ty} value={ty}>{t(`channels.types.${ty}`)}</option>
              ))}
            </select>
          </Field>
          <Field label={t('form.baseUrl')} error={fieldError('base_url')} help={t('form.baseUrlHelp')} field="base_url" wide>
            <input className="input font-mono" type="text" inputMode="url" value={draft.base_url} onChange={(e) => set({ base_url: e.target.value })}
              placeholder={BASE_URL_PLACEHOLDERS[draft.type]} aria-invalid={!!fieldError('base_url')} data-testid="channel-base-url-input" />
          </Field>
        </div>

        <Section title={t('form.keys')} testId="section-keys">
          {preset && <PresetLinks preset={preset} />}
          <KeysEditor keys={draft.keys} onChange={(keys) => set({ keys })} channel={channel} body={() => toNewChannel(draft)} missing={keyMissing} />
          {fieldError('api_key') && !keyMissing && (
            <p role="alert" className="text-xs text-red-700 dark:text-red-400" data-testid="field-error-api_key">{fieldError('api_key')}</p>
          )}
        </Section>

        <Section title={t('form.models')} testId="section-models">
          <p className="text-xs text-slate-600 dark:text-slate-400">{t('form.modelsHelp')}</p>
          <ModelsEditor models={draft.models} onChange={(models) => set({ models })}
            actions={modelActions?.(draft, (models) => set({ models }))} />
          <ModelPicker fetch={fetchModels} selected={draft.models} onToggle={toggleModel} />
          {fieldError('models') && <p role="alert" className="text-xs text-red-700 dark:text-red-400" data-testid="field-error-models">{fieldError('models')}</p>}
          <div className="pt-1">
            <div className="text-sm font-medium text-slate-800 dark:text-slate-200">{t('form.modelMap')}</div>
            <p className="mb-2 text-xs text-slate-600 dark:text-slate-400">{t('form.modelMapHelp')}</p>
            <ModelMapEditor rows={draft.modelMap} models={draft.models} onChange={(modelMap) => set({ modelMap })} error={fieldError('model_map')} />
          </div>
        </Section>

        <details className="border-t border-slate-200 pt-4 dark:border-slate-800" data-testid="section-claude-slots">
          <summary className="cursor-pointer text-sm font-semibold text-slate-800 dark:text-slate-200">{t('accounts.slots.title')}</summary>
          <div className="pt-3"><ClaudeSlotsEditor value={draft.claude_models} onChange={(claude_models) => set({ claude_models })} /></div>
        </details>

        <details className="border-t border-slate-200 pt-4 dark:border-slate-800" data-testid="section-balance-query">
          <summary className="cursor-pointer text-sm font-semibold text-slate-800 dark:text-slate-200">{t('accounts.query.title')}</summary>
          <div className="pt-3"><BalanceQueryEditor value={draft.balance_query} onChange={(balance_query) => set({ balance_query })} builtin={builtin} /></div>
        </details>

        <details className="group border-t border-slate-200 pt-4 dark:border-slate-800" data-testid="section-advanced"
          open={!!(fieldError('headers') || fieldError('transformers') || fieldError('timeout_ms') || fieldError('priority') || fieldError('weight')) || undefined}>
          <summary className="cursor-pointer text-sm font-semibold text-slate-800 dark:text-slate-200">{t('form.advanced')}</summary>
          <div className="mt-3 space-y-5">
            <div>
              <div className="text-sm font-medium text-slate-800 dark:text-slate-200">{t('form.headers')}</div>
              <p className="mb-2 text-xs text-slate-600 dark:text-slate-400">{t('form.headersHelp')}</p>
              <HeadersEditor rows={draft.headers} onChange={(headers) => set({ headers })} error={fieldError('headers')} />
            </div>
            <div>
              <div className="text-sm font-medium text-slate-800 dark:text-slate-200">{t('form.transformers')}</div>
              <p className="mb-2 text-xs text-slate-600 dark:text-slate-400">{t('form.transformersHelp')}</p>
              <TransformersEditor draft={draft} set={set} error={fieldError('transformers')} />
            </div>
            <LimitsEditor draft={draft} set={set} fieldError={fieldError} />
          </div>
        </details>

        {showGeneral && (
          <div role="alert" data-testid="form-error"
            className="rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300">
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
      </div>
    </Dialog>
  )
}
