/** A route target "channel,model" (model optional) split in two. */
export function parseTarget(s: string): { channel: string; model: string } {
  const i = s.indexOf(',')
  return i < 0 ? { channel: s.trim(), model: '' } : { channel: s.slice(0, i).trim(), model: s.slice(i + 1).trim() }
}

export function formatTarget(channel: string, model: string): string {
  return model.trim() ? `${channel.trim()},${model.trim()}` : channel.trim()
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
