// Small presentational pieces shared by the pages.
import { useEffect, useRef, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../api/errors'
import { Button } from './Button'

export const card = 'rounded-2xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900'

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: string; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-end justify-between gap-4">
      <div>
        <h2 className="text-2xl font-semibold tracking-tight">{title}</h2>
        {subtitle && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{subtitle}</p>}
      </div>
      {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
    </div>
  )
}

type Tone = 'green' | 'red' | 'amber' | 'slate' | 'indigo' | 'sky'
const tones: Record<Tone, string> = {
  green: 'bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-400/20',
  red: 'bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-950 dark:text-red-300 dark:ring-red-400/20',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-400/20',
  slate: 'bg-slate-100 text-slate-700 ring-slate-500/20 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-400/20',
  indigo: 'bg-indigo-50 text-indigo-700 ring-indigo-600/20 dark:bg-indigo-950 dark:text-indigo-300 dark:ring-indigo-400/20',
  sky: 'bg-sky-50 text-sky-700 ring-sky-600/20 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-400/20',
}

export function Badge({ tone = 'slate', children, title, testId, wrap }: { tone?: Tone; children: ReactNode; title?: string; testId?: string; wrap?: boolean }) {
  return (
    <span
      title={title}
      data-testid={testId}
      className={'inline-flex items-center gap-1 rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset ' + (wrap ? '' : 'whitespace-nowrap ') + tones[tone]}
    >
      {children}
    </span>
  )
}

/** The badge colour of an HTTP status. */
export function statusTone(status: number): Tone {
  if (status >= 200 && status < 300) return 'green'
  if (status === 429 || (status >= 400 && status < 500)) return 'amber'
  return 'red'
}

export function ErrorBox({ error, onRetry, testId }: { error: unknown; onRetry?: () => void; testId?: string }) {
  const { t } = useTranslation()
  return (
    <div
      role="alert"
      data-testid={testId}
      className="flex items-center justify-between gap-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-300"
    >
      <span>{t('common.loadFailed', { message: errorMessage(t, error) })}</span>
      {onRetry && <Button onClick={onRetry}>{t('common.retry')}</Button>}
    </div>
  )
}

export function Notice({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p
      role="status"
      data-testid={testId}
      className="rounded-lg border border-slate-200 bg-slate-50 px-4 py-3 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400"
    >
      {children}
    </p>
  )
}

/** A row of mutually exclusive buttons (range, theme, language). */
export function Segmented<T extends string>(props: {
  value: T
  options: readonly T[]
  label: string
  render: (v: T) => string
  onChange: (v: T) => void
  testId?: string
}) {
  return (
    <div role="group" aria-label={props.label} data-testid={props.testId}
      className="inline-flex rounded-lg border border-slate-200 bg-white p-0.5 text-sm dark:border-slate-700 dark:bg-slate-900">
      {props.options.map((o) => (
        <button
          key={o}
          type="button"
          aria-pressed={props.value === o}
          data-testid={props.testId ? `${props.testId}-${o}` : undefined}
          onClick={() => props.onChange(o)}
          className={
            'rounded-md px-2.5 py-1 whitespace-nowrap transition-colors focus-visible:outline-2 focus-visible:outline-indigo-500 ' +
            (props.value === o
              ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900'
              : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800')
          }
        >
          {props.render(o)}
        </button>
      ))}
    </div>
  )
}

/**
 * A modal dialog on <dialog>: focus trap, Escape and backdrop come from the
 * platform. The body scrolls; the footer (the buttons) stays in view
 * whatever the body holds. With onSubmit the body and footer are one form.
 */
export function Dialog(props: {
  open: boolean
  title: string
  onClose: () => void
  children: ReactNode
  footer?: ReactNode
  onSubmit?: (e: FormEvent) => void
  wide?: boolean
  testId?: string
  formTestId?: string
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (props.open && !d.open) {
      if (typeof d.showModal === 'function') d.showModal()
      else d.setAttribute('open', '')
    }
    if (!props.open && d.open) {
      if (typeof d.close === 'function') d.close()
      else d.removeAttribute('open')
    }
  }, [props.open])
  if (!props.open) return null
  const inner = (
    <>
      <div className="min-h-0 flex-1 overflow-y-auto px-6 pb-4" data-testid="dialog-body">{props.children}</div>
      {props.footer && (
        <div className="shrink-0 border-t border-slate-200 px-6 py-4 dark:border-slate-800" data-testid="dialog-footer">{props.footer}</div>
      )}
    </>
  )
  return (
    <dialog
      ref={ref}
      aria-label={props.title}
      data-testid={props.testId}
      onCancel={(e) => {
        e.preventDefault()
        props.onClose()
      }}
      className={
        'm-auto w-[calc(100%-2rem)] rounded-2xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 ' +
        'dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100 ' + (props.wide ? 'max-w-3xl' : 'max-w-xl')
      }
    >
      <div className="flex max-h-[85vh] flex-col">
        <h3 className="shrink-0 px-6 pt-6 pb-4 text-lg font-semibold">{props.title}</h3>
        {props.onSubmit ? (
          <form noValidate onSubmit={props.onSubmit} className="flex min-h-0 flex-1 flex-col" data-testid={props.formTestId}>{inner}</form>
        ) : (
          inner
        )}
      </div>
    </dialog>
  )
}

