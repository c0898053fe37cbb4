import { useTranslation } from 'react-i18next'
import { THEMES, setTheme, useTheme } from '../lib/theme'
import { Segmented } from './ui'

export function ThemeSwitcher() {
  const { t } = useTranslation()
  const theme = useTheme()
  return (
    <Segmented value={theme} options={THEMES} label={t('theme.label')} render={(v) => t(`theme.${v}`)} onChange={setTheme} testId="theme" />
  )
}
