import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react'

/** One entry of a Menu. */
export interface MenuItem {
  key: string
  label: ReactNode
  /** Shown after the label, smaller (a model, a health word). */
  hint?: ReactNode
  onSelect: () => void
  disabled?: boolean
  danger?: boolean
  /** Marks the current choice (aria-checked). */
  checked?: boolean
  testId?: string
}

interface Props {
  /** The button's content. */
  label: ReactNode
  /** The button's accessible name when its content is an icon. */
  ariaLabel?: string
  items: MenuItem[]
  /** Which edge of the button the list lines up with (keep it inside the window). */
  align?: 'left' | 'right'
  buttonClassName?: string
  testId?: string
  /** A heading inside the list. */
  title?: string
  disabled?: boolean
  /** Classes of the wrapper (its width in a layout). */
  className?: string
}

/**
 * A button that opens a list of actions: the secondary actions of a row,
 * the provider switcher. Keyboard: Enter, Space or ↓ open it with the
 * current (or first) item focused, ↑/↓ move, Enter picks, Esc closes.
 */
export function Menu({ label, ariaLabel, items, align = 'right', buttonClassName = '', testId, title, disabled, className = '' }: Props) {
  const [open, setOpen] = useState(false)
  const [focus, setFocus] = useState(0)
  const box = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)
  const list = useRef<HTMLDivElement>(null)
  const id = useId()
  const enabled = items.map((it, i) => (it.disabled ? -1 : i)).filter((i) => i >= 0)

  useEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false)
    }
    window.addEventListener('mousedown', onDown)
    return () => window.removeEventListener('mousedown', onDown)
  }, [open])

  useEffect(() => {
    if (open) list.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]')[focus]?.focus()
  }, [open, focus])

  const show = () => {
    const checked = items.findIndex((it) => it.checked && !it.disabled)
    setFocus(checked >= 0 ? checked : (enabled[0] ?? 0))
    setOpen(true)
  }
  const close = () => {
    setOpen(false)
    button.current?.focus()
  }
  const step = (d: number) => {
    const at = enabled.indexOf(focus)
    const next = enabled[(at + d + enabled.length) % enabled.length]
    if (next !== undefined) setFocus(next)
  }
  const onButtonKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault()
      show()
    }
  }
  const onListKey = (e: KeyboardEvent) => {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault()
        step(1)
        break
      case 'ArrowUp':
        e.preventDefault()
        step(-1)
        break
      case 'Home':
        e.preventDefault()
        if (enabled[0] !== undefined) setFocus(enabled[0])
        break
      case 'End':
        e.preventDefault()
        if (enabled.length) setFocus(enabled[enabled.length - 1] ?? 0)
        break
      case 'Escape':
        e.preventDefault()
        close()
        break
      case 'Tab':
        setOpen(false)
        break
    }
  }
  const hasChecks = items.some((it) => it.checked !== undefined)

  return (
    <div className={'relative inline-block ' + className} ref={box}>
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={ariaLabel}
        disabled={disabled}
        onClick={() => (open ? setOpen(false) : show())}
        onKeyDown={onButtonKey}
        data-testid={testId}
        className={
          'inline-flex items-center gap-1.5 rounded-lg text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 ' +
          'focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-50 ' +
          (buttonClassName || 'px-2 py-1 text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800')
        }
      >
        {label}
      </button>
      {open && (
        <div
          ref={list}
          id={id}
          role="menu"
          tabIndex={-1}
          aria-label={title ?? ariaLabel}
          onKeyDown={onListKey}
          data-testid={testId ? `${testId}-list` : undefined}
          className={
            'absolute z-30 mt-1 max-h-80 min-w-48 overflow-y-auto rounded-xl border border-slate-200 bg-white p-1 shadow-lg ' +
            'dark:border-slate-700 dark:bg-slate-900 ' + (align === 'right' ? 'right-0' : 'left-0')
          }
        >
          {title && <div className="px-3 py-1.5 text-xs font-medium text-slate-600 dark:text-slate-400">{title}</div>}
          {items.map((it, i) => (
            <button
              key={it.key}
              type="button"
              role={hasChecks ? 'menuitemradio' : 'menuitem'}
              aria-checked={hasChecks ? !!it.checked : undefined}
              tabIndex={i === focus ? 0 : -1}
              disabled={it.disabled}
              data-testid={it.testId}
              onClick={() => {
                setOpen(false)
                button.current?.focus()
                it.onSelect()
              }}
              className={
                'flex w-full items-center justify-between gap-4 rounded-lg px-3 py-2 text-left text-sm whitespace-nowrap ' +
                'hover:bg-slate-100 focus:bg-slate-100 focus:outline-none disabled:cursor-not-allowed disabled:opacity-50 ' +
                'dark:hover:bg-slate-800 dark:focus:bg-slate-800 ' +
                (it.danger ? 'text-red-700 dark:text-red-400' : 'text-slate-800 dark:text-slate-100')
              }
            >
              <span className="flex min-w-0 items-center gap-2">
                {hasChecks && (
                  <span aria-hidden="true" className={'w-3 ' + (it.checked ? 'text-indigo-600 dark:text-indigo-400' : 'text-transparent')}>
                    ●
                  </span>
                )}
                <span className="truncate">{it.label}</span>
              </span>
              {it.hint && <span className="text-xs text-slate-600 dark:text-slate-400">{it.hint}</span>}
            </button>
          ))}
        </div>
      )}
    </div>
  )
}
