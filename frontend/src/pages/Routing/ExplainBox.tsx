import { useState } from 'react'
import { useMutation } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client'
import { errorMessage } from '../../api/errors'
import { Button } from '../../components/Button'
import { Badge, card } from '../../components/ui'
import { reasonText } from '../../lib/words'
import { SAMPLE_REQUEST } from './targets'

const FORMATS = ['anthropic', 'openai', 'gemini', 'openai-responses'] as const

/** "Try a request": where a given body would go, and why, without sending it. */
export function ExplainBox() {
  const { t } = useTranslation()
  const [body, setBody] = useState(SAMPLE_REQUEST)
  const [format, setFormat] = useState<string>('anthropic')
  const [model, setModel] = useState('')
  const explain = useMutation({ mutationFn: () => api.explain(format, body, model) })
  const r = explain.data
  return (
    <section className={card + ' p-5'} data-testid="explain">
      <h3 className="text-base font-semibold">{t('routing.explain.title')}</h3>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{t('routing.explain.hint')}</p>
      <div className="mt-4 grid gap-4 lg:grid-cols-2">
        <div className="space-y-3">
          <textarea className="input h-64 font-mono text-xs" value={body} onChange={(e) => setBody(e.target.value)} aria-label={t('routing.explain.body')}
            spellCheck={false} data-testid="explain-body" />
          <div className="flex flex-wrap items-center gap-2">
            <select className="input w-auto" value={format} onChange={(e) => setFormat(e.target.value)} aria-label={t('routing.explain.format')} data-testid="explain-format">
              {FORMATS.map((f) => <option key={f} value={f}>{t(`channels.types.${f}`)}</option>)}
            </select>
            {format === 'gemini' && (
              <input className="input w-48 font-mono" value={model} onChange={(e) => setModel(e.target.value)} placeholder={t('routing.model')}
                aria-label={t('routing.model')} />
            )}
            <Button variant="primary" disabled={explain.isPending} onClick={() => explain.mutate()} data-testid="explain-run">
              {t('routing.explain.run')}
            </Button>
          </div>
        </div>
        <div className="min-w-0" data-testid="explain-result">
          {explain.error ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">{errorMessage(t, explain.error)}</p>
          ) : !r ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">{t('routing.explain.none')}</p>
          ) : (
            <div className="space-y-3 text-sm">
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                <dt className="text-slate-600 dark:text-slate-400">{t('routing.explain.scenario')}</dt>
                <dd><Badge tone="indigo" testId="explain-scenario">{t(`routing.scenarios.${r.scenario}`, { defaultValue: r.scenario })}</Badge></dd>
                <dt className="text-slate-600 dark:text-slate-400">{t('routing.explain.rule')}</dt>
                <dd className="font-mono text-xs">{r.rule || '–'}</dd>
                <dt className="text-slate-600 dark:text-slate-400">{t('routing.strategy')}</dt>
                <dd>{t(`routing.strategies.${r.strategy}`, { defaultValue: r.strategy })}</dd>
                <dt className="text-slate-600 dark:text-slate-400">{t('routing.model')}</dt>
                <dd className="font-mono text-xs">{r.model}</dd>
              </dl>
              <div>
                <div className="mb-1 font-medium">{t('routing.targets')}</div>
                {(r.targets ?? []).length === 0 ? (
                  <p className="text-xs text-red-700 dark:text-red-400">{t('routing.explain.noTargets')}</p>
                ) : (
                  <ol className="space-y-1" data-testid="explain-targets">
                    {(r.targets ?? []).map((tg, i) => (
                      <li key={`${tg.channel_id}-${i}`} className="flex flex-wrap items-center gap-2">
                        <span className="w-4 text-right text-xs text-slate-600 tabular-nums dark:text-slate-400">{i + 1}</span>
                        <span className="font-medium">{tg.channel}</span>
                        <span className="font-mono text-xs text-slate-600 dark:text-slate-400">{tg.model}</span>
                        <Badge tone={tg.available ? 'green' : 'red'}>
                          {tg.available ? t('routing.explain.available') : t('routing.explain.skipped', { why: t(`health.skipped.${tg.skipped || tg.health}`, { defaultValue: tg.health }) })}
                        </Badge>
                        {tg.converted && <Badge tone="sky">{t('routing.explain.converted')}</Badge>}
                        {tg.serves === false && (
                          <span className="w-full pl-6 text-xs text-amber-800 dark:text-amber-300" data-testid="explain-not-served">
                            {t('routing.explain.notServed', { channel: tg.channel, requested: r.model, model: tg.model })}
                          </span>
                        )}
                      </li>
                    ))}
                  </ol>
                )}
              </div>
              {((r.why ?? []).length > 0 || (r.reasons ?? []).length > 0) && (
                <div>
                  <div className="mb-1 font-medium">{t('routing.explain.reasons')}</div>
                  <ul className="list-inside list-disc space-y-0.5 text-xs break-words text-slate-700 dark:text-slate-300" data-testid="explain-reasons">
                    {(r.why ?? []).length > 0
                      ? (r.why ?? []).map((x, i) => <li key={i}>{reasonText(t, x)}</li>)
                      : (r.reasons ?? []).map((x, i) => <li key={i}>{x}</li>)}
                  </ul>
                </div>
              )}
            </div>
          )}
        </div>
      </div>
    </section>
  )
}
