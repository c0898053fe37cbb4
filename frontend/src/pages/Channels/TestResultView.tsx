import { useTranslation } from 'react-i18next'
import type { TestResult } from '../../api/types'
import { errorMessage } from '../../api/errors'
import { isMissing } from '../../api/queries'
import { Button } from '../../components/Button'
import { Badge } from '../../components/ui'
import { formatDuration } from '../../lib/format'
import { noteText } from '../../lib/words'

const TONE = { ok: 'green', slow: 'amber', auth_failed: 'red', not_found: 'red', unreachable: 'red', error: 'red' } as const

/**
 * A connection test's verdict, timings, message (in the user's language)
 * and the models it found, with "Use these models" when the form can take
 * them.
 */
export function TestResultView({ result, error, onUseModels }: { result?: TestResult; error?: unknown; onUseModels?: (models: string[]) => void }) {
  const { t, i18n } = useTranslation()
  const l = i18n.language
  if (error) {
    return (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400" data-testid="test-result" data-verdict="request_failed">
        {isMissing(error) ? t('channels.test.unavailable') : errorMessage(t, error)}
      </p>
    )
  }
  if (!result) return null
  const times: [string, number | undefined][] = [
    ['connect', result.connect_ms], ['ttft', result.ttft_ms], ['total', result.total_ms], ['streamTtft', result.stream_ttft_ms],
  ]
  const models = result.models ?? []
  return (
    <div className="space-y-1.5 rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 text-sm dark:border-slate-800 dark:bg-slate-950"
      data-testid="test-result" data-verdict={result.verdict}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <Badge tone={TONE[result.verdict] ?? 'red'} testId="test-verdict">{t(`channels.test.verdicts.${result.verdict}`, { defaultValue: result.verdict })}</Badge>
        {times.filter(([, v]) => v).map(([k, v]) => (
          <span key={k} className="text-xs text-slate-600 tabular-nums dark:text-slate-400">
            {`${t(`channels.test.times.${k}`)} ${formatDuration(v, l)}`}
          </span>
        ))}
        {result.model && <span className="font-mono text-xs text-slate-600 dark:text-slate-400">{result.model}</span>}
      </div>
      <p className="text-xs break-words text-slate-800 dark:text-slate-200" data-testid="test-message">{noteText(t, result)}</p>
      {models.length > 0 && (
        <div className="flex flex-wrap items-center gap-2">
          <p className="min-w-0 flex-1 text-xs break-words text-slate-600 dark:text-slate-400" title={models.join(', ')} data-testid="test-models">
            {t('channels.test.models', { n: String(models.length), list: models.slice(0, 8).join(', ') })}
          </p>
          {onUseModels && (
            <Button className="px-2 py-1" onClick={() => onUseModels(models)} data-testid="use-found-models">{t('channels.test.useModels')}</Button>
          )}
        </div>
      )}
    </div>
  )
}
