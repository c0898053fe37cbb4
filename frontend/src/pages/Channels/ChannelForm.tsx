import { useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, CHANNEL_TYPES, type ChannelType, type NewChannel } from '../../api/client'
import { errorMessage, fieldErrorMessage } from '../../api/errors'
import { useCreateChannel } from '../../api/queries'
import { Button } from '../../components/Button'

/** Where each provider documents its API; shown as the base URL placeholder. */
export const BASE_URL_PLACEHOLDERS: Record<ChannelType, string> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
}

/** Form fields that can show an error of their own; others go to the form-level alert. */
const FORM_FIELDS = ['name', 'type', 'base_url', 'api_key', 'models', 'priority'] as const
type FormField = (typeof FORM_FIELDS)[number]

interface Draft {
  name: string
  type: ChannelType
  base_url: string
  api_key: string
  models: string
  priority: string
}

const EMPTY: Draft = { name: '', type: 'openai', base_url: '', api_key: '', models: '', priority: '1' }

/** Splits "a, b,,c " into ["a","b","c"]. */
export function parseModels(s: string): string[] {
  return s
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '')
}

export function toNewChannel(d: Draft): NewChannel {
  const priority = Number(d.priority.trim())
  return {
    name: d.name.trim(),
    type: d.type,
    base_url: d.base_url.trim(),
    api_key: d.api_key.trim(),
    models: parseModels(d.models),
    // A non-number is sent as-is so the engine's range check names the field.
    priority: d.priority.trim() === '' ? 1 : Number.isFinite(priority) ? priority : NaN,
    weight: 1,
    enabled: true,
  }
}

interface Props {
  onCreated: (name: string) => void
  onCancel: () => void
}

export function ChannelForm({ onCreated, onCancel }: Props) {
  const { t } = useTranslation()
  const create = useCreateChannel()
  const [draft, setDraft] = useState<Draft>(EMPTY)

  const err = create.error
  const fields = err instanceof ApiError ? err.fields : {}
  const fieldError = (f: FormField): string | undefined => {
    const fe = fields[f]
    return fe ? fieldErrorMessage(t, fe) : undefined
  }
  const otherFieldErrors = Object.entries(fields).filter(([f]) => !(FORM_FIELDS as readonly string[]).includes(f))
  const showGeneral = err && (Object.keys(fields).length === 0 || otherFieldErrors.length > 0)

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const body = toNewChannel(draft)
    create.mutate(body, {
      onSuccess: (created) => {
        setDraft(EMPTY)
        create.reset()
        onCreated(created.name)
      },
    })
  }

  return (
    <form
      noValidate
      onSubmit={submit}
      className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      data-testid="channel-form"
    >
      <h3 className="mb-4 text-base font-semibold">{t('form.title')}</h3>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('form.name')} error={fieldError('name')} field="name">
          <input
            className="input"
            value={draft.name}
            onChange={(e) => set('name', e.target.value)}
            placeholder={t('form.namePlaceholder')}
            aria-invalid={!!fieldError('name')}
            autoFocus
            data-testid="channel-name-input"
          />
        </Field>
        <Field label={t('form.type')} error={fieldError('type')} field="type">
          <select
            className="input"
            value={draft.type}
            onChange={(e) => set('type', e.target.value as ChannelType)}
            aria-invalid={!!fieldError('type')}
            data-testid="channel-type-select"
          >
            {CHANNEL_TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {t(`channels.types.${ty}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t('form.baseUrl')}
          error={fieldError('base_url')}
          help={t('form.baseUrlHelp')}
          field="base_url"
          wide
        >
          <input
            className="input font-mono"
            type="text"
            inputMode="url"
            value={draft.base_url}
            onChange={(e) => set('base_url', e.target.value)}
            placeholder={BASE_URL_PLACEHOLDERS[draft.type]}
            aria-invalid={!!fieldError('base_url')}
            data-testid="channel-base-url-input"
          />
        </Field>
        <Field label={t('form.apiKey')} error={fieldError('api_key')} help={t('form.apiKeyHelp')} field="api_key" wide>
          <input
            className="input font-mono"
            type="password"
            autoComplete="off"
            value={draft.api_key}
            onChange={(e) => set('api_key', e.target.value)}
            aria-invalid={!!fieldError('api_key')}
            data-testid="channel-api-key-input"
          />
        </Field>
        <Field label={t('form.models')} error={fieldError('models')} help={t('form.modelsHelp')} field="models">
          <input
            className="input font-mono"
            value={draft.models}
            onChange={(e) => set('models', e.target.value)}
            placeholder={t('form.modelsPlaceholder')}
            aria-invalid={!!fieldError('models')}
            data-testid="channel-models-input"
          />
        </Field>
        <Field label={t('form.priority')} error={fieldError('priority')} field="priority">
          <input
            className="input"
            type="number"
            min={0}
            step={1}
            value={draft.priority}
            onChange={(e) => set('priority', e.target.value)}
            aria-invalid={!!fieldError('priority')}
            data-testid="channel-priority-input"
          />
        </Field>
      </div>

      {showGeneral && (
        <div
          role="alert"
          className="mt-4 rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300"
          data-testid="form-error"
        >
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

      <div className="mt-6 flex justify-end gap-2">
        <Button variant="ghost" onClick={onCancel} data-testid="channel-cancel">
          {t('form.cancel')}
        </Button>
        <Button type="submit" variant="primary" disabled={create.isPending} data-testid="channel-submit">
          {create.isPending ? t('form.submitting') : t('form.submit')}
        </Button>
      </div>
    </form>
  )
}

function Field(props: {
  label: string
  field: string
  error?: string
  help?: string
  wide?: boolean
  children: ReactNode
}) {
  return (
    <label className={'block space-y-1.5' + (props.wide ? ' sm:col-span-2' : '')}>
      <span className="text-sm font-medium text-slate-700 dark:text-slate-300">{props.label}</span>
      {props.children}
      {props.error ? (
        <span className="block text-xs text-red-600 dark:text-red-400" role="alert" data-testid={`field-error-${props.field}`}>
          {props.error}
        </span>
      ) : (
        props.help && <span className="block text-xs text-slate-500 dark:text-slate-400">{props.help}</span>
      )}
    </label>
  )
}
