import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import './i18n'
import './index.css'
import { applyTheme } from './lib/theme'
import { ApiError, api, markLoginLinkFailed, setToken } from './api/client'
import App from './App'

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not fix itself by asking again; network blips and 5xx might.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
})

applyTheme()

/**
 * A login link (…/#login=CODE, printed by `routex serve` and `routex
 * dashboard`) buys the admin token once, before anything asks the engine:
 * the window then opens signed in.
 */
async function signInWithLink(): Promise<void> {
  const code = /^#login=([0-9a-f]+)$/i.exec(window.location.hash)?.[1]
  if (!code) return
  window.history.replaceState(null, '', '#/dashboard')
  try {
    setToken((await api.login(code)).token)
  } catch {
    markLoginLinkFailed()
  }
}

await signInWithLink()

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  )
}
