import { useTranslation } from 'react-i18next'
import { useLog } from '../../api/queries'
import type { LogEntry } from '../../api/types'
import { Badge, Drawer, statusTone } from '../../components/ui'
import { formatCost, formatDuration, formatNumber, formatTime } from '../../lib/format'
import { skipText } from '../../lib/words'
import { FailoverChip } from '../Dashboard/RecentRequests'
import { prettyBody } from './filters'

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </>
  )
}

function Body({ title, body }: { title: string; body?: string }) {
  if (!body) return null
  return (
    <details className="rounded-lg border border-slate-200 dark:border-slate-800" data-testid="log-body">
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium">{title}</summary>
      <pre className="max-h-96 overflow-auto border-t border-slate-200 bg-slate-50 p-3 font-mono text-xs dark:border-slate-800 dark:bg-slate-950">
        {prettyBody(body)}
      </pre>
    </details>
  )
}

/** One request in detail: attempts, timing, tokens, cost and captured bodies. */
export function LogDrawer({ entry, onClose }: { entry: LogEntry; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const l = i18n.language
  const full = useLog(entry.id)
  const e = full.data ?? entry
  const attempts = e.attempts ?? []
  const est = e.usage_estimated ? ` ${t('logs.estimated')}` : ''
  return (
    <Drawer open title={t('logs.detail', { when: formatTime(e.time, l) })} onClose={onClose} testId="log-drawer">
      <div className="space-y-6 text-sm">
        <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-2">
          <Row label={t('logs.columns.status')}><Badge tone={statusTone(e.status)}>{e.status}</Badge>{' '}<FailoverChip attempts={attempts.length + 1} />{e.stream && <span className="ml-2 text-xs text-slate-600">{t('logs.stream')}</span>}</Row>
          <Row label={t('logs.columns.channel')}>{e.channel_name || '–'}</Row>
          <Row label={t('logs.clientModel')}><span className="font-mono text-xs">{e.client_model}</span></Row>
          <Row label={t('logs.upstreamModel')}><span className="font-mono text-xs">{e.upstream_model || '–'}</span></Row>
          <Row label={t('logs.format')}>{e.format}</Row>
          <Row label={t('logs.columns.scenario')}>{e.scenario ? t(`routing.scenarios.${e.scenario}`, { defaultValue: e.scenario }) : '–'}{e.rule ? ` · ${e.rule}` : ''}</Row>
          <Row label={t('logs.columns.latency')}>{formatDuration(e.latency_ms, l)}</Row>
          <Row label={t('logs.columns.ttft')}>{formatDuration(e.ttft_ms, l)}</Row>
          <Row label={t('logs.tokensIn')}>{formatNumber(e.input_tokens, l) + est}</Row>
          <Row label={t('logs.tokensOut')}>{formatNumber(e.output_tokens, l) + est}</Row>
          {(e.cache_read_tokens > 0 || e.cache_write_tokens > 0) && (
            <Row label={t('logs.cache')}>{t('logs.cacheValue', { read: formatNumber(e.cache_read_tokens, l), write: formatNumber(e.cache_write_tokens, l) })}</Row>
          )}
          <Row label={t('logs.columns.cost')}>{formatCost(e.cost_usd, l)}</Row>
          {e.user_agent && <Row label={t('logs.userAgent')}><span className="font-mono text-xs">{e.user_agent}</span></Row>}
          <Row label={t('logs.key')}><span data-testid="log-key">{e.key_name || t('logs.accessKey')}</span></Row>
          {e.instance && <Row label={t('logs.instance')}><span className="font-mono text-xs">{e.instance}</span></Row>}
          {e.error && <Row label={t('logs.error')}><span className="text-red-700 dark:text-red-400">{e.error}</span></Row>}
        </dl>
        <section>
          <h4 className="mb-2 font-semibold">{t('logs.attempts')}</h4>
          {attempts.length === 0 ? (
            <p className="text-slate-600 dark:text-slate-400">{t('logs.noAttempts')}</p>
          ) : (
            <ol className="space-y-2" data-testid="log-attempts">
              {attempts.map((a, i) => (
                <li key={i} className="flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 px-3 py-2 dark:border-slate-800" data-testid="log-attempt"
                  data-skipped={a.skipped || undefined}>
                  <span className="text-xs text-slate-600 tabular-nums dark:text-slate-400">{i + 1}</span>
                  <span className="font-medium">{a.channel}</span>
                  {a.skipped ? (
                    <Badge tone="amber" testId="attempt-skipped">{skipText(t, a)}</Badge>
                  ) : (
                    <>
                      <Badge tone={statusTone(a.status)}>{a.status || '–'}</Badge>
                      <span className="text-xs text-slate-600 tabular-nums dark:text-slate-400">{formatDuration(a.latency_ms, l)}</span>
                    </>
                  )}
                  {a.error && !a.skipped && <span className="w-full text-xs break-words text-red-700 dark:text-red-400">{a.error}</span>}
                </li>
              ))}
            </ol>
          )}
        </section>
        {(e.request_body || e.response_body) ? (
          <section className="space-y-2">
            <h4 className="font-semibold">{t('logs.bodies')}</h4>
            <Body title={t('logs.requestBody')} body={e.request_body} />
            <Body title={t('logs.responseBody')} body={e.response_body} />
          </section>
        ) : (
          <p className="text-xs text-slate-600 dark:text-slate-400">{t('logs.noBodies')}</p>
        )}
      </div>
    </Drawer>
  )
}
