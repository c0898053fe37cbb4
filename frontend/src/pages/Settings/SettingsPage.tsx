import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, setToken } from '../../api/client'
import { errorMessage, fieldErrorMessage } from '../../api/errors'
import { isMissing, useInfo, useSaveSettings, useSecretAction, useSettings } from '../../api/queries'
import type { SecretName, Theme } from '../../api/types'
import { Button } from '../../components/Button'
import { Switch } from '../../components/Switch'
import { ErrorBox, Field, Notice, PageHeader, Segmented, card } from '../../components/ui'
import { LANGUAGES, LANGUAGE_KEY, setLanguage, type Language } from '../../i18n'
import { THEMES, THEME_KEY, setTheme, useTheme } from '../../lib/theme'
import { BalanceThresholds } from './BalanceThresholds'

function Secret({ which, preview }: { which: SecretName; preview: string }) {
  const { t } = useTranslation()
  const reveal = useSecretAction('reveal')
  const regen = useSecretAction('regenerate')
  const [value, setValue] = useState<string | null>(null)
  const [confirm, setConfirm] = useState(false)
  const [copied, setCopied] = useState(false)
  const err = reveal.error ?? regen.error
  const copy = async () => {
    const v = value ?? (await reveal.mutateAsync(which)).value
    setValue(v)
    await navigator.clipboard?.writeText(v).catch(() => undefined)
    setCopied(true)
    setTimeout(() => setCopied(false), 1500)
  }
  return (
    <div className="space-y-2" data-testid={`secret-${which}`}>
      <div className="text-sm font-medium text-slate-700 dark:text-slate-300">{t(`settings.secrets.${which}`)}</div>
      <div className="flex flex-wrap items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm dark:border-slate-800 dark:bg-slate-950"
          data-testid="secret-value">{value ?? preview}</code>
        <Button onClick={() => (value ? setValue(null) : reveal.mutate(which, { onSuccess: (r) => setValue(r.value) }))} data-testid="secret-reveal">
          {t(value ? 'settings.secrets.hide' : 'settings.secrets.reveal')}
        </Button>
        <Button onClick={() => void copy()}>{t(copied ? 'settings.secrets.copied' : 'settings.secrets.copy')}</Button>
        {confirm ? (
          <>
            <Button variant="danger" disabled={regen.isPending} data-testid="secret-regenerate-confirm"
              onClick={() => regen.mutate(which, {
                onSuccess: (r) => {
                  setValue(r.value)
                  // The browser authenticates with the admin token: keep using the new one.
                  if (which === 'admin_token') setToken(r.value)
                },
                onSettled: () => setConfirm(false),
              })}>
              {t('settings.secrets.confirm')}
            </Button>
            <Button variant="ghost" onClick={() => setConfirm(false)}>{t('common.cancel')}</Button>
          </>
        ) : (
          <Button variant="dangerGhost" onClick={() => setConfirm(true)} data-testid="secret-regenerate">{t('settings.secrets.regenerate')}</Button>
        )}
      </div>
      <p className="text-xs text-slate-600 dark:text-slate-400">{confirm ? t(`settings.secrets.warn.${which}`) : t(`settings.secrets.help.${which}`)}</p>
      {err && <p role="alert" className="text-xs text-red-700 dark:text-red-400">{errorMessage(t, err)}</p>}
    </div>
  )
}

