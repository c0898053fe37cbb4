import { useEffect, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { onUnauthorized, setToken, type UnauthorizedReason } from './api/client'
import { Header } from './components/Header'
import { Footer } from './components/Footer'
import { TokenScreen } from './components/TokenScreen'
import { usePage, type Page } from './lib/router'
import { DashboardPage } from './pages/Dashboard/DashboardPage'
import { ChannelsPage } from './pages/Channels/ChannelsPage'
import { RoutingPage } from './pages/Routing/RoutingPage'
import { LogsPage } from './pages/Logs/LogsPage'
import { KeysPage } from './pages/Keys/KeysPage'
import { SettingsPage, useEngineDefaults } from './pages/Settings/SettingsPage'

const VIEWS: Record<Page, () => React.JSX.Element> = {
  dashboard: DashboardPage,
  channels: ChannelsPage,
  routing: RoutingPage,
  logs: LogsPage,
  keys: KeysPage,
  settings: SettingsPage,
}

function PageView({ page }: { page: Page }) {
  const View = VIEWS[page]
  return <View />
}

export default function App() {
  const qc = useQueryClient()
  const page = usePage()
  const [auth, setAuth] = useState<UnauthorizedReason | null>(null)
  useEngineDefaults()

  useEffect(() => onUnauthorized((reason) => setAuth(reason)), [])

  const submitToken = (token: string) => {
    setToken(token)
    setAuth(null)
    // Ask again for everything that was refused.
    void qc.resetQueries()
  }

  return (
    <div className="flex min-h-screen flex-col lg:flex-row">
      <Header page={page} />
      <div className="flex min-w-0 flex-1 flex-col">
        <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-8" data-page={page}>
          {auth ? <TokenScreen invalid={auth === 'invalid'} onSubmit={submitToken} /> : <PageView page={page} />}
        </main>
        <Footer />
      </div>
    </div>
  )
}
