import { useTranslation } from 'react-i18next'
import { PAGES, hrefFor, type Page } from '../lib/router'

const ICONS: Record<Page, string> = {
  dashboard: 'M3 13h8V3H3v10Zm0 8h8v-6H3v6Zm10 0h8V11h-8v10Zm0-18v6h8V3h-8Z',
  channels: 'M4 6h16M4 12h16M4 18h10',
  routing: 'M6 3v12a3 3 0 0 0 3 3h9m0 0-3-3m3 3-3 3M6 3 3 6m3-3 3 3',
  tools: 'M14.7 6.3a4 4 0 0 0-5.4 5.2L3 17.8 6.2 21l6.3-6.3a4 4 0 0 0 5.2-5.4l-2.6 2.6-2.3-.6-.6-2.3 2.5-2.7Z',
  logs: 'M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01',
  keys: 'M15 7a4 4 0 1 1-3.9 4.9L4 19v2h3v-2h2v-2h2l1.1-1.1A4 4 0 0 1 15 7Zm1.5 2.5h.01',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7.4-3a7.4 7.4 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7.3 7.3 0 0 0-2-1.2L14.5 3h-5l-.4 2.6a7.3 7.3 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7.3 7.3 0 0 0 2 1.2l.4 2.6h5l.4-2.6a7.3 7.3 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2Z',
}

/** The page navigation: a sidebar on wide windows, a row on narrow ones. */
export function Nav({ current }: { current: Page }) {
  const { t } = useTranslation()
  return (
    <nav aria-label={t('nav.label')} className="flex gap-1 overflow-x-auto lg:flex-col" data-testid="nav">
      {PAGES.map((p) => (
        <a
          key={p}
          href={hrefFor(p)}
          aria-current={p === current ? 'page' : undefined}
          data-testid={`nav-${p}`}
          className={
            'flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors ' +
            'focus-visible:outline-2 focus-visible:outline-indigo-500 ' +
            (p === current
              ? 'bg-indigo-50 text-indigo-700 dark:bg-indigo-950/70 dark:text-indigo-300'
              : 'text-slate-700 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-slate-100')
          }
        >
          <svg viewBox="0 0 24 24" aria-hidden="true" className="size-4 shrink-0" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round">
            <path d={ICONS[p]} />
          </svg>
          {t(`nav.${p}`)}
        </a>
      ))}
    </nav>
  )
}
