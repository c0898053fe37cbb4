import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, type ApiKey } from '../../api/client'
import { errorMessage, fieldErrorMessage } from '../../api/errors'
import { useCreateKey, useInfo, useUpdateKey } from '../../api/queries'
import { Button } from '../../components/Button'
import { Dialog, Field } from '../../components/ui'
import { EMPTY_KEY, draftOfKey, toKeyInput, type KeyDraft } from './keyForm'

/** Fields of the form that show their own error; others go to the form-level alert. */
const FORM_FIELDS = ['name', 'owner', 'expires_at', 'models', 'channels', 'rpm', 'tpm', 'budget_daily_usd', 'budget_monthly_usd'] as const

/** The secret of a key just made, shown this once, with a copy button and how to use it. */
function SecretPanel({ created, onDone }: { created: ApiKey; onDone: () => void }) {
  const { t } = useTranslation()
  const info = useInfo()
  const [copied, setCopied] = useState(false)
  const secret = created.key ?? ''
  const base = info.data?.base_url ?? window.location.origin
  const copy = async () => {
    await navigator.clipboard?.writeText(secret).catch(() => undefined)
    setCopied(true)
    setTimeout(() => setCopied(false), 1500)
  }
  return (
    <div className="space-y-4" data-testid="key-secret-panel">
      <p className="text-sm">{t('keys.secret.intro', { name: created.name })}</p>
      <div className="flex items-center gap-2">
        <code className="min-w-0 flex-1 break-all rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm dark:border-slate-800 dark:bg-slate-950"
          data-testid="key-secret">{secret}</code>
        <Button onClick={() => void copy()} data-testid="key-copy">{t(copied ? 'keys.secret.copied' : 'keys.secret.copy')}</Button>
      </div>
      <p role="alert" className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200">
        {t('keys.secret.once')}
      </p>
      <div className="space-y-1 text-sm">
        <p className="text-slate-600 dark:text-slate-400">{t('keys.secret.use')}</p>
        <pre className="overflow-x-auto rounded-lg bg-slate-950 px-3 py-2 font-mono text-xs text-slate-100" data-testid="key-usage-snippet">
          {`ANTHROPIC_BASE_URL=${base}\nANTHROPIC_AUTH_TOKEN=${secret}`}
        </pre>
      </div>
      <div className="flex justify-end">
        <Button variant="primary" onClick={onDone} data-testid="key-secret-done">{t('keys.secret.done')}</Button>
      </div>
    </div>
  )
}

interface Props {
  /** The key being edited; absent to create one. */
  apiKey?: ApiKey
  onDone: (name: string, created: boolean) => void
  onCancel: () => void
}

export function KeyDialog({ apiKey, onDone, onCancel }: Props) {
  const { t } = useTranslation()
  const create = useCreateKey()
  const update = useUpdateKey()
  const editing = apiKey !== undefined
  const save = editing ? update : create
  const [draft, setDraft] = useState<KeyDraft>(apiKey ? draftOfKey(apiKey) : EMPTY_KEY)
  const [created, setCreated] = useState<ApiKey | null>(null)

  const err = save.error
  const fields = err instanceof ApiError ? err.fields : {}
  const fieldError = (f: string): string | undefined => {
    const fe = fields[f]
    return fe ? fieldErrorMessage(t, fe) : undefined
  }
  const others = Object.entries(fields).filter(([f]) => !(FORM_FIELDS as readonly string[]).includes(f))
  const showGeneral = err && (Object.keys(fields).length === 0 || others.length > 0)
  const set = <K extends keyof KeyDraft>(k: K, v: KeyDraft[K]) => setDraft((d) => ({ ...d, [k]: v }))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const body = toKeyInput(draft)
    if (editing) update.mutate({ id: apiKey.id, patch: body }, { onSuccess: (k) => onDone(k.name, false) })
    else create.mutate(body, { onSuccess: (k) => setCreated(k) })
  }

  if (created) {
    return (
      <Dialog open title={t('keys.secret.title')} onClose={() => onDone(created.name, true)} testId="key-dialog">
        <SecretPanel created={created} onDone={() => onDone(created.name, true)} />
      </Dialog>
    )
  }

  const input = (k: keyof KeyDraft, field: string, extra: Record<string, unknown> = {}) => (
    <input className="input" value={draft[k]} onChange={(e) => set(k, e.target.value)} aria-invalid={!!fieldError(field)}
      data-testid={`key-${field}-input`} {...extra} />
  )

  return (
    <Dialog open title={t(editing ? 'keys.form.editTitle' : 'keys.form.title')} onClose={onCancel} wide testId="key-dialog">
      <form noValidate onSubmit={submit} data-testid="key-form">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('keys.form.name')} error={fieldError('name')} help={t('keys.form.nameHelp')} field="name">
            {input('name', 'name', { autoFocus: true, placeholder: t('keys.form.namePlaceholder') })}
          </Field>
          <Field label={t('keys.form.owner')} error={fieldError('owner')} help={t('keys.form.ownerHelp')} field="owner">
            {input('owner', 'owner')}
          </Field>
          <Field label={t('keys.form.models')} error={fieldError('models')} help={t('keys.form.modelsHelp')} field="models" wide>
            {input('models', 'models', { placeholder: t('keys.form.modelsPlaceholder') })}
          </Field>
          <Field label={t('keys.form.channels')} error={fieldError('channels')} help={t('keys.form.channelsHelp')} field="channels" wide>
            {input('channels', 'channels')}
          </Field>
          <Field label={t('keys.form.rpm')} error={fieldError('rpm')} help={t('keys.form.noLimitHelp')} field="rpm">
            {input('rpm', 'rpm', { type: 'number', min: 0, step: 1 })}
          </Field>
          <Field label={t('keys.form.tpm')} error={fieldError('tpm')} help={t('keys.form.tpmHelp')} field="tpm">
            {input('tpm', 'tpm', { type: 'number', min: 0, step: 1 })}
          </Field>
          <Field label={t('keys.form.daily')} error={fieldError('budget_daily_usd')} help={t('keys.form.budgetHelp')} field="budget_daily_usd">
            {input('daily', 'budget_daily_usd', { type: 'number', min: 0, step: 0.01 })}
          </Field>
          <Field label={t('keys.form.monthly')} error={fieldError('budget_monthly_usd')} help={t('keys.form.budgetHelp')} field="budget_monthly_usd">
            {input('monthly', 'budget_monthly_usd', { type: 'number', min: 0, step: 0.01 })}
          </Field>
          <Field label={t('keys.form.expires')} error={fieldError('expires_at')} help={t('keys.form.expiresHelp')} field="expires_at">
            {input('expires', 'expires_at', { type: 'date' })}
          </Field>
        </div>

        {showGeneral && (
          <div role="alert" data-testid="key-form-error"
            className="mt-4 rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300">
            {t('keys.form.failed', { message: errorMessage(t, err) })}
          </div>
        )}

        <div className="mt-6 flex justify-end gap-2">
          <Button variant="ghost" onClick={onCancel} data-testid="key-cancel">{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" disabled={save.isPending} data-testid="key-submit">
            {save.isPending ? t('keys.form.saving') : t(editing ? 'keys.form.save' : 'keys.form.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  )
}
