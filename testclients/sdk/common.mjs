// Shared by the SDK scripts of make test-clients: the cell's settings from
// the environment, the shell tool every script declares, and the checks a
// loop's answer must pass. A script prints each final answer on stdout and
// exits non-zero, with the reason on stderr, when anything goes wrong.
import { execFileSync } from 'node:child_process'

export const env = {
  base: process.env.RTX_BASE_URL,
  key: process.env.RTX_KEY,
  prompt: process.env.RTX_PROMPT,
  token: process.env.RTX_TOKEN,
}

export const shellSchema = {
  type: 'object',
  properties: { command: { type: 'string', description: 'The command, run with bash -c' } },
  required: ['command'],
}

export const answerSchema = {
  type: 'object',
  properties: { answer: { type: 'string' } },
  required: ['answer'],
  additionalProperties: false,
}

// runShell runs the tool call, as an agent would.
export function runShell(command) {
  if (typeof command !== 'string' || command === '') {
    throw new Error(`tool call without a command: ${JSON.stringify(command)}`)
  }
  return execFileSync('bash', ['-c', command], { encoding: 'utf8' })
}

// checkJSON parses a structured-output answer and checks it fits answerSchema.
export function checkJSON(label, text) {
  let v
  try {
    v = JSON.parse(text)
  } catch {
    throw new Error(`${label}: structured output is not JSON: ${String(text).slice(0, 200)}`)
  }
  if (typeof v?.answer !== 'string') {
    throw new Error(`${label}: structured output does not fit the schema: ${String(text).slice(0, 200)}`)
  }
}

// main runs each named step and reports the first failure.
export async function main(steps) {
  for (const [label, step] of steps) {
    try {
      const out = await step()
      if (out !== undefined) console.log(`${label}: ${out}`)
    } catch (err) {
      console.error(`${label} failed: ${err?.status ?? ''} ${err?.message ?? err}`)
      process.exit(1)
    }
  }
}

export const maxTurns = 4
