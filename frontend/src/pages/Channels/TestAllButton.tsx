import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Channel } from '../../api/types'
import { Button } from '../../components/Button'
import { runPool } from '../../lib/pool'

/** How many connection tests run at once. */
export const TEST_WORKERS = 4

/** "Test all": the enabled channels' connection tests in parallel, with progress. */
interface Props {
  channels: Channel[]
  run(c: Channel): Promise<void>
}

export function TestAllButton({ channels, run }: Props) {
  const { t } = useTranslation()
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null)
  const enabled = channels.filter((c) => c.enabled)
  const start = async () => {
    setProgress({ done: 0, total: enabled.length })
    await runPool(enabled, TEST_WORKERS, run, () => setProgress((p) => (p ? { ...p, done: p.done + 1 } : p)))
    setProgress(null)
  }
  return (
    <Button onClick={() => void start()} disabled={progress !== null || enabled.length === 0} data-testid="test-all">
      {progress ? (
        <span data-testid="test-all-progress">{t('accounts.testAll.progress', { done: String(progress.done), total: String(progress.total) })}</span>
      ) : (
        t('channels.test.all')
      )}
    </Button>
  )
}
