import { useTranslation } from 'react-i18next'
import type { FieldError } from '../../api/client'
import { fieldErrorMessage } from '../../api/errors'
import { STRATEGIES, type Channel, type Rule } from '../../api/types'
import { Button } from '../../components/Button'
import { Switch } from '../../components/Switch'
import { Field, card } from '../../components/ui'
import { move } from '../Channels/reorder'
import { TargetsEditor } from './TargetsEditor'
import { ruleErrors } from './targets'

interface Props {
  rules: Rule[]
  channels: Channel[]
  fields: Record<string, FieldError>
  onChange: (r: Rule[]) => void
}

type Tri = '' | 'yes' | 'no'
const tri = (b: boolean | undefined): Tri => (b === undefined ? '' : b ? 'yes' : 'no')
const fromTri = (v: string): boolean | undefined => (v === '' ? undefined : v === 'yes')
const int = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v))

/** The rules, first match wins: conditions, a custom expression and targets per rule. */
export function RulesEditor({ rules, channels, fields, onChange }: Props) {
  const { t } = useTranslation()
  const set = (i: number, patch: Partial<Rule>) => onChange(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  return (
    <div className="space-y-4" data-testid="rules">
      {rules.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-400">{t('routing.rules.empty')}</p>}
      {rules.map((r, i) => {
        const errs = ruleErrors(fields, i)
        const err = (f: string) => (errs[f] ? fieldErrorMessage(t, errs[f]) : undefined)
        return (
          <div key={i} className={card + ' p-4'} data-testid="rule">
            <div className="mb-3 flex flex-wrap items-center gap-2">
              <span className="text-xs font-semibold text-slate-600 tabular-nums">{`#${i + 1}`}</span>
              <input className="input max-w-xs font-medium" value={r.name} placeholder={t('routing.rules.name')} aria-label={t('routing.rules.name')}
                aria-invalid={!!err('name')} onChange={(e) => set(i, { name: e.target.value })} data-testid="rule-name" />
              <Switch checked={r.enabled !== false} label={t('routing.rules.enabled')} onChange={(v) => set(i, { enabled: v ? undefined : false })} />
              <div className="ml-auto flex gap-1">
                <Button variant="ghost" className="px-2 py-1" disabled={i === 0} onClick={() => onChange(move(rules, i, i - 1))} aria-label={t('routing.up')}>↑</Button>
                <Button variant="ghost" className="px-2 py-1" disabled={i === rules.length - 1} onClick={() => onChange(move(rules, i, i + 1))}
                  aria-label={t('routing.down')}>↓</Button>
                <Button variant="dangerGhost" className="px-2 py-1" onClick={() => onChange(rules.filter((_, j) => j !== i))} data-testid="rule-remove">
                  {t('routing.remove')}
                </Button>
              </div>
            </div>
            {errs._ && <p role="alert" className="mb-2 text-xs text-red-700 dark:text-red-400">{fieldErrorMessage(t, errs._)}</p>}
            <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
              <Field label={t('routing.rules.model')} field={`rules[${i}].model`} error={err('model')}>
                <input className="input font-mono" value={r.model ?? ''} placeholder={t('routing.rules.modelPlaceholder')} onChange={(e) => set(i, { model: e.target.value || undefined })} />
              </Field>
              <Field label={t('routing.rules.keyword')} field={`rules[${i}].keyword`} error={err('keyword')}>
                <input className="input" value={r.keyword ?? ''} onChange={(e) => set(i, { keyword: e.target.value || undefined })} />
              </Field>
              <Field label={t('routing.rules.header')} field={`rules[${i}].header`} error={err('header')}>
                <input className="input font-mono" value={r.header ?? ''} placeholder={t('routing.rules.headerPlaceholder')} onChange={(e) => set(i, { header: e.target.value || undefined })} />
              </Field>
              <Field label={t('routing.rules.strategy')} field={`rules[${i}].strategy`} error={err('strategy')}>
                <select className="input" value={r.strategy ?? ''} onChange={(e) => set(i, { strategy: e.target.value || undefined })}>
                  <option value="">{t('routing.inherit')}</option>
                  {STRATEGIES.map((s) => <option key={s} value={s}>{t(`routing.strategies.${s}`)}</option>)}
                </select>
              </Field>
              <Field label={t('routing.rules.hasTools')} field={`rules[${i}].has_tools`} error={err('has_tools')}>
                <select className="input" value={tri(r.has_tools)} onChange={(e) => set(i, { has_tools: fromTri(e.target.value) })}>
                  {(['', 'yes', 'no'] as const).map((v) => <option key={v} value={v}>{t(`routing.tri.${v || 'any'}`)}</option>)}
                </select>
              </Field>
              <Field label={t('routing.rules.hasImage')} field={`rules[${i}].has_image`} error={err('has_image')}>
                <select className="input" value={tri(r.has_image)} onChange={(e) => set(i, { has_image: fromTri(e.target.value) })}>
                  {(['', 'yes', 'no'] as const).map((v) => <option key={v} value={v}>{t(`routing.tri.${v || 'any'}`)}</option>)}
                </select>
              </Field>
              <Field label={t('routing.rules.minTokens')} field={`rules[${i}].min_tokens`} error={err('min_tokens')}>
                <input className="input" type="number" min={0} value={r.min_tokens ?? ''} onChange={(e) => set(i, { min_tokens: int(e.target.value) })} />
              </Field>
              <Field label={t('routing.rules.maxTokens')} field={`rules[${i}].max_tokens`} error={err('max_tokens')}>
                <input className="input" type="number" min={0} value={r.max_tokens ?? ''} onChange={(e) => set(i, { max_tokens: int(e.target.value) })} />
              </Field>
              <div className="sm:col-span-2 lg:col-span-4">
                <Field label={t('routing.rules.expr')} field={`rules[${i}].expr`} error={err('expr')} help={t('routing.rules.exprHelp')}>
                  <textarea className="input min-h-16 font-mono" value={r.expr ?? ''} aria-invalid={!!err('expr')} placeholder={t('routing.rules.exprPlaceholder')}
                    onChange={(e) => set(i, { expr: e.target.value || undefined })} data-testid="rule-expr" />
                </Field>
              </div>
              <div className="sm:col-span-2 lg:col-span-4">
                <div className="mb-1.5 text-sm font-medium text-slate-700 dark:text-slate-300">{t('routing.targets')}</div>
                <TargetsEditor targets={r.targets ?? []} channels={channels} onChange={(targets) => set(i, { targets })} testId="rule-targets" error={err('targets')} />
              </div>
            </div>
          </div>
        )
      })}
      <Button onClick={() => onChange([...rules, { name: `rule-${rules.length + 1}`, targets: [] }])} data-testid="rule-add">
        {t('routing.rules.add')}
      </Button>
    </div>
  )
}
