import { SCENARIOS, type Routes } from '../../api/types'

/** A route target "channel,model" (model optional) split in two. */
export function parseTarget(s: string): { channel: string; model: string } {
  const i = s.indexOf(',')
  return i < 0 ? { channel: s.trim(), model: '' } : { channel: s.slice(0, i).trim(), model: s.slice(i + 1).trim() }
}

export function formatTarget(channel: string, model: string): string {
  return model.trim() ? `${channel.trim()},${model.trim()}` : channel.trim()
}

/** What a target's model choice means, when it needs saying. */
export interface TargetWarning {
  /**
   * fallback: "as requested" on a channel that lists its models: requests
   * for other models get its model map or first model. missing: a model
   * the channel does not list.
   */
  kind: 'fallback' | 'missing'
  model: string
  models: string
}

/** The warning a target shows under it, if any. */
export function targetWarning(ch: { models?: string[]; model_map?: Record<string, string> } | undefined, model: string): TargetWarning | null {
  const models = ch?.models ?? []
  if (!ch || models.length === 0) return null
  if (model && !models.includes(model)) return { kind: 'missing', model, models: models.join(', ') }
  if (!model) {
    const mapped = Object.keys(ch.model_map ?? {}).length > 0
    return mapped ? null : { kind: 'fallback', model: models[0] ?? '', models: models.join(', ') }
  }
  return null
}

/** Routes as the form compares them: the same content gives the same text. */
export function routesKey(r: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined && x !== null && !(Array.isArray(x) && x.length === 0) && x !== '')
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, x]) => [k, sort(x)]),
      )
    }
    return v
  }
  return JSON.stringify(sort(r))
}

/**
 * Puts the user's edits (what changed from base to draft) onto the routes
 * as the server has them now, so saving after a change made elsewhere (the
 * tray switched the active provider) keeps that change unless the user
 * edited the same thing.
 */
export function mergeRoutes(base: Routes, draft: Routes, server: Routes): Routes {
  const same = (a: unknown, b: unknown) => routesKey(a) === routesKey(b)
  const out: Routes = { ...server, routes: { ...server.routes }, strategies: { ...server.strategies } }
  if (!same(base.strategy, draft.strategy)) out.strategy = draft.strategy
  if (!same(base.long_context_threshold, draft.long_context_threshold)) out.long_context_threshold = draft.long_context_threshold
  if (!same(base.background_model, draft.background_model)) out.background_model = draft.background_model
  if (!same(base.rules, draft.rules)) out.rules = draft.rules
  for (const sc of SCENARIOS) {
    if (!same(base.routes?.[sc], draft.routes?.[sc])) out.routes[sc] = draft.routes?.[sc]
    if (!same(base.strategies?.[sc], draft.strategies?.[sc])) out.strategies[sc] = draft.strategies?.[sc]
  }
  return out
}

/** The field errors of one rule: "rules[2].expr" → {expr: …} for index 2. */
export function ruleErrors<T>(fields: Record<string, T>, index: number): Record<string, T> {
  const prefix = `rules[${index}]`
  const out: Record<string, T> = {}
  for (const [k, v] of Object.entries(fields)) {
    if (k === prefix) out._ = v
    else if (k.startsWith(prefix + '.')) out[k.slice(prefix.length + 1).replace(/\[\d+\]$/, '')] = v
  }
  return out
}

/** A small valid Claude Code request, to try the routing with. */
export const SAMPLE_REQUEST = JSON.stringify(
  {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: [{ type: 'text', text: 'You are Claude Code, an interactive CLI tool that helps with software engineering tasks.' }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Explain what this repository does.' }] }],
    tools: [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
    stream: true,
  },
  null,
  2,
)
