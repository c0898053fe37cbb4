import { describe, expect, it } from 'vitest'
import en from '../../../locales/en.json'
import zh from '../../../locales/zh.json'
import { detectLanguage } from '.'

type Tree = { [k: string]: string | Tree }

/** Flattens nested sections to "a.b.c" → value. */
function flatten(tree: Tree, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) flatten(v, key, out)
    else out[key] = v
  }
  return out
}

// go-i18n reads any object holding one of these keys as a message, not a section.
const GO_I18N_RESERVED = ['id', 'description', 'hash', 'leftDelim', 'rightDelim', 'zero', 'one', 'two', 'few', 'many', 'other']

const placeholders = (s: string) => [...s.matchAll(/\{\{\.(\w+)\}\}/g)].map((m) => m[1]).sort()

describe('locales', () => {
  const flatEn = flatten(en as Tree)
  const flatZh = flatten(zh as Tree)

  it('en.json and zh.json have exactly the same keys', () => {
    expect(Object.keys(flatZh).sort()).toEqual(Object.keys(flatEn).sort())
  })

  it('every value is a non-empty string', () => {
    for (const [lang, flat] of [['en', flatEn], ['zh', flatZh]] as const) {
      for (const [k, v] of Object.entries(flat)) {
        expect(typeof v, `${lang}:${k}`).toBe('string')
        expect((v as string).trim(), `${lang}:${k}`).not.toBe('')
      }
    }
  })

  it('no key is one go-i18n reserves', () => {
    for (const flat of [flatEn, flatZh]) {
      for (const k of Object.keys(flat)) {
        for (const part of k.split('.')) expect(GO_I18N_RESERVED, k).not.toContain(part)
      }
    }
  })

  it('both languages use the same {{.placeholders}} and no i18next-only syntax', () => {
    for (const [k, v] of Object.entries(flatEn)) {
      expect(placeholders(flatZh[k] as string), k).toEqual(placeholders(v as string))
      for (const s of [v as string, flatZh[k] as string]) {
        expect(s.replace(/\{\{\.\w+\}\}/g, ''), k).not.toMatch(/\{\{|\}\}|\$t\(/)
      }
    }
  })
})

describe('detectLanguage', () => {
  it('prefers the stored choice', () => {
    expect(detectLanguage('zh', 'en-US')).toBe('zh')
    expect(detectLanguage('en', 'zh-CN')).toBe('en')
  })
  it('falls back to the browser language, any zh variant meaning zh', () => {
    expect(detectLanguage(null, 'zh-TW')).toBe('zh')
    expect(detectLanguage(null, 'zh')).toBe('zh')
    expect(detectLanguage('fr', 'de-DE')).toBe('en')
    expect(detectLanguage(null, undefined)).toBe('en')
  })
})
