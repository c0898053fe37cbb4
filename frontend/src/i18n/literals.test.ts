import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// Every user-visible string goes through t(): this scan catches JSX text and
// text-bearing attributes written as literals in components.
const SRC = join(__dirname, '..')

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return tsxFiles(p)
    return p.endsWith('.tsx') && !p.includes('.test.') ? [p] : []
  })
}

describe('components', () => {
  it('have no literal user-visible text', () => {
    const offences: string[] = []
    for (const file of tsxFiles(SRC)) {
      const code = readFileSync(file, 'utf8')
      for (const m of code.matchAll(/>([^<>{}();=]*)</g)) {
        if (/\p{L}/u.test(m[1] ?? '')) offences.push(`${relative(SRC, file)}: text "${m[1]?.trim()}"`)
      }
      for (const m of code.matchAll(/\b(placeholder|title|aria-label|alt|label)="([^"]*)"/g)) {
        if (/\p{L}/u.test(m[2] ?? '')) offences.push(`${relative(SRC, file)}: ${m[1]}="${m[2]}"`)
      }
    }
    expect(offences).toEqual([])
  })
})
