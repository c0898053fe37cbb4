import { useEffect, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { onUnauthorized, setToken, type UnauthorizedReason } from './api/client'
import { Header } from './components/Header'
import { Footer } from './components/Footer'
import { TokenScreen } from './components/TokenScreen'
import { ChannelsPage } from './pages/Channels/ChannelsPage'

export default function App() {
  const qc = useQueryClient()
  const [auth, setAuth] = useState<UnauthorizedReason | null>(null)

  useEffect(() => onUnauthorized((reason) => setAuth(reason)), [])

  const submitToken = (token: string) => {
    setToken(token)
    setAuth(null)
    // Ask again for everything that was refused.
    void qc.resetQueries()
  }

  return (
    <div className="flex min-h-screen flex-col">
      <Header />
      <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6">
        {auth ? <TokenScreen invalid={auth === 'invalid'} onSubmit={submitToken} /> : <ChannelsPage />}
      </main>
      <Footer />
    </div>
  )
}
