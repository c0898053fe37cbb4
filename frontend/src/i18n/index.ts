import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import en from '../../../locales/en.json'
import zh from '../../../locales/zh.json'

/** Languages the dashboard ships, in switcher order. */
export const LANGUAGES = ['en', 'zh'] as const
export type Language = (typeof LANGUAGES)[number]

/** localStorage key holding the user's explicit language choice. */
export const LANGUAGE_KEY = 'routex.language'

function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v)
}

/**
 * Picks the UI language: the stored choice, else the browser's language
 * (any zh* → zh), else English.
 */
export function detectLanguage(
  stored: string | null = readStored(),
  browser: string | undefined = typeof navigator === 'undefined' ? undefined : navigator.language,
): Language {
  if (isLanguage(stored)) return stored
  if (browser && browser.toLowerCase().startsWith('zh')) return 'zh'
  return 'en'
}

function readStored(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_KEY)
  } catch {
    return null
  }
}

/** Switches the UI language and remembers the choice. */
export function setLanguage(lang: Language): void {
  try {
    localStorage.setItem(LANGUAGE_KEY, lang)
  } catch {
    // Storage may be unavailable (private mode); the switch still applies.
  }
  void i18n.changeLanguage(lang)
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: detectLanguage(),
  fallbackLng: 'en',
  supportedLngs: LANGUAGES,
  // The locale files are shared with go-i18n, whose placeholders are {{.name}}.
  interpolation: { prefix: '{{.', suffix: '}}', escapeValue: false },
  returnNull: false,
})

function reflectLanguage(lng: string): void {
  if (typeof document !== 'undefined') document.documentElement.lang = lng
}
reflectLanguage(i18n.language)
i18n.on('languageChanged', reflectLanguage)

export default i18n
