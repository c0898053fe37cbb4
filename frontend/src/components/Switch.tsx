interface Props {
  checked: boolean
  onChange: (checked: boolean) => void
  /** Accessible name; the switch has no visible text. */
  label: string
  disabled?: boolean
  'data-testid'?: string
}

export function Switch({ checked, onChange, label, disabled, ...rest }: Props) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      title={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={
        'relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors ' +
        'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60 ' +
        (checked ? 'bg-indigo-600 dark:bg-indigo-500' : 'bg-slate-300 dark:bg-slate-700')
      }
      data-testid={rest['data-testid']}
    >
      <span
        aria-hidden="true"
        className={
          'inline-block size-5 rounded-full bg-white shadow transition-transform ' +
          (checked ? 'translate-x-5' : 'translate-x-0.5')
        }
      />
    </button>
  )
}
