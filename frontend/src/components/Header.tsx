import { useTranslation } from 'react-i18next'
import type { Page } from '../lib/router'
import { ActiveProvider } from './ActiveProvider'
import { LanguageSwitcher } from './LanguageSwitcher'
import { Nav } from './Nav'
import { ThemeSwitcher } from './ThemeSwitcher'

/** The app shell's sidebar: brand, the active provider, page navigation, language and theme. */
export function Header({ page }: { page: Page }) {
  const { t } = useTranslation()
  return (
    <header className="border-b border-slate-200 bg-white/80 backdrop-blur lg:w-60 lg:shrink-0 lg:border-r lg:border-b-0 dark:border-slate-800 dark:bg-slate-900/80">
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 lg:sticky lg:top-0 lg:h-screen lg:flex-col lg:flex-nowrap lg:items-stretch lg:justify-start lg:gap-6 lg:px-4 lg:py-6">
        <div className="flex items-center gap-3 lg:px-2">
          <div
            aria-hidden="true"
            className="grid size-9 shrink-0 place-items-center rounded-xl bg-gradient-to-br from-indigo-500 to-cyan-500 font-bold text-white shadow-sm"
          >
            {t('app.name').charAt(0)}
          </div>
          <div>
            <h1 className="text-lg leading-tight font-semibold" data-testid="app-name">
              {t('app.name')}
            </h1>
            <p className="text-xs text-slate-600 dark:text-slate-400">{t('app.tagline')}</p>
          </div>
        </div>
        <div className="min-w-0 lg:w-auto">
          <ActiveProvider />
        </div>
        <div className="w-full min-w-0 lg:w-auto">
          <Nav current={page} />
        </div>
        <div className="flex flex-wrap items-center gap-2 lg:mt-auto lg:flex-col lg:items-start">
          <LanguageSwitcher />
          <ThemeSwitcher />
        </div>
      </div>
    </header>
  )
}
