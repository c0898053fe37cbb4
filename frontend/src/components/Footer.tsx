import { useTranslation } from 'react-i18next'
import { useHealth } from '../api/queries'

export function Footer() {
  const { t } = useTranslation()
  const health = useHealth()
  return (
    <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
      <span data-testid="version">
        {health.data ? t('footer.version', { version: health.data.version }) : health.isError ? t('footer.offline') : null}
      </span>
    </footer>
  )
}
