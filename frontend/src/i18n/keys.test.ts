import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import en from '../../../locales/en.json'

// Every t('literal.key') in the components names a message that exists, and
// every t(`prefix.${x}`) names an existing section: a typo fails here, not
// on screen.
const SRC = join(__dirname, '..')
type Tree = { [k: string]: string | Tree }

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return files(p)
    return /\.tsx?$/.test(p) && !p.includes('.test.') ? [p] : []
  })
}

function lookup(path: string): string | Tree | undefined {
  let node: string | Tree | undefined = en as Tree
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined
    node = node[part]
  }
  return node
}

describe('translation keys used in the code', () => {
  it('all exist in en.json', () => {
    const missing: string[] = []
    for (const file of files(SRC)) {
      const code = readFileSync(file, 'utf8')
      for (const m of code.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
        if (typeof lookup(m[1] ?? '') !== 'string') missing.push(`${relative(SRC, file)}: ${m[1]}`)
      }
      for (const m of code.matchAll(/\bt\(\s*`([a-zA-Z0-9_.]+)\.\$\{/g)) {
        if (typeof lookup(m[1] ?? '') !== 'object') missing.push(`${relative(SRC, file)}: ${m[1]}.*`)
      }
      for (const m of code.matchAll(/\bt\(\s*\w+ \? '([a-zA-Z0-9_.]+)' : '([a-zA-Z0-9_.]+)'/g)) {
        for (const k of [m[1], m[2]]) if (typeof lookup(k ?? '') !== 'string') missing.push(`${relative(SRC, file)}: ${k}`)
      }
    }
    expect(missing).toEqual([])
  })
})
