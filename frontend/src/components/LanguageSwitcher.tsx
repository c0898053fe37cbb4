import { useTranslation } from 'react-i18next'
import { LANGUAGES, setLanguage, type Language } from '../i18n'

export function LanguageSwitcher() {
  const { t, i18n } = useTranslation()
  const current = i18n.resolvedLanguage ?? 'en'
  return (
    <div
      role="group"
      aria-label={t('language.label')}
      className="inline-flex rounded-lg border border-slate-200 p-0.5 text-sm dark:border-slate-700"
      data-testid="language-switcher"
    >
      {LANGUAGES.map((lang: Language) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          onClick={() => setLanguage(lang)}
          aria-pressed={current === lang}
          data-testid={`language-${lang}`}
          className={
            'rounded-md px-2.5 py-1 transition-colors ' +
            (current === lang
              ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900'
              : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800')
          }
        >
          {t(`language.${lang}`)}
        </button>
      ))}
    </div>
  )
}