/** Asks before something that cannot be undone; the buttons always show. */
export function ConfirmDialog(props: {
  open: boolean
  title: string
  body: ReactNode
  confirm: string
  onConfirm: () => void
  onClose: () => void
  pending?: boolean
  testId?: string
}) {
  const { t } = useTranslation()
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose} testId={props.testId}
      footer={
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="ghost" onClick={props.onClose} data-testid="confirm-cancel">{t('common.cancel')}</Button>
          <Button variant="danger" disabled={props.pending} onClick={props.onConfirm} data-testid="confirm-ok">{props.confirm}</Button>
        </div>
      }>
      <div className="text-sm break-words text-slate-700 dark:text-slate-300">{props.body}</div>
    </Dialog>
  )
}

/** A panel sliding in from the right, for details. */
export function Drawer(props: { open: boolean; title: string; onClose: () => void; children: ReactNode; testId?: string }) {
  const { t } = useTranslation()
  const { open, onClose } = props
  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose()
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [open, onClose])
  if (!props.open) return null
  return (
    <div className="fixed inset-0 z-40 flex justify-end" data-testid={props.testId}>
      <button type="button" aria-label={t('common.close')} className="absolute inset-0 bg-slate-950/40" onClick={props.onClose} />
      <aside role="dialog" aria-modal="true" aria-label={props.title}
        className="relative flex h-full w-full max-w-2xl flex-col border-l border-slate-200 bg-white shadow-2xl dark:border-slate-800 dark:bg-slate-900">
        <div className="flex items-center justify-between border-b border-slate-200 px-6 py-4 dark:border-slate-800">
          <h3 className="text-lg font-semibold">{props.title}</h3>
          <Button variant="ghost" onClick={props.onClose} data-testid="drawer-close">{t('common.close')}</Button>
        </div>
        <div className="flex-1 overflow-y-auto px-6 py-5">{props.children}</div>
      </aside>
    </div>
  )
}

/** A labelled form control with its error or help line below. */
export function Field(props: { label: string; field: string; error?: string; help?: string; wide?: boolean; children: ReactNode }) {
  return (
    <label className={'block space-y-1.5' + (props.wide ? ' sm:col-span-2' : '')}>
      <span className="text-sm font-medium text-slate-700 dark:text-slate-300">{props.label}</span>
      {props.children}
      {props.error ? (
        <span className="block text-xs text-red-700 dark:text-red-400" role="alert" data-testid={`field-error-${props.field}`}>
          {props.error}
        </span>
      ) : (
        props.help && <span className="block text-xs text-slate-600 dark:text-slate-400">{props.help}</span>
      )}
    </label>
  )
}