export function SettingsPage() {
  const { t, i18n } = useTranslation()
  const settings = useSettings()
  const info = useInfo()
  const save = useSaveSettings()
  const theme = useTheme()
  const [listen, setListen] = useState('')
  const [retention, setRetention] = useState('')
  const s = settings.data
  // The text fields follow the stored settings whenever a new copy arrives
  // (state adjusted during render, not in an effect).
  const [shown, setShown] = useState(s)
  if (s && s !== shown) {
    setShown(s)
    setListen(s.listen)
    setRetention(String(s.log_retention_days))
  }

  const fields = save.error instanceof ApiError ? save.error.fields : {}
  const fe = (k: string) => (fields[k] ? fieldErrorMessage(t, fields[k]) : undefined)
  const missing = settings.isError && isMissing(settings.error)

  // Chosen here, language and theme are also stored in the engine (when it
  // has settings), so the desktop window and the tray follow.
  const chooseLanguage = (lang: Language) => {
    setLanguage(lang)
    if (s) save.mutate({ language: lang })
  }
  const chooseTheme = (v: Theme) => {
    setTheme(v)
    if (s) save.mutate({ theme: v })
  }

  return (
    <section className="space-y-6" data-testid="settings-page">
      <PageHeader title={t('settings.title')} subtitle={t('settings.subtitle')} />

      <section className={card + ' space-y-5 p-5'}>
        <h3 className="text-base font-semibold">{t('settings.appearance')}</h3>
        <div className="flex flex-wrap items-center gap-x-8 gap-y-4">
          <div className="space-y-1.5">
            <div className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('language.label')}</div>
            <Segmented value={(i18n.resolvedLanguage ?? 'en') as Language} options={LANGUAGES} label={t('language.label')}
              render={(v) => t(`language.${v}`)} onChange={chooseLanguage} testId="language" />
          </div>
          <div className="space-y-1.5">
            <div className="text-sm font-medium text-slate-700 dark:text-slate-300">{t('theme.label')}</div>
            <Segmented value={theme} options={THEMES} label={t('theme.label')} render={(v) => t(`theme.${v}`)} onChange={chooseTheme} testId="theme" />
          </div>
        </div>
      </section>

      {missing ? (
        <Notice testId="settings-unavailable">{t('settings.unavailable')}</Notice>
      ) : settings.isError ? (
        <ErrorBox error={settings.error} onRetry={() => void settings.refetch()} />
      ) : s ? (
        <>
          <section className={card + ' space-y-5 p-5'}>
            <h3 className="text-base font-semibold">{t('settings.engine')}</h3>
            {s.restart_required && <Notice testId="restart-required">{t('settings.restartRequired')}</Notice>}
            <div className="grid gap-4 md:grid-cols-2">
              <Field label={t('settings.listen')} field="listen" error={fe('listen')} help={t('settings.listenHelp')}>
                <div className="flex gap-2">
                  <input className="input font-mono" value={listen} onChange={(e) => setListen(e.target.value)} data-testid="settings-listen" />
                  <Button disabled={save.isPending || listen === s.listen} onClick={() => save.mutate({ listen })}>{t('settings.apply')}</Button>
                </div>
              </Field>
              <Field label={t('settings.retention')} field="log_retention_days" error={fe('log_retention_days')} help={t('settings.retentionHelp')}>
                <div className="flex gap-2">
                  <input className="input" type="number" min={1} value={retention} onChange={(e) => setRetention(e.target.value)} data-testid="settings-retention" />
                  <Button disabled={save.isPending || retention === String(s.log_retention_days)}
                    onClick={() => save.mutate({ log_retention_days: Number(retention) })}>{t('settings.apply')}</Button>
                </div>
              </Field>
            </div>
            <div className="flex items-start justify-between gap-4">
              <div>
                <div className="text-sm font-medium">{t('settings.capture')}</div>
                <p className="text-xs text-slate-600 dark:text-slate-400">{t('settings.captureHelp')}</p>
              </div>
              <Switch checked={s.capture_bodies} label={t('settings.capture')} onChange={(v) => save.mutate({ capture_bodies: v })} data-testid="settings-capture" />
            </div>
            {s.start_at_login !== undefined && (
              <div className="flex items-start justify-between gap-4">
                <div>
                  <div className="text-sm font-medium">{t('settings.startAtLogin')}</div>
                  <p className="text-xs text-slate-600 dark:text-slate-400">{t('settings.startAtLoginHelp')}</p>
                </div>
                <Switch checked={s.start_at_login} label={t('settings.startAtLogin')} onChange={(v) => save.mutate({ start_at_login: v })} data-testid="settings-autostart" />
              </div>
            )}
            {save.error && Object.keys(fields).length === 0 && (
              <p role="alert" className="text-sm text-red-700 dark:text-red-400">{errorMessage(t, save.error)}</p>
            )}
          </section>
          <BalanceThresholds settings={s} />
          <section className={card + ' space-y-6 p-5'}>
            <h3 className="text-base font-semibold">{t('settings.security')}</h3>
            <Secret which="access_key" preview={s.access_key_preview} />
            <Secret which="admin_token" preview={s.admin_token_preview} />
          </section>
        </>
      ) : (
        <p className="text-sm text-slate-600">{t('common.loading')}</p>
      )}

      <section className={card + ' p-5'} data-testid="about">
        <h3 className="mb-3 text-base font-semibold">{t('settings.about')}</h3>
        <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-slate-600 dark:text-slate-400">{t('settings.version')}</dt>
          <dd className="font-mono">{s?.version ?? info.data?.version ?? '–'}</dd>
          <dt className="text-slate-600 dark:text-slate-400">{t('settings.home')}</dt>
          <dd className="font-mono break-all">{s?.home ?? info.data?.home ?? '–'}</dd>
          <dt className="text-slate-600 dark:text-slate-400">{t('settings.baseUrl')}</dt>
          <dd className="font-mono break-all">{info.data?.base_url ?? '–'}</dd>
        </dl>
      </section>
    </section>
  )
}

/**
 * On a first run (nothing chosen in this browser yet) the window takes the
 * language and theme stored in the engine, so the desktop app and the
 * browser agree.
 */
export function useEngineDefaults() {
  const settings = useSettings()
  const language = settings.data?.language
  const theme = settings.data?.theme
  useEffect(() => {
    let stored: { lang: string | null; theme: string | null } = { lang: null, theme: null }
    try {
      stored = { lang: localStorage.getItem(LANGUAGE_KEY), theme: localStorage.getItem(THEME_KEY) }
    } catch {
      return
    }
    if (!stored.lang && (LANGUAGES as readonly string[]).includes(language ?? '')) setLanguage(language as Language)
    if (!stored.theme && (THEMES as readonly string[]).includes(theme ?? '')) setTheme(theme as Theme)
  }, [language, theme])
}
