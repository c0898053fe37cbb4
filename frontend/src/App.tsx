import { useEffect, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { loginLinkFailed, onUnauthorized, setToken, type UnauthorizedReason } from './api/client'
import { activeKey, backupsKey, channelsKey, clientsKey, infoKey, routesKey, settingsKey, useInfo } from './api/queries'
import { Button } from './components/Button'
import { Header } from './components/Header'
import { Footer } from './components/Footer'
import { TokenScreen } from './components/TokenScreen'
import { Dialog } from './components/ui'
import { useServerEvents } from './lib/live'
import { cancelLeave, confirmLeave, usePage, usePendingNavigation, type Page } from './lib/router'
import { DashboardPage } from './pages/Dashboard/DashboardPage'
import { ChannelsPage } from './pages/Channels/ChannelsPage'
import { RoutingPage } from './pages/Routing/RoutingPage'
import { ToolsPage } from './pages/Tools/ToolsPage'
import { LogsPage } from './pages/Logs/LogsPage'
import { KeysPage } from './pages/Keys/KeysPage'
import { SettingsPage, useEngineDefaults } from './pages/Settings/SettingsPage'

const VIEWS: Record<Page, () => React.JSX.Element> = {
  dashboard: DashboardPage,
  channels: ChannelsPage,
  routing: RoutingPage,
  tools: ToolsPage,
  logs: LogsPage,
  keys: KeysPage,
  settings: SettingsPage,
}

function PageView({ page }: { page: Page }) {
  const View = VIEWS[page]
  return <View />
}

/**
 * Keeps every view in step with the engine: a change made anywhere (the
 * tray, the CLI, another browser, another instance) arrives on /api/events
 * and the views read again what it touched.
 */
function useServerSync() {
  const qc = useQueryClient()
  useServerEvents(['change', 'health', 'dropped'], (topic, data) => {
    const what = topic === 'change' && typeof data === 'object' && data !== null ? String((data as { what?: unknown }).what ?? '') : ''
    const keys: (readonly string[])[] = []
    switch (what) {
      case 'channels':
        keys.push(channelsKey, activeKey)
        break
      case 'routes':
        keys.push(routesKey, activeKey)
        break
      case 'settings':
        keys.push(settingsKey)
        break
      case 'clients':
        keys.push(clientsKey, backupsKey)
        break
      case 'info':
        keys.push(infoKey)
        break
      default:
        // health, dropped events, another process's "catalog", an import:
        // read the state again.
        keys.push(channelsKey, routesKey, activeKey, clientsKey)
    }
    for (const k of keys) void qc.invalidateQueries({ queryKey: k })
  })
}

/** The leave dialog of a page with unsaved edits (lib/router). */
function LeaveDialog() {
  const { t } = useTranslation()
  const pending = usePendingNavigation()
  return (
    <Dialog open={pending !== null} title={t('leave.title')} onClose={cancelLeave} testId="leave-dialog">
      <p className="text-sm text-slate-700 dark:text-slate-300">{t('leave.body')}</p>
      <div className="mt-6 flex flex-wrap justify-end gap-2">
        <Button onClick={cancelLeave} data-testid="leave-stay">{t('leave.stay')}</Button>
        <Button variant="danger" onClick={confirmLeave} data-testid="leave-discard">{t('leave.discard')}</Button>
      </div>
    </Dialog>
  )
}

const TRAY_NOTICE_KEY = 'routex.trayNoticeSeen'

/** Says once, in the window, that this desktop shows no tray icon (so closing the window quits). */
function TrayNotice() {
  const { t } = useTranslation()
  const info = useInfo()
  const [seen, setSeen] = useState(() => {
    try {
      return localStorage.getItem(TRAY_NOTICE_KEY) === '1'
    } catch {
      return false
    }
  })
  if (seen || info.data?.tray !== 'no_host') return null
  const dismiss = () => {
    try {
      localStorage.setItem(TRAY_NOTICE_KEY, '1')
    } catch {
      // shown again next time; nothing lost
    }
    setSeen(true)
  }
  return (
    <div role="status" data-testid="tray-notice"
      className="mb-6 flex flex-wrap items-start justify-between gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
      <div className="min-w-0 flex-1">
        <p className="font-medium">{t('tray.notice.title')}</p>
        <p className="mt-1">{t('tray.notice.body')}</p>
      </div>
      <Button onClick={dismiss} data-testid="tray-notice-dismiss">{t('tray.notice.dismiss')}</Button>
    </div>
  )
}

export default function App() {
  const qc = useQueryClient()
  const { t } = useTranslation()
  const page = usePage()
  const [auth, setAuth] = useState<UnauthorizedReason | null>(null)
  const [linkFailed, setLinkFailed] = useState(loginLinkFailed)
  useEngineDefaults()
  useServerSync()

  useEffect(() => onUnauthorized((reason) => setAuth(reason)), [])

  const submitToken = (token: string) => {
    setToken(token)
    setAuth(null)
    setLinkFailed(false)
    // Ask again for everything that was refused.
    void qc.resetQueries()
  }

  return (
    <div className="flex min-h-screen flex-col lg:flex-row">
      <Header page={page} />
      <div className="flex min-w-0 flex-1 flex-col">
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-8" data-page={page}>
          {linkFailed && auth && (
            <p role="alert" className="mx-auto mb-4 max-w-md text-sm text-red-700 dark:text-red-400" data-testid="login-link-failed">
              {t('token.linkFailed')}
            </p>
          )}
          {auth ? (
            <TokenScreen invalid={auth === 'invalid'} onSubmit={submitToken} />
          ) : (
            <>
              <TrayNotice />
              <PageView page={page} />
            </>
          )}
        </main>
        <Footer />
      </div>
      <LeaveDialog />
    </div>
  )
}
